from django.core.management.base import BaseCommand, CommandError

from dearly.core.invalidation.store import StoreError, get_store


class Command(BaseCommand):
    help = (
        "Invalidate every cached page and fragment, for every worker and app server (after "
        "changing rows directly in the database, which no signal reports)."
    )

    def handle(self, *args, **options):
        try:
            # Bumps `*`, which every stored page and every fragment's token depends on, and
            # drops the stored pages.
            get_store().clear()
        except StoreError as error:
            raise CommandError(f"The cache store could not be cleared: {error}") from error
        self.stdout.write("Page cache cleared.")
