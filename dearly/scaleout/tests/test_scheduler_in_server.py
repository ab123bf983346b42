"""`make run` keeps the schedule inside the app server (DEARLY_SCHEDULER=thread,
dearly/ops/scheduler.py): a page scheduled for a moment now past goes live with no scheduler
process, and of two servers only one keeps the clock."""

import time

from django.conf import settings
from django.utils import timezone

from wagtail.models import Page, Revision

import pytest
import requests

from dearly import testing

from .servers import app_server, database_url, server_env

pytestmark = pytest.mark.servers


def test_one_of_two_servers_publishes_what_is_due(committed, tmp_path):
    page = testing.make_article(
        committed["guides"], title="Tomorrow's Guide", slug="tomorrows-guide", live=False
    )
    page.go_live_at = timezone.now() + timezone.timedelta(hours=1)
    revision = page.save_revision()
    revision.publish()  # with a future go_live_at this schedules instead of publishing
    # The time comes: the scheduled moment moves into the past rather than the test waiting.
    revision = Revision.objects.get(pk=revision.pk)
    revision.approved_go_live_at = timezone.now() - timezone.timedelta(seconds=1)
    revision.content["go_live_at"] = revision.approved_go_live_at.isoformat()
    revision.save(update_fields=["approved_go_live_at", "content"])
    assert not Page.objects.get(pk=page.pk).live

    env = server_env(
        database_url(),
        settings.REDIS_URL or None,
        DEARLY_SCHEDULER="thread",
        DEARLY_SCHEDULER_INTERVAL="0.5",
        DEARLY_SCHEDULER_LOCK=str(tmp_path / "scheduler.lock"),
    )
    with app_server(env) as a, app_server(env) as b:
        deadline = time.monotonic() + 30
        while not Page.objects.get(pk=page.pk).live:
            assert time.monotonic() < deadline, a.output() + b.output()
            time.sleep(0.2)
        assert requests.get(b.url + "/guides/tomorrows-guide/", timeout=10).status_code == 200
        time.sleep(1.5)  # three more ticks: the other server has tried the lock by now
        logs = a.output() + b.output()
    assert logs.count("keeps the schedule") == 1, logs
    assert "Traceback" not in logs, logs


def test_a_server_without_the_setting_keeps_no_schedule(committed, tmp_path):
    env = server_env(database_url(), settings.REDIS_URL or None, DEARLY_SCHEDULER_INTERVAL="0.5")
    with app_server(env) as a:
        assert requests.get(a.url + "/robots.txt", timeout=10).status_code == 200
        time.sleep(1)
        assert "keeps the schedule" not in a.output()
