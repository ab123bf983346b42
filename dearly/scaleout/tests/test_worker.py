"""TASKS_BACKEND=database: emails wait in the database until a separate worker process
(`make worker`, django-tasks-db's db_worker) sends them, once."""

import os
import subprocess
import sys

from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from wagtail.models import Page

import pytest
from django_tasks_db.models import DBTaskResult

from dearly.importer.models import ImportRun
from dearly.importer.tests.conftest import WXR_HEAD, item_xml
from dearly.questions.models import Question
from dearly.questions.services import store_question

from .servers import database_url

pytestmark = pytest.mark.servers  # app servers or the task worker, in their own processes
WXR = (WXR_HEAD + item_xml(10, "Saying no kindly") + "</channel></rss>\n").encode()


def run_worker(tmp_path, **env):
    """manage.py db_worker --batch in its own process, with the settings `make worker` uses;
    mail goes to files under tmp_path/outbox."""
    return subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--interval", "0"],
        cwd=settings.BASE_DIR,
        env={
            **{k: v for k, v in os.environ.items() if k != "REDIS_URL"},
            "DJANGO_SETTINGS_MODULE": "dearly.settings.dev",
            "DATABASE_URL": database_url(),
            "DEARLY_VAR_DIR": str(tmp_path),
            "TASKS_BACKEND": "database",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def sent_messages(tmp_path):
    outbox = tmp_path / "outbox"
    files = sorted(outbox.iterdir()) if outbox.exists() else []
    return [m for f in files for m in f.read_text().split("-" * 79) if "Subject:" in m]


def test_a_queued_receipt_is_sent_by_the_worker_process_exactly_once(committed, tmp_path):
    token, _ = Question.new_token()
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        store_question(
            token, text="My manager reads my screen.", pen_name="Watched", email="w@example.com"
        )
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "dearly.questions.tasks.send_receipt"
    assert queued.status == "READY"
    assert mail.outbox == []  # nothing was sent by the web side

    first = run_worker(tmp_path)
    assert first.returncode == 0, first.stderr
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    [receipt] = sent_messages(tmp_path)
    assert "To: w@example.com" in receipt
    assert f"/ask/status/{token}/" in receipt

    again = run_worker(tmp_path)
    assert again.returncode == 0, again.stderr
    assert len(sent_messages(tmp_path)) == 1


def test_the_worker_refuses_to_start_when_tasks_run_in_process(db, tmp_path):
    result = run_worker(tmp_path, TASKS_BACKEND="immediate")
    assert result.returncode != 0
    assert "Backend 'default' is not a database backend" in result.stderr


def test_an_import_from_the_admin_waits_for_the_worker_process(committed, tmp_path, settings):
    """Upload and confirm in the admin: each step is queued, and the worker (which sees the
    uploads through IMPORT_DIR) runs it."""
    settings.IMPORT_DIR = tmp_path / "imports"
    editor = Client()
    editor.force_login(committed["editor"])
    export = SimpleUploadedFile("export.xml", WXR)
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        assert editor.post("/admin/move-in/upload/", {"export": export}).status_code == 303
        run = ImportRun.objects.get()
        assert run.state == ImportRun.State.WAITING
        page = editor.get(f"/admin/move-in/{run.pk}/").content.decode()
        assert "check that the task worker runs" in page

        worker = run_worker(tmp_path, IMPORT_DIR=str(settings.IMPORT_DIR))
        assert worker.returncode == 0, worker.stderr
        run.refresh_from_db()
        assert run.state == ImportRun.State.CHECKED, run.error
        assert "guides: 1 created" in run.dry_run_report

        assert editor.post(f"/admin/move-in/{run.pk}/import/").status_code == 303
        assert ImportRun.objects.get().state == ImportRun.State.QUEUED
        worker = run_worker(tmp_path, IMPORT_DIR=str(settings.IMPORT_DIR))
        assert worker.returncode == 0, worker.stderr
    run.refresh_from_db()
    assert run.state == ImportRun.State.DONE, run.error
    assert Page.objects.filter(title="Saying no kindly", live=True).exists()
    assert not any(settings.IMPORT_DIR.iterdir())  # the upload is gone
