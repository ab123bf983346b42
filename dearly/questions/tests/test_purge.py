"""Purging old questions: the command, its task, and the daily run from run_scheduler."""

import datetime
import io
import re
import subprocess
import sys
import types

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from wagtail.models import Site

import pytest

from dearly.core.models import ColumnSettings
from dearly.ops.management.commands import run_scheduler
from dearly.questions import tasks
from dearly.questions.management.commands.purge_questions import purge
from dearly.questions.models import Question

from .test_inbox import make_question

pytestmark = pytest.mark.django_db


def aged(status, days, **kw):
    """A question whose status last changed `days` ago."""
    return make_question(
        status=status,
        days_old=days,
        email="writer@example.com",
        ip_address="203.0.113.9",
        **kw,
    )


def run(*args):
    out = io.StringIO()
    call_command("purge_questions", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def questions():
    return {
        "old_declined": aged("declined", 181),
        "young_declined": aged("declined", 179),
        "old_published": aged("published", 181),
        "young_published": aged("published", 179),
        "old_new": aged("new", 400),
        "old_answered": aged("answered", 400),
    }


def state(question):
    found = Question.objects.filter(pk=question.pk).values("email", "ip_address").first()
    return None if found is None else (found["email"], found["ip_address"])


def test_purge_deletes_old_declined_and_blanks_old_published_only(questions):
    output = run()
    assert "Deleted 1 declined question." in output
    assert "Removed the email and IP address of 1 published question." in output
    assert "Retention 180 days" in output
    assert state(questions["old_declined"]) is None
    assert state(questions["old_published"]) == ("", None)
    assert Question.objects.get(pk=questions["old_published"].pk).text  # the letter stays
    for kept in ("young_declined", "young_published", "old_new", "old_answered"):
        assert state(questions[kept]) == ("writer@example.com", "203.0.113.9"), kept


def test_dry_run_says_what_it_would_do_and_changes_nothing(questions):
    output = run("--dry-run")
    assert "Would delete 1 declined question." in output
    assert "Would remove the email and IP address of 1 published question." in output
    assert Question.objects.count() == 6
    assert state(questions["old_published"]) == ("writer@example.com", "203.0.113.9")


def test_running_twice_changes_nothing_the_second_time(questions):
    run()
    output = run()
    assert "Deleted 0 declined questions." in output
    assert "of 0 published questions." in output


def test_the_retention_period_comes_from_column_settings(questions, site_tree):
    settings_row = ColumnSettings.for_site(Site.objects.get(is_default_site=True))
    settings_row.question_retention_days = 365
    settings_row.save()
    output = run()
    assert "Retention 365 days" in output and "Deleted 0 declined questions." in output
    assert "Deleted 2 declined questions." in run("--days", "30")


def test_a_retention_of_zero_days_in_settings_is_refused(questions, site_tree):
    settings_row = ColumnSettings.for_site(Site.objects.get(is_default_site=True))
    settings_row.question_retention_days = 0
    settings_row.save()
    with pytest.raises(CommandError, match="retention period in Column settings is 0 days"):
        run()
    assert Question.objects.count() == 6


def test_the_cutoff_is_exact_to_the_second():
    now = timezone.now()
    just_inside = aged("declined", 0)
    just_outside = aged("declined", 0)
    Question.objects.filter(pk=just_inside.pk).update(
        status_changed_at=now - datetime.timedelta(days=180) + datetime.timedelta(seconds=1)
    )
    Question.objects.filter(pk=just_outside.pk).update(
        status_changed_at=now - datetime.timedelta(days=180, seconds=1)
    )
    assert purge(180, now=now)[1:] == (1, 0)
    assert Question.objects.filter(pk=just_inside.pk).exists()


@pytest.mark.servers
@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--days", "abc"], "invalid int value: 'abc'"),
        (["--days", "0"], "--days must be between 1 and 36500, not 0."),
    ],
)
def test_bad_arguments_exit_non_zero_with_a_one_line_reason(args, reason):
    result = subprocess.run(
        [sys.executable, "manage.py", "purge_questions", *args],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert reason in result.stderr


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--days", "-5"], "--days must be between 1 and 36500, not -5."),
        (["--days", "99999999999"], "--days must be between 1 and 36500"),
        (["--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_other_bad_arguments_are_refused_before_anything_changes(questions, args, reason):
    with pytest.raises(CommandError, match=re.escape(reason)):
        run(*args)
    assert Question.objects.count() == 6


def test_the_task_runs_the_purge(questions):
    tasks.purge_old_questions.enqueue()  # the test settings run tasks immediately
    assert state(questions["old_declined"]) is None
    assert state(questions["old_published"]) == ("", None)


def test_run_scheduler_queues_the_purge_once_a_day(monkeypatch):
    """Iterations 12 hours apart: the purge runs at start, then 24 hours later."""
    clock = {"now": 1000.0, "sleeps": 0}
    purges = []

    def sleep(seconds):
        clock["sleeps"] += 1
        clock["now"] += 12 * 60 * 60
        if clock["sleeps"] == 5:
            raise KeyboardInterrupt

    fake_time = types.SimpleNamespace(monotonic=lambda: clock["now"], sleep=sleep)
    monkeypatch.setattr(run_scheduler, "time", fake_time)
    monkeypatch.setattr(
        tasks,
        "purge_old_questions",
        types.SimpleNamespace(enqueue=lambda: purges.append(clock["now"])),
    )
    call_command("run_scheduler", interval=60)
    start = 1000.0
    assert purges == [start, start + 24 * 60 * 60, start + 48 * 60 * 60]


def test_run_scheduler_keeps_going_when_the_purge_fails(monkeypatch, caplog):
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        raise KeyboardInterrupt

    def broken():
        raise RuntimeError("queue is down")

    monkeypatch.setattr(
        run_scheduler, "time", types.SimpleNamespace(monotonic=lambda: 0.0, sleep=sleep)
    )
    monkeypatch.setattr(tasks, "purge_old_questions", types.SimpleNamespace(enqueue=broken))
    call_command("run_scheduler", interval=5)
    assert sleeps == [5]
    assert "daily purge" in caplog.text
