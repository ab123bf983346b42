"""SQLite held by another writer for longer than the busy timeout (a restore, a long
migration): the reader's comment gets the 503 page, nothing half-written, and it goes
through once the database is free. (PostgreSQL: test_outage.py.)"""

import sqlite3

from django.db import connection
from django.test import Client

import pytest

from dearly.comments.models import Comment
from dearly.comments.tests.helpers import make_reader


def test_a_comment_sent_while_sqlite_is_locked_gets_the_503_page_and_no_half_write(committed):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's busy timeout; PostgreSQL outages are in test_outage.py")
    letter = committed["letter"]
    reader = Client(raise_request_exception=False)
    reader.force_login(make_reader("patient"))
    post = f"/comments/post/{letter.pk}/"

    other_writer = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    other_writer.execute("BEGIN EXCLUSIVE")
    try:
        refused = reader.post(post, {"body": "Sent while the column was busy."})
    finally:
        other_writer.execute("ROLLBACK")
        other_writer.close()
    assert refused.status_code == 503
    assert refused["Retry-After"] == "10"
    assert "We'll be right back" in refused.content.decode()
    assert "Traceback" not in refused.content.decode()
    assert not Comment.objects.filter(body="Sent while the column was busy.").exists()

    accepted = reader.post(post, {"body": "Sent again once it was free."})
    assert accepted.status_code == 303
    assert Comment.objects.filter(body="Sent again once it was free.").count() == 1
