"""Old WordPress URLs: 301 redirects to their new homes, and links inside imported text.

Path URLs become Wagtail redirects (wagtail.contrib.redirects answers them when nothing else
does). Links in imported bodies are marked while converting, since they may point at posts
later in the export, and rewritten once everything exists (`LinkFixer`)."""

import re
from urllib.parse import parse_qs, quote, unquote, urlsplit

from django.urls import Resolver404, resolve
from django.utils.html import escape

from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page

from ..models import ImportedObject

MARKER = "/__wordpress-link__/"
MARKED_HREF = re.compile(r'href="' + re.escape(MARKER) + r'([^"]*)"')
QUERY_KINDS = {"p": ("post", "page", "attachment"), "page_id": ("page",)}
QUERY_KINDS["attachment_id"] = ("attachment",)
MAX_WP_ID = 2**63 - 1
OLD_PATH_MAX = Redirect._meta.get_field("old_path").max_length


def wp_id_from(value):
    """A WordPress id from a query value, or None for anything hostile ("abc", "-1", 10**40)."""
    value = (value or "").strip()
    if not value.isascii() or not value.isdigit() or len(value) > 19:
        return None
    number = int(value)
    return number if 0 < number <= MAX_WP_ID else None


def query_target(query):
    """("post"|…, id) for "?p=12", "?page_id=3", "?attachment_id=9", else None."""
    params = parse_qs(query)
    for name, kinds in QUERY_KINDS.items():
        if name in params:
            wp_id = wp_id_from(params[name][0])
            return (kinds, wp_id) if wp_id else None
    return None


def old_path(url):
    """The path part of an old URL, with the trailing slash WordPress gives it, or ""."""
    parts = urlsplit(url.strip())
    if parts.query and parts.path in ("", "/"):
        return ""  # ?p=12 and friends are answered by the hook, not by redirects
    return single_slashes(parts.path or "")


def single_slashes(path):
    """ "/2012/01/post/" for "//2012/01/post/": a WordPress address saved with a trailing
    slash writes such links, and Redirect.normalise_path would read "//2012" as a host."""
    return re.sub(r"/{2,}", "/", path)


def normal_path(path):
    return Redirect.normalise_path(single_slashes(path))


