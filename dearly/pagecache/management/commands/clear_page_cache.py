from django.core.management.base import BaseCommand, CommandError

from dearly.core import versions
from dearly.pagecache.store import StoreError, get_store


def every_version_key():
    """Every version token a cached fragment can be kept under: the site-wide ones, all bumped
    before, and each commented page's (which may never have been)."""
    from dearly.comments.models import Comment
    from dearly.core.models import ContentVersion

    keys = {versions.CONTENT, versions.COMMENTS, versions.PERMISSIONS}
    keys.update(ContentVersion.objects.values_list("key", flat=True))
    pages = Comment.objects.order_by().values_list("page_id", flat=True).distinct()
    keys.update(versions.page_comments(page_id) for page_id in pages)
    return keys


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
        # Fragments live in each worker's memory (or Redis): new tokens, and none is read again.
        versions.bump(*every_version_key())
        self.stdout.write("Page cache cleared.")
