from django.core.management.base import BaseCommand, CommandError

from dearly.core import versions
from dearly.pagecache.store import StoreError, get_store


class Command(BaseCommand):
    help = (
        "Invalidate every cached page and fragment, for every worker and app server (after "
        "changing rows directly in the database, which no signal reports)."
    )

    def handle(self, *args, **options):
        try:
            get_store().clear()
        except StoreError as error:
            raise CommandError(f"The page cache store could not be cleared: {error}") from error
        # Fragments live in each worker's memory (or Redis); every key holds this token.
        versions.bump(versions.EVERYTHING)
        self.stdout.write("Page cache cleared.")