class RedirectBook:
    """Every old path this import answers, loaded once and written in bulk.

    An old path that a page of the site (`home` and below) or one of its own views already
    answers stays theirs: a Wagtail redirect only answers a 404, so it would never be followed
    there. It is not written, and `taken` lists the imported pages it would have led to."""

    def __init__(self, home=None):
        self.home = home
        self.taken = []  # (old path, who keeps it, the imported page now elsewhere)
        self.existing = dict(
            Redirect.objects.filter(site=None).values_list("old_path", "redirect_page_id")
        )
        self.existing_links = dict(
            Redirect.objects.filter(site=None, redirect_page=None).values_list(
                "old_path", "redirect_link"
            )
        )
        self.pending = {}
        self.in_place = {}
        self.too_long = []
        self.created = 0

    def add(self, path, *, page=None, link=""):
        if not path:
            return
        normal = normal_path(path)
        if normal in self.existing or normal in self.pending or normal == "/":
            return
        if len(normal) > OLD_PATH_MAX or len(link) > OLD_PATH_MAX:
            self.too_long.append(path)  # Wagtail's redirect fields hold 255 characters
            return
        if page is not None:
            target = page.url_path
            if target and normal == Redirect.normalise_path(site_relative(target)):
                self.in_place[normal] = page.pk  # the page answers at its old address itself
                return
            self.pending[normal] = Redirect(
                old_path=normal, site=None, redirect_page=page, is_permanent=True
            )
        elif link and Redirect.normalise_path(link) != normal:
            self.pending[normal] = Redirect(
                old_path=normal, site=None, redirect_link=link, is_permanent=True
            )

    def target(self, path):
        """(page id, link) an old path leads to, from this run or before."""
        path = single_slashes(path)
        normal = Redirect.normalise_path(path)
        if normal in self.in_place:
            return self.in_place[normal], ""
        if normal in self.pending:
            redirect = self.pending[normal]
            return redirect.redirect_page_id, redirect.redirect_link
        if normal in self.existing:
            return self.existing[normal], self.existing_links.get(normal, "")
        # A page from an earlier run, still at its old path.
        for old_url, object_id in ImportedObject.objects.filter(
            kind__in=["post", "page"], old_url__endswith=path, object_id__isnull=False
        ).values_list("old_url", "object_id")[:5]:
            if Redirect.normalise_path(old_path(old_url)) == normal:
                return object_id, ""
        return None, ""

    def flush(self):
        if not self.pending:
            return
        self._leave_answered_paths()
        Redirect.objects.bulk_create(self.pending.values(), batch_size=1000)
        for normal, redirect in self.pending.items():
            self.existing[normal] = redirect.redirect_page_id
            if redirect.redirect_page_id is None:
                self.existing_links[normal] = redirect.redirect_link
        self.created += len(self.pending)
        self.pending = {}

    def _leave_answered_paths(self):
        keepers = {normal: "a page of this site" for normal in self.pending if _site_view(normal)}
        if self.home is not None:
            root = self.home.url_path
            wanted = {f"{root}{normal[1:]}/": normal for normal in self.pending}
            paths = list(wanted)
            for start in range(0, len(paths), 500):
                chunk = paths[start : start + 500]
                slugs = {path.rstrip("/").rsplit("/", 1)[-1] for path in chunk}  # indexed
                pages = Page.objects.filter(slug__in=slugs, url_path__in=chunk)
                for url_path, pk, title in pages.values_list("url_path", "pk", "title"):
                    normal = wanted[url_path]
                    if self.pending[normal].redirect_page_id != pk:
                        keepers[normal] = f"the page “{title}”"
        for normal, keeper in keepers.items():
            redirect = self.pending.pop(normal)
            if redirect.redirect_page_id is not None:
                self.taken.append((normal, keeper, redirect.redirect_page))


def _site_view(normal):
    """Whether one of the site's own views (not a page) answers this path whatever it holds."""
    try:
        match = resolve(normal.rstrip("/") + "/")
    except Resolver404:
        return False
    return match.url_name != "wagtail_serve" and not match.args and not match.kwargs


def site_relative(url_path):
    """Wagtail's url_path ("/home/guides/x/") without the site root's own segment."""
    parts = url_path.split("/", 2)
    return "/" + parts[2] if len(parts) > 2 else "/"


class LinkMarker:
    """The resolve_link given to the converter: links to the old site become markers."""

    def __init__(self, hosts, resolve_now=None):
        self.hosts = hosts
        self.resolve_now = resolve_now  # the new URL when the target is already imported
        self.seen = False

    def __call__(self, url):
        parts = urlsplit(url.strip())
        if parts.scheme not in ("", "http", "https"):
            return None
        host = (parts.hostname or "").lower().removeprefix("www.")
        if host and host not in self.hosts:
            return None
        if not host and not parts.path.startswith("/"):
            return None  # relative links and #anchors stay as they are
        if self.resolve_now is not None:
            new_url = self.resolve_now(url.strip())
            if new_url:
                return new_url
        self.seen = True
        return MARKER + quote(url.strip(), safe="")


class LinkFixer:
    """Rewrites markers to Wagtail page links (which follow the page if it moves) or URLs."""

    def __init__(self, redirects, find_by_query):
        self.redirects = redirects
        self.find_by_query = find_by_query

    def fix(self, html):
        if MARKER not in html:
            return html
        return MARKED_HREF.sub(self._replace, html)

    def _replace(self, match):
        original = unquote(match.group(1).replace("&amp;", "&"))
        parts = urlsplit(original)
        page_id, link = None, ""
        query = query_target(parts.query)
        if query and parts.path in ("", "/"):
            page_id, link = self.find_by_query(*query)
        elif parts.path:
            page_id, link = self.redirects.target(parts.path)
        if page_id:
            return f'linktype="page" id="{page_id}"'
        return f'href="{escape(link or original)}"'
