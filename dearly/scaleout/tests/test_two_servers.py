"""Two app servers on one database (and one Redis, when REDIS_URL is set): what is written
through one is what the other serves on the very next request."""

from django.conf import settings
from django.db import connection

import pytest
import requests

from dearly import testing
from dearly.comments.models import Comment
from dearly.comments.tests.helpers import make_comment, make_reader

from .servers import app_server, csrf_token, database_url, log_in, server_env

pytestmark = pytest.mark.servers  # app servers or the task worker, in their own processes


def test_publish_through_one_server_and_read_through_the_other(committed):
    if connection.vendor == "postgresql" and not settings.REDIS_URL:
        pytest.skip("on PostgreSQL the app servers share Redis: set REDIS_URL (.ci/run does)")
    letter, editor = committed["letter"], committed["editor"]
    reader = make_reader("deskmate")
    comment = make_comment(letter, reader, "Moving desks helped me too.", status="pending")
    draft = testing.make_article(
        committed["guides"], title="Sharing a Desk Politely", slug="sharing-a-desk", live=False
    )
    draft_path = "/guides/sharing-a-desk/"
    env = server_env(database_url(), settings.REDIS_URL or None)

    with app_server(env) as a, app_server(env) as b:
        anonymous = requests.Session()
        before = anonymous.get(b.url + letter.url, timeout=10)
        assert before.status_code == 200
        assert "Moving desks helped me too." not in before.text
        assert anonymous.get(b.url + draft_path, timeout=10).status_code == 404

        editor_http = requests.Session()
        log_in(editor_http, a.url, editor.email, "pw")
        # The session made by A is good on B: no app server keeps state of its own.
        queue = editor_http.get(b.url + "/admin/comments/", allow_redirects=False, timeout=10)
        assert queue.status_code == 200, queue.headers
        assert "Moving desks helped me too." in queue.text

        approved = editor_http.post(
            a.url + "/admin/comments/bulk/",
            data={"csrfmiddlewaretoken": csrf_token(editor_http), "action": "approve"}
            | {"ids": [comment.pk]},
            allow_redirects=False,
            timeout=10,
        )
        assert approved.status_code == 303, a.output()
        published = editor_http.post(
            a.url + f"/admin/bulk/wagtailcore/page/publish/?id={draft.pk}",
            data={"csrfmiddlewaretoken": csrf_token(editor_http)},
            allow_redirects=False,
            timeout=10,
        )
        assert published.status_code == 302, a.output()

        after = anonymous.get(b.url + letter.url, timeout=10)
        assert "Moving desks helped me too." in after.text
        guide = anonymous.get(b.url + draft_path, timeout=10)
        assert guide.status_code == 200
        assert "Sharing a Desk Politely" in guide.text

    assert Comment.objects.get(pk=comment.pk).status == "approved"
