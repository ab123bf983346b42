"""A WordPress export (WXR files, read by ../wxr.py) as neutral records. No database code.

What only WordPress has stays here or in ../mapping/wordpress.py: its bodies' automatic
paragraphs and shortcodes (content.convert), attachments (the `Attachment` record, and the
featured images and galleries that point at them), comments with pingbacks, and `?p=` ids.
What the reader skipped or read anyway (wxr.Skipped, wxr.Notice) goes on as a `Skipped` with
its warning, or a `Notice`."""

import dataclasses
import hashlib
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from dearly.core.ids import parse_id

from .. import content, wxr
from ..content import Block
from .records import Entry, Image, Notice, Person, Scan, Site, Skipped, Term

SKIPPED_STATUSES = {"trash", "auto-draft", "inherit"}
TOPIC_URLS = ("category/{slug}/", "category/{path}/", "category/{slug}/feed/")
TOPIC_URLS += ("category/{path}/feed/",)
FEED_URLS = ("feed/", "feed/rss/", "feed/rss2/", "feed/atom/", "comments/feed/")


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file of the WordPress site (mapping/wordpress.py imports it with --media-dir)."""

    key: str
    url: str
    title: str
    link: str  # its attachment page
    parent: str  # the post it belongs to, "" when none
    comments: int = 0  # on its attachment page: not imported, counted


def site_key(channel):
    """A WordPress site's name in the import table: its blog URL without scheme or slash."""
    url = channel.base_blog_url or channel.base_site_url or channel.link or channel.path
    parts = urlsplit(url if "//" in url else f"//{url}")
    host = (parts.hostname or "").lower()
    return (host + parts.path.rstrip("/"))[:200] or str(channel.path)[:200]


def fingerprint(item, options):
    """A digest of the item as exported: an item unchanged since the last run is skipped."""
    plain = dataclasses.replace(item, path="", line=0)
    extra = (options.letter_pattern, bool(options.media_dir), options.skip_pings)
    return hashlib.sha1(repr((plain, extra)).encode(), usedforsecurity=False).hexdigest()


def _host(url):
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


class WordPressExport:
    """One or several WXR files of one or several sites."""

    label = "WordPress"
    media_folder = "/uploads/"

    def __init__(self, paths, options):
        self.paths = [str(path) for path in paths]
        self.options = options
        self.attachments = {}  # (site, attachment id) -> Image
        self.attached = {}  # (site, post id) -> [attachment ids]

    def scan(self):
        """Parse everything (WXRError on the first problem) and note the attachments."""
        scan = Scan()
        for path in self.paths:
            site = None
            for thing in wxr.iter_wxr(path):
                if isinstance(thing, wxr.Channel):
                    site = site_key(thing)
                    scan.hosts |= {_host(url) for url in _channel_urls(thing)} - {""}
                elif isinstance(thing, wxr.Skipped):
                    scan.items += 1  # its Skipped record
                elif isinstance(thing, wxr.Item):
                    scan.items += 1
                    if thing.post_type == "attachment":
                        alt = next(iter(thing.meta_values("_wp_attachment_image_alt")), "")
                        url = thing.attachment_url or thing.guid
                        image = Image(url, alt, content.plain_title(thing.title))
                        self.attachments[(site, thing.wp_id)] = image
                        if thing.parent_id:
                            key = (site, thing.parent_id)
                            self.attached.setdefault(key, []).append(thing.wp_id)
                    elif thing.post_type == "page" and thing.status not in SKIPPED_STATUSES:
                        scan.pages.add((site, str(thing.wp_id)))
        return scan

    def records(self):
        for path in self.paths:
            site = None
            for thing in wxr.iter_wxr(path):
                if isinstance(thing, wxr.Channel):
                    site = site_key(thing)
                    yield _site(site, thing)
                elif isinstance(thing, wxr.Author):
                    yield Person(
                        login=thing.login,
                        email=thing.email,
                        display_name=thing.display_name,
                        first_name=thing.first_name,
                        last_name=thing.last_name,
                        source_id=thing.wp_id,
                    )
                elif isinstance(thing, wxr.Term):
                    yield Term(
                        thing.taxonomy, thing.slug, thing.name, thing.parent_slug, thing.description
                    )
                elif isinstance(thing, wxr.Item):
                    yield self._item(site, thing)
                elif isinstance(thing, wxr.Skipped):
                    reason = f"{thing.what}s that could not be read"
                    yield Skipped(reason, comments=thing.comments, warning=str(thing))
                elif isinstance(thing, wxr.Notice):
                    yield Notice(str(thing))

    def _item(self, site, item):
        post_type = item.post_type
        if post_type == "attachment":
            url = item.attachment_url or item.guid
            title = self.attachments.get((site, item.wp_id), Image("")).title
            parent = str(item.parent_id) if item.parent_id else ""
            comments = len(item.comments)
            return Attachment(str(item.wp_id), url, title, item.link, parent, comments)
        if post_type not in ("post", "page"):
            return Skipped(f"{post_type or 'untyped'} items", comments=len(item.comments))
        if item.status in SKIPPED_STATUSES:
            reason = f"{post_type}s with status {item.status}"
            return Skipped(reason, comments=len(item.comments))
        return Entry(
            key=str(item.wp_id),
            kind=post_type,
            status=item.status,
            title=item.title,
            body=item.content,
            path=item.path,
            line=item.line,
            excerpt=item.excerpt,
            slug=unquote(item.slug),
            date=item.date_gmt,
            author=item.author_login,
            parent=str(item.parent_id) if item.parent_id else "",
            password=item.password,
            sticky=item.is_sticky,
            comments_open=item.comment_status == "open",
            featured_image=self._featured_image(site, item),
            terms=item.terms,
            old_url=item.link,
            old_slugs=tuple(s.strip() for s in item.meta_values("_wp_old_slug") if s.strip()),
            comments=item.comments,
            fingerprint=fingerprint(item, self.options),
        )

    def _featured_image(self, site, item):
        for value in item.meta_values("_thumbnail_id"):
            # "²" passes isdigit() and 5,000 digits pass int() checks: one parser for ids.
            if (wp_id := parse_id(value.strip())) is not None:
                image = self.attachments.get((site, wp_id))
                if image is not None and image.url:
                    return image
        return None

    def convert(self, site, entry, resolve_link):
        """WordPress's automatic paragraphs and shortcodes; a gallery's attachments found."""
        converted = content.convert(entry.body, resolve_link=resolve_link)
        if not any(block.kind == "gallery" for block in converted.blocks):
            return converted
        blocks = []
        for block in converted.blocks:
            if block.kind == "gallery":
                ids = block.value.get("attachment_ids") or sorted(
                    self.attached.get((site, int(entry.key)), [])
                )
                images = [self.attachments.get((site, n)) for n in ids]
                block = Block("gallery", {"images": [i for i in images if i and i.url]})
            blocks.append(block)
        return dataclasses.replace(converted, blocks=tuple(blocks))


def _channel_urls(channel):
    return (channel.base_site_url, channel.base_blog_url, channel.link)


def _site(key, channel):
    return Site(
        key=key,
        path=channel.path,
        title=channel.title,
        hosts=frozenset(_host(url) for url in _channel_urls(channel)) - {""},
        prefix=urlsplit(channel.base_blog_url or channel.link).path.rstrip("/"),
        topic_urls=TOPIC_URLS,
        tag_urls=("tag/{slug}/", "tag/{slug}/feed/"),
        author_urls=("author/{login}/",),
        feed_urls=FEED_URLS,
    )
