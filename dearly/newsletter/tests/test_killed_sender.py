"""Exactly once: a real sender process (`manage.py send_newsletter`) killed with SIGKILL three
times, at each point of the SMTP exchange, then run again, sends everyone the page once."""

import collections
import subprocess
import sys
import time

from django.conf import settings

import pytest

from dearly import testing
from dearly.newsletter.models import Delivery, Mailing, Subscriber
from dearly.scaleout.tests.conftest import committed  # noqa: F401  # rows other processes see
from dearly.scaleout.tests.servers import database_url, server_env

from .smtp import smtp_server

pytestmark = pytest.mark.servers

PEOPLE = 300
# (command the sink kills the sender at, messages arrived by then): before a message is
# complete (MAIL, RCPT) and after it is complete but before the sender hears so (DATA).
KILLS = [("RCPT", 40), ("DATA", 120), ("MAIL", 200)]


def test_a_sender_killed_three_times_sends_everyone_exactly_once(committed):  # noqa: F811
    Subscriber.objects.bulk_create(
        Subscriber(email=f"reader{n}@example.com", state="active") for n in range(PEOPLE)
    )
    letter = testing.make_letter(committed["letters"], pen_name="Counted")
    assert Mailing.objects.filter(page=letter).exists()
    with smtp_server() as (sink, port):
        env = server_env(
            database_url(),
            settings.REDIS_URL or None,
            EMAIL_URL=f"smtp://127.0.0.1:{port}",
            NEWSLETTER_CLAIM_SECONDS="1",  # a dead sender's claims are taken over after 1 s
        )
        command = [sys.executable, "manage.py", "send_newsletter", "-v0"]
        for point, count in KILLS:
            sender = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env)
            sink.kill = (sender.pid, point, count)
            assert sender.wait(timeout=120) == -9, f"not killed at {point} {count}"
            time.sleep(1.2)  # its claims run out
        finished = subprocess.run(command, cwd=settings.BASE_DIR, env=env, timeout=120)
        assert finished.returncode == 0
    assert [point for point, _ in sink.kills] == [point for point, _ in KILLS]
    # The fixture's letter was published first: two mailings, one message each per reader.
    pages = {letter.title, committed["letter"].title}
    received = collections.Counter(
        (rcpt, message["Subject"]) for rcpts, message in sink.messages for rcpt in rcpts
    )
    assert len(received) == PEOPLE * len(pages)  # nobody skipped
    assert set(received.values()) == {1}  # nobody twice
    assert {subject for _, subject in received} == pages
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}
    assert set(Mailing.objects.values_list("state", flat=True)) == {"done"}
