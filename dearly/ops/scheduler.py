"""The site's clock: publish and unpublish scheduled pages every minute, send the newsletter's
waiting mailings, queue the take-down of letters whose writers' requests are due, and once a
day queue the purge of old questions (docs/deployment.md).

`manage.py run_scheduler` runs it as a process of its own. `make run` runs it inside the app
server instead (`DEARLY_SCHEDULER=thread`): every worker starts a thread, and the one that holds
an exclusive lock on a file under var/ does the work, so it runs once however many workers
there are, and another worker takes over when that one stops. A process of its own held
160 MB to wake up once a minute (bench/README-retrieval.md, "Memory").
"""

import fcntl
import logging
import os
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.db import connections

from dearly.newsletter import sending
from dearly.questions import tasks, writer

logger = logging.getLogger(__name__)

PURGE_EVERY = 24 * 60 * 60  # seconds
INTERVAL = 60  # seconds between runs
# A long mailing is sent a slice at a time, so that publishing is never more than this late.
MAILING_SLICE = 45  # seconds


def enqueue_purge():
    try:
        tasks.purge_old_questions.enqueue()
    except Exception:  # a failed purge must not stop scheduled publishing
        logger.exception("could not run the daily purge of old questions")


def enqueue_takedowns():
    """One indexed query a minute; a task only when a take-down is due (docs/questions.md)."""
    try:
        if writer.overdue_takedowns().exists():
            tasks.take_down_overdue_letters.enqueue()
    except Exception:  # like the purge: never stop scheduled publishing
        logger.exception("could not queue the take-down of letters that are due")


def tick(last_purge, now):
    """One run: publish what is due, and queue the purge if a day has passed since
    `last_purge` (None: never). Returns when the purge was last queued."""
    call_command("publish_scheduled", verbosity=0)
    try:
        sending.start_digest()
        sending.send_pending(deadline=time.monotonic() + MAILING_SLICE)
    except Exception:  # a mail server down must not stop scheduled publishing
        logger.exception("sending the newsletter failed; trying again next time")
    enqueue_takedowns()
    if last_purge is None or now - last_purge >= PURGE_EVERY:
        enqueue_purge()
        return now
    return last_purge


def start_in_worker(lock_path=None, interval=None):
    """Start the clock's thread in this server worker (see the module's docstring)."""
    lock_path = (
        lock_path
        or os.environ.get("DEARLY_SCHEDULER_LOCK")
        or (settings.VAR_DIR / "scheduler.lock")
    )
    interval = interval or float(os.environ.get("DEARLY_SCHEDULER_INTERVAL") or INTERVAL)
    thread = threading.Thread(
        target=_run, args=(str(lock_path), interval), name="dearly-scheduler", daemon=True
    )
    thread.start()
    return thread


def _run(lock_path, interval):
    os.makedirs(os.path.dirname(lock_path) or ".", exist_ok=True)
    with open(lock_path, "a+") as lock:
        held, last_purge = False, None
        while True:
            if not held:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    pass  # another worker keeps the clock; try again next time
                else:
                    held = True
                    logger.info("worker %s keeps the schedule", os.getpid())
            if held:
                try:
                    last_purge = tick(last_purge, time.monotonic())
                except Exception:
                    logger.exception("scheduled publishing failed; trying again in %s s", interval)
                finally:
                    connections.close_all()  # this thread's own; a reader's never
            time.sleep(interval)
