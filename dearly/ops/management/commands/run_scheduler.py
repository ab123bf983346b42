"""Publish and unpublish scheduled pages every minute (what cron runs in production), and once
a day hand the task worker the purge of old questions (docs/deployment.md). `make run` runs the
same clock inside the app server instead (dearly/ops/scheduler.py)."""

import time

from django.core.management.base import BaseCommand, CommandError

from dearly.ops import scheduler


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
                last_purge = scheduler.tick(last_purge, time.monotonic())
                time.sleep(interval)
        except KeyboardInterrupt:
            return
