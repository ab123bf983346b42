"""Publish and unpublish scheduled pages every minute (what cron runs in production)."""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run Wagtail's publish_scheduled every --interval seconds until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=int, default=60, help="seconds between runs (1+)")

    def handle(self, *args, interval, **options):
        if interval < 1:
            raise CommandError("--interval must be at least 1 second.")
        try:
            while True:
                call_command("publish_scheduled", verbosity=0)
                time.sleep(interval)
        except KeyboardInterrupt:
            return
