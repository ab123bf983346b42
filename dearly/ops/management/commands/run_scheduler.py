"""Publish and unpublish scheduled pages every minute (what cron runs in production), and once
a day hand the task worker the purge of old questions (docs/deployment.md)."""

import logging
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from dearly.questions import tasks

logger = logging.getLogger(__name__)
PURGE_EVERY = 24 * 60 * 60  # seconds


def enqueue_purge():
    try:
        tasks.purge_old_questions.enqueue()
    except Exception:  # a failed purge must not stop scheduled publishing
        logger.exception("could not run the daily purge of old questions")


class Command(BaseCommand):
    help = (
        "Run Wagtail's publish_scheduled every --interval seconds until stopped, and queue "
        "purge_questions once every 24 hours (the first time at start)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=int, default=60, help="seconds between runs (1+)")

    def handle(self, *args, interval, **options):
        if interval < 1:
            raise CommandError("--interval must be at least 1 second.")
        last_purge = None
        try:
            while True:
                call_command("publish_scheduled", verbosity=0)
                now = time.monotonic()
                if last_purge is None or now - last_purge >= PURGE_EVERY:
                    last_purge = now
                    enqueue_purge()
                time.sleep(interval)
        except KeyboardInterrupt:
            return
