"""Imports run from the admin (ImportRun): an uploaded export's dry run, then, once an editor
confirms, the import itself, each as a background task with the shared mapping
(mapping/run.py) doing the work, as the commands do.

How a task runs: with a task worker (TASKS_BACKEND=database), `start` queues it and the worker
runs `execute`. In-process (the default, `make run`), the task backend would run it inside the
request, for minutes; `start` runs it in a thread of the server's worker instead, so the
editor's request returns at once.

Progress is written to a small file in the run's folder, at most once a second: the import
holds its transaction (and on SQLite the database's only write lock) until it ends, so the
run's row cannot change meanwhile. The same file is the run's heartbeat: a run whose process
stopped (a restart, a crash) is seen to have stopped and marked failed, and its transaction,
never committed, wrote nothing."""

import json
import logging
import os
import shutil
import threading
import time
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connections, transaction
from django.utils import timezone

from django_tasks import task_backends
from django_tasks.backends.immediate import ImmediateBackend

from . import content
from .mapping.run import Import, ImportOptions, ImportRefused, WordPressImport
from .models import ImportRun
from .sources.ghost import GhostExport
from .sources.records import SourceError
from .sources.substack import SubstackExport
from .uploads import FIELDS

logger = logging.getLogger(__name__)

State = ImportRun.State
Kind = ImportRun.Kind
PROGRESS_EVERY = 1.0  # seconds between writes of the progress file
HEARTBEAT = 5.0  # seconds between writes while no item moves (reading, indexing at the end)
STALE_AFTER = 120.0  # seconds without a heartbeat: the process running the import has stopped
LEFTOVER_AFTER = timedelta(hours=1)  # a folder without a run: an upload that never finished
CAN_CANCEL = (State.WAITING, State.CHECKED, State.QUEUED)
UNDER_WAY = (State.CHECKING, State.RUNNING)


class Refused(Exception):
    """What an editor asked for cannot be done now; `str()` says why, in one sentence."""


def folder(run_id):
    return settings.IMPORT_DIR / str(run_id)


def files(run):
    """(export path, members path or None) of a run's uploaded files."""
    base = folder(run.pk)
    return base / FIELDS["export"], (base / FIELDS["members"] if run.members_name else None)


def remove_files(run_id):
    shutil.rmtree(folder(run_id), ignore_errors=True)


# --- what editors do -------------------------------------------------------------------------


def active_run():
    """The run that holds the importer now, if any (after letting go of a stopped one)."""
    release_stopped()
    return ImportRun.objects.filter(active=True).select_related("started_by").first()


def begin(run_id, kind, user, export, members=None):
    """The run of an uploaded export (already in `folder(run_id)`), its dry run to start once
    this transaction commits. Refused while another run holds the importer."""
    try:
        with transaction.atomic():
            run = ImportRun.objects.create(
                id=run_id,
                kind=kind,
                export_name=export.name,
                members_name=members.name if members else "",
                size=export.size + (members.size if members else 0),
                started_by=user,
            )
    except IntegrityError:
        raise Refused(busy_message(active_run())) from None
    transaction.on_commit(lambda: start(run.pk, dry_run=True))
    return run


def confirm(run, user):
    """Import for real what the dry run reported (once: a second click finds it queued)."""
    queued = ImportRun.objects.filter(pk=run.pk, state=State.CHECKED).update(
        state=State.QUEUED, started_by=user
    )
    if not queued:
        run.refresh_from_db()
        raise Refused(f"This import cannot start: it is {run.get_state_display().lower()}.")
    transaction.on_commit(lambda: start(run.pk, dry_run=False))


def cancel(run):
    """Give up a run that is not under way; its files go at once."""
    cancelled = ImportRun.objects.filter(pk=run.pk, state__in=CAN_CANCEL).update(
        state=State.CANCELLED, active=False, finished_at=timezone.now()
    )
    if not cancelled:
        run.refresh_from_db()
        raise Refused(f"This import cannot be cancelled: it is {run.get_state_display().lower()}.")
    transaction.on_commit(lambda: remove_files(run.pk))


def busy_message(run):
    if run is None:
        return "Another import has just started. Wait for it to end, then try again."
    who = run.started_by.get_username() if run.started_by else "someone"
    return (
        f"Another import is under way: {run.export_name} ({run.get_kind_display()}, "
        f"{run.get_state_display().lower()}), started by {who}. Only one import runs at a "
        "time: wait for it to end, or cancel it if it has not started."
    )


# --- running the tasks -----------------------------------------------------------------------


def start(run_id, *, dry_run):
    """Run the dry run or the import in the background (see the module's docstring)."""
    from .tasks import import_export  # tasks.py imports this module

    if isinstance(task_backends[import_export.backend], ImmediateBackend):
        in_background(import_export.enqueue, str(run_id), dry_run)
    else:
        import_export.enqueue(str(run_id), dry_run)


def in_background(function, *args):
    """`function(*args)` in a thread of this process, with its own database connections."""

    def run():
        try:
            function(*args)
        finally:
            connections.close_all()  # this thread's own

    threading.Thread(target=run, name="dearly-import", daemon=True).start()


