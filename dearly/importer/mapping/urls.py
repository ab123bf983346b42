"""Old URLs of one import: redirects, and links in the text (a part of WordPressImport)."""

from urllib.parse import urlsplit

from django.contrib.auth import get_user_model

from wagtail.models import Page

from dearly.articles.models import LetterPage

from ..models import ImportedObject
from .links import LinkFixer, old_path, query_target, site_relative
from .state import Kind


class OldUrls:
    def _resolve_now(self, url):
        """The new URL of a link to something imported already (else it is fixed at the end)."""
        parts = urlsplit(url)
        page_id = None
        query = query_target(parts.query)
        if query and parts.path in ("", "/"):
            kinds, wp_id = query
            for kind in set(kinds) & {Kind.POST, Kind.PAGE}:
                page_id = page_id or self.table.object_id(self.current_source, kind, wp_id)
        elif parts.path and not query:
            page_id = self.redirects.target(parts.path)[0]
        if not page_id:
            return None
        url_path = self.url_paths.get(page_id) or (
            Page.objects.filter(pk=page_id).values_list("url_path", flat=True).first()
        )
        return site_relative(url_path) if url_path else None

    def _page_redirects(self, item, page):
        path = old_path(item.link)
        self.redirects.add(path, page=page)
        if path:
            head = path.rstrip("/").rsplit("/", 1)[0]
            for slug in item.meta_values("_wp_old_slug"):
                if slug.strip():
                    self.redirects.add(f"{head}/{slug.strip()}/", page=page)

    def _site_redirects(self):
        for source, channel in self.channels.items():
            prefix = urlsplit(channel.base_blog_url or channel.link).path.rstrip("/")
            for (topic_source, slug), topic in self.topics.items():
                if topic_source != source:
                    continue
                url = topic.get_absolute_url()
                for path in {
                    f"{prefix}/category/{slug}/",
                    self._category_path(prefix, source, slug),
                }:
                    self.redirects.add(path, link=url)
                    self.redirects.add(f"{path}feed/", link=f"{url}feed/")
            for (tag_source, slug), tag in self.tags.items():
                if tag_source == source:
                    url = f"/tags/{tag.slug}/"
                    self.redirects.add(f"{prefix}/tag/{slug}/", link=url)
                    self.redirects.add(f"{prefix}/tag/{slug}/feed/", link=url)
            for (user_source, login), user_id in self.users.items():
                if user_source == source:
                    username = get_user_model().objects.get(pk=user_id).username
                    self.redirects.add(f"{prefix}/author/{login}/", link=f"/authors/{username}/")
            for feed in ("feed/", "feed/rss/", "feed/rss2/", "feed/atom/", "comments/feed/"):
                self.redirects.add(f"{prefix}/{feed}", link="/feed/")
        for source, item, obj, url in self.attachment_links:
            target_url = obj.file.url if obj is not None else ""
            host = urlsplit(url).hostname
            on_old_site = host is None or host.removeprefix("www.") in self.scan_result.hosts
            if target_url:
                self.redirects.add(old_path(item.link), link=target_url)
                if on_old_site:
                    self.redirects.add(urlsplit(url).path, link=target_url)
                continue
            parent = item.parent_id and (
                self.table.object_id(source, Kind.POST, item.parent_id)
                or self.table.object_id(source, Kind.PAGE, item.parent_id)
            )
            page = Page.objects.filter(pk=parent).first() if parent else None
            if page is not None:
                # No file here: its page, its upload and ?attachment_id= lead to the post it
                # belonged to, never back to the old host.
                self.table.record(source, Kind.ATTACHMENT, item.wp_id, page, old_url=url)
                self.redirects.add(old_path(item.link), page=page)
                if on_old_site:
                    self.redirects.add(urlsplit(url).path, page=page)

    def _report_unredirected(self):
        for path in self.redirects.too_long:
            self.report.warn(f"{path}: too long for a redirect (255 characters at most)")
        for path, keeper, page in self.redirects.taken:
            shown = path if "." in path.rsplit("/", 1)[-1] else f"{path}/"
            self.report.not_redirected.append(
                f"{shown}: {keeper} keeps it; the imported “{page.title}” is at "
                f"{site_relative(page.url_path)}"
            )

    def _fix_links(self):
        fixer = LinkFixer(self.redirects, ImportedObject.objects.new_home)
        for page in Page.objects.filter(pk__in=self.to_fix).specific():
            if isinstance(page, LetterPage):
                page.question, page.answer = fixer.fix(page.question), fixer.fix(page.answer)
            else:
                raw = page.body.raw_data
                for block in raw:
                    if block["type"] == "paragraph":
                        block["value"] = fixer.fix(block["value"])
                page.body = raw
            page.save(clean=False)
