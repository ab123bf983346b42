"""Old URLs of one import: redirects, and links in the text (a part of Import)."""

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

    def _page_redirects(self, entry, page):
        path = old_path(entry.old_url)
        self.redirects.add(path, page=page)
        if path:
            head = path.rstrip("/").rsplit("/", 1)[0]
            for slug in entry.old_slugs:
                self.redirects.add(f"{head}/{slug}/", page=page)

    def _site_redirects(self):
        """Each site's topic, tag, author and feed addresses, by the patterns it gives."""
        for key, site in self.sites.items():
            prefix = site.prefix
            for (topic_site, slug), topic in self.topics.items():
                if topic_site != key:
                    continue
                url = topic.get_absolute_url()
                path = self._category_path(key, slug)
                for pattern in site.topic_urls:
                    feed = "feed/" if pattern.endswith("feed/") else ""
                    old = pattern.format(slug=slug, path=path)
                    self.redirects.add(f"{prefix}/{old}", link=url + feed)
            for (tag_site, slug), tag in self.tags.items():
                if tag_site == key:
                    for pattern in site.tag_urls:
                        self.redirects.add(f"{prefix}/{pattern.format(slug=slug)}",
                                           link=f"/tags/{tag.slug}/")  # fmt: skip
            for (user_site, login), user_id in self.users.items():
                if user_site == key and site.author_urls:
                    username = get_user_model().objects.get(pk=user_id).username
                    for pattern in site.author_urls:
                        self.redirects.add(f"{prefix}/{pattern.format(login=login)}",
                                           link=f"/authors/{username}/")  # fmt: skip
            for feed in site.feed_urls:
                self.redirects.add(f"{prefix}/{feed}", link="/feed/")

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