def execute(run_id, dry_run):
    """The task: run the dry run or the import of a run, once, and record what it said."""
    before, during = (State.WAITING, State.CHECKING) if dry_run else (State.QUEUED, State.RUNNING)
    if not ImportRun.objects.filter(pk=run_id, state=before).exists():
        return  # cancelled meanwhile, or a second delivery of a task already run
    progress = Progress(folder(run_id))
    progress.write()  # a fresh heartbeat before the run is seen to be under way
    claimed = ImportRun.objects.filter(pk=run_id, state=before).update(
        state=during, **({} if dry_run else {"started_at": timezone.now()})
    )
    if not claimed:  # another delivery of the same task took it first
        return
    run = ImportRun.objects.get(pk=run_id)
    try:
        with progress.beating():
            report = _run(run, progress, dry_run)
    except (SourceError, ImportRefused) as error:
        _failed(run, _shown(run, str(error)), progress)
    except Exception as error:
        logger.exception("the import of %s (run %s) stopped", run.export_name, run.pk)
        _failed(
            run,
            f"the import stopped on an unexpected error ({type(error).__name__}); nothing was "
            "written. The server's log has the details.",
            progress,
        )
    else:
        _succeeded(run, report, progress, dry_run)


def _run(run, progress, dry_run):
    export, members = files(run)
    options = ImportOptions(letter_pattern=content.LETTER_PATTERN, dry_run=dry_run)
    if run.kind == Kind.WORDPRESS:
        return WordPressImport(options).run([export], progress=progress)
    if run.kind == Kind.GHOST:
        return Import(GhostExport(export, members), options).run(progress=progress)
    return Import(SubstackExport(export), options).run(progress=progress)


def _shown(run, text):
    """Messages name the files by the names they were uploaded under, not where they wait."""
    export, members = files(run)
    text = text.replace(str(export), run.export_name)
    if members is not None:
        text = text.replace(str(members), run.members_name)
    return text


def _succeeded(run, report, progress, dry_run):
    text = _shown(run, "\n".join(report.lines(dry_run=dry_run)))
    counts = {"items_done": progress.done, "items_total": progress.total or progress.done}
    if dry_run:
        ImportRun.objects.filter(pk=run.pk).update(
            state=State.CHECKED, dry_run_report=text, checked_at=timezone.now(), **counts
        )
        return
    ImportRun.objects.filter(pk=run.pk).update(
        state=State.DONE, report=text, active=False, finished_at=timezone.now(), **counts
    )
    remove_files(run.pk)


def _failed(run, reason, progress):
    ImportRun.objects.filter(pk=run.pk).update(
        state=State.FAILED,
        error=" ".join(reason.split())[:2000],
        active=False,
        finished_at=timezone.now(),
        items_done=progress.done,
        items_total=progress.total,
    )
    remove_files(run.pk)


def release_stopped():
    """Mark failed the runs whose process stopped mid-way (no heartbeat for STALE_AFTER), and
    delete folders no run holds (an upload cut off before its run was made)."""
    for run in ImportRun.objects.filter(state__in=UNDER_WAY):
        seen = Progress.read(folder(run.pk)).get("at")
        if isinstance(seen, float) and time.time() - seen < STALE_AFTER:
            continue
        stopped = ImportRun.objects.filter(pk=run.pk, state=run.state).update(
            state=State.FAILED,
            active=False,
            finished_at=timezone.now(),
            error="the server stopped during the import (a restart or a crash); nothing was "
            "written. Upload the export again.",
        )
        if stopped:
            remove_files(run.pk)
    _remove_leftovers()


def _remove_leftovers():
    if not settings.IMPORT_DIR.is_dir():
        return
    held = {str(pk) for pk in ImportRun.objects.filter(active=True).values_list("pk", flat=True)}
    old = time.time() - LEFTOVER_AFTER.total_seconds()
    for entry in os.scandir(settings.IMPORT_DIR):
        if entry.is_dir() and entry.name not in held and entry.stat().st_mtime < old:
            shutil.rmtree(entry.path, ignore_errors=True)


# --- progress --------------------------------------------------------------------------------


class Progress:
    """What the shared driver calls a progress bar (`total`, `update()`, `refresh()`), written
    to `folder`/progress.json for the status page: at most once a second, and every few
    seconds as a heartbeat while the import works without moving on to the next item."""

    NAME = "progress.json"

    def __init__(self, folder):
        self.path = folder / self.NAME
        self.total = 0
        self.done = 0
        self.written = 0.0
        self.lock = threading.Lock()

    def update(self, n=1):
        self.done += n
        if self.done >= self.total or time.monotonic() - self.written >= PROGRESS_EVERY:
            self.write()  # the last item at once: then comes the end's linking and indexing

    def refresh(self):
        self.write()

    def write(self):
        with self.lock:
            self.written = time.monotonic()
            data = {"done": self.done, "total": self.total, "at": time.time()}
            temporary = self.path.with_name(f"{self.NAME}.{threading.get_ident()}")
            try:
                temporary.write_text(json.dumps(data))
                os.replace(temporary, self.path)
            except FileNotFoundError:  # the folder went (the run was let go of)
                pass

    @contextmanager
    def beating(self):
        stop = threading.Event()

        def beat():
            while not stop.wait(HEARTBEAT):
                self.write()

        self.write()
        thread = threading.Thread(target=beat, name="dearly-import-heartbeat", daemon=True)
        thread.start()
        try:
            yield self
        finally:
            stop.set()
            thread.join()

    @classmethod
    def read(cls, folder):
        """{"done", "total", "at"} as last written, or {} before the first write."""
        try:
            data = json.loads((folder / cls.NAME).read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}
