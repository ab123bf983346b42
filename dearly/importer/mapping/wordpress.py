"""What only a WordPress import does (a part of WordPressImport): attachments (files with
--media-dir, and their old addresses), and comments with their threads, pingbacks and
moderation states."""

from urllib.parse import urlsplit

from wagtail.models import Page

from dearly.core.invalidation import COMMENTS, thread

from ..sources.wordpress import Attachment
from .comments import CommentWriter
from .links import old_path
from .state import Kind


class WordPressSteps:
    def _setup(self):
        super()._setup()
        self.comments = CommentWriter(
            self.table,
            self.report,
            skip_pings=self.options.skip_pings,
            users_by_wp_id=self.users_by_wp_id,
        )
        self.attachment_links = []
        self.commented_pages = set()

    def other(self, site, record):
        if isinstance(record, Attachment):
            return self.attachment(site, record)
        return super().other(site, record)

    def attachment(self, site, record):
        obj = self.media.file_for(site, record.url, record.title) if record.url else None
        known = self.table.get(site, Kind.ATTACHMENT, record.key)
        model = type(obj) if obj is not None else None
        self.table.record(site, Kind.ATTACHMENT, record.key, obj, old_url=record.url, model=model)
        bucket = self.report.created if known is None else self.report.unchanged
        bucket["attachments (original URLs recorded)"] += 1
        if record.comments:  # attachment pages are not imported, nor their comments
            self.report.skipped["comments on attachments"] += record.comments
        self.attachment_links.append((site, record, obj))

    # --- comments ----------------------------------------------------------------------

    def _needs_flush(self):
        return self.comments.queued > 20_000

    def _flush_more(self):
        self.comments.flush()

    def _page_keeps_comments(self, entry):
        return any(self.comments.would_keep(c) for c in entry.comments)

    def _written(self, site, entry, page, kind):
        if kind != "page":
            self.comments.add(site, page.pk, page.date, entry.comments)
            self.commented_pages.add(page.pk)
        elif entry.comments:
            self.report.skipped["comments on pages (left out: all were spam, trash or notes)"] += (
                len(entry.comments)
            )

    def _bump_cached_versions(self, *more):
        threads = (thread(pk) for pk in self.commented_pages)
        super()._bump_cached_versions(COMMENTS, *threads, *more)

    # --- old addresses of attachments --------------------------------------------------

    def _site_redirects(self):
        super()._site_redirects()
        for site, record, obj in self.attachment_links:
            target_url = obj.file.url if obj is not None else ""
            host = urlsplit(record.url).hostname
            on_old_site = host is None or host.removeprefix("www.") in self.scan_result.hosts
            if target_url:
                self.redirects.add(old_path(record.link), link=target_url)
                if on_old_site:
                    self.redirects.add(urlsplit(record.url).path, link=target_url)
                continue
            parent = record.parent and (
                self.table.object_id(site, Kind.POST, record.parent)
                or self.table.object_id(site, Kind.PAGE, record.parent)
            )
            page = Page.objects.filter(pk=parent).first() if parent else None
            if page is not None:
                # No file here: its page, its upload and ?attachment_id= lead to the post it
                # belonged to, never back to the old host.
                self.table.record(site, Kind.ATTACHMENT, record.key, page, old_url=record.url)
                self.redirects.add(old_path(record.link), page=page)
                if on_old_site:
                    self.redirects.add(urlsplit(record.url).path, page=page)
