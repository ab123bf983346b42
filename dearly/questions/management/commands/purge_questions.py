"""Forget what the column no longer needs: declined questions and declined updates, and the
email and IP address of published questions (with the IP hashes of their consent records), once
they are older than the retention period (Column settings, 180 days). A consent record's text
and time stay as long as its question: they are what publishing it rests on.

Age is counted from the last change of status (declined on, published on). Withdrawn
questions are deleted when they are withdrawn, so they never reach this command.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dearly.core.models import ColumnSettings
from dearly.questions.models import Consent, Question, WriterUpdate

MAX_DAYS = 36_500


def retention_days():
    """The default site's setting, or the field's default when it was never saved."""
    days = (
        ColumnSettings.objects.order_by("-site__is_default_site", "pk")
        .values_list("question_retention_days", flat=True)
        .first()
    )
    return (
        ColumnSettings._meta.get_field("question_retention_days").default if days is None else days
    )


def purge(days, now=None, dry_run=False):
    """(cutoff, declined questions deleted, published questions blanked)."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    old = Question.objects.filter(status_changed_at__lt=cutoff)
    declined = old.filter(status=Question.Status.DECLINED)
    old_published = old.filter(status=Question.Status.PUBLISHED)
    hashed = Consent.objects.filter(question__in=old_published).exclude(ip_hash="")
    published = old_published.filter(
        ~Q(email="") | Q(ip_address__isnull=False) | Q(pk__in=hashed.values("question_id"))
    )
    if dry_run:
        return cutoff, declined.count(), published.count()
    with transaction.atomic():
        deleted = declined.count()
        declined.delete()  # with their consent records and updates
        blanked = published.update(email="", ip_address=None)
        hashed.update(ip_hash="")
    return cutoff, deleted, blanked


def purge_updates(cutoff, dry_run=False):
    """Declined updates (the question itself stays): how many were (or would be) deleted."""
    declined = WriterUpdate.objects.filter(
        status=WriterUpdate.Status.DECLINED, status_changed_at__lt=cutoff
    )
    if dry_run:
        return declined.count()
    deleted = declined.count()
    declined.delete()
    return deleted


def plural(n, word):
    return f"{n} {word}{'' if n == 1 else 's'}"


class Command(BaseCommand):
    help = (
        "Delete declined questions and remove the email and IP address of published ones "
        "older than the retention period."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # A bad argument gets its one-line reason, without argparse's usage line above it.
        parser.print_usage = lambda file=None: None
        return parser

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="say what would be purged; change nothing"
        )
        parser.add_argument(
            "--days",
            type=int,
            help="retention period in days (default: Column settings, 180 until changed)",
        )

    def handle(self, *args, dry_run=False, days=None, **options):
        if days is None:
            days = retention_days()
            if days < 1:
                raise CommandError(
                    "The question retention period in Column settings is 0 days; "
                    "set it to 1 or more (or pass --days)."
                )
        elif not 1 <= days <= MAX_DAYS:
            raise CommandError(f"--days must be between 1 and {MAX_DAYS}, not {days}.")
        cutoff, declined, published = purge(days, dry_run=dry_run)
        updates = purge_updates(cutoff, dry_run=dry_run)
        verb = ("Would delete", "Would remove") if dry_run else ("Deleted", "Removed")
        self.stdout.write(
            f"Retention {plural(days, 'day')}: questions last changed before "
            f"{cutoff:%Y-%m-%d %H:%M} UTC."
        )
        self.stdout.write(f"{verb[0]} {plural(declined, 'declined question')}.")
        self.stdout.write(f"{verb[0]} {plural(updates, 'declined update')}.")
        self.stdout.write(
            f"{verb[1]} the email and IP address of {plural(published, 'published question')}."
        )
