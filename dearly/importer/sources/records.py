"""The neutral records every source yields, and the interface a source offers the mapping.

A source reads its export twice: `scan()` reads all of it and refuses a broken file
(`SourceError`) before anything is written; `records()` then yields, in order, a `Site`,
`Person`s and `Term`s, then `Entry`s and the rest (`Reader`, `Skipped`, `Notice`).
`convert(site, entry, resolve_link)` turns an entry's body, in the source's own format, into
body blocks (../content/)."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from ..content import Converted

PUBLIC, MEMBERS, PAID = "everyone", "members", "paid"  # Entry.audience


def at_line(path, line: int | None, text: str) -> str:
    """ "path:line: text", or "path: text" where there is no line: how messages name a place."""
    return f"{path}:{line}: {text}" if line else f"{path}: {text}"


class SourceError(Exception):
    """An export that cannot be imported: `str(e)` is "path:line: reason" (or "path: reason")."""

    def __init__(self, path, line: int | None, reason: str):
        self.path = str(path)
        self.line = line
        self.reason = reason
        super().__init__(at_line(self.path, line, reason))


@dataclass(frozen=True, slots=True)
class Site:
    """One exported site. `key` names it in the import table, so that two sites' post 12 never
    meet; the URL patterns say which old addresses redirect (`{slug}`, `{path}` for a topic's
    slugs from the top, `{login}`), under `prefix`."""

    key: str
    path: str  # the file, for messages
    title: str = ""
    hosts: frozenset[str] = frozenset()  # links to these hosts are links to the old site
    prefix: str = ""  # the old site's path ("/blog" for a blog in a folder), no trailing slash
    topic_urls: tuple[str, ...] = ()  # a pattern ending in "feed/" leads to the topic's feed
    tag_urls: tuple[str, ...] = ()
    author_urls: tuple[str, ...] = ()
    feed_urls: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Person:
    """An author. `login` is their key (a WordPress login, a Ghost slug)."""

    login: str
    email: str = ""
    display_name: str = ""
    first_name: str = ""
    last_name: str = ""
    source_id: int | str | None = None  # the id comments refer to them by


@dataclass(frozen=True, slots=True)
class Term:
    taxonomy: str  # "category" (a topic here), "post_tag" (a tag), anything else is skipped
    slug: str
    name: str
    parent_slug: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class Image:
    url: str
    alt: str = ""
    title: str = ""  # the caption or the file's title


@dataclass(frozen=True, slots=True)
class Entry:
    """A post or a page."""

    key: str  # the source's id for it
    kind: str  # "post" or "page"
    status: str  # "publish", "future" (scheduled), "draft", "pending", "private"
    title: str  # raw: may hold HTML and entities
    body: str  # raw, in the source's format: `convert()` reads it
    path: str  # the file, for messages
    line: int | None = None
    excerpt: str = ""  # HTML
    slug: str = ""
    date: datetime | None = None  # aware, UTC
    author: str = ""  # a Person's login
    parent: str = ""  # a page's parent page's key
    password: str | None = None  # None: the source has no post passwords (leave any alone)
    audience: str = PUBLIC  # PUBLIC, MEMBERS (readers with an account) or PAID (no one yet)
    audience_label: str = ""  # how the export said it, for the summary
    status_label: str = ""  # the same for a "private" status
    sticky: bool = False
    comments_open: bool = True
    featured_image: Image | None = None
    terms: tuple[tuple[str, str, str], ...] = ()  # (taxonomy, slug, name)
    old_url: str = ""  # where it was: recorded in the import table, redirected here
    old_slugs: tuple[str, ...] = ()  # slugs it had before: their addresses lead to it too
    seo_title: str = ""
    search_description: str = ""
    comments: tuple = ()  # WordPress's comments (wxr.Comment); other exports carry none
    fingerprint: str = ""  # a digest of the entry as exported; "" to let the mapping make one


@dataclass(frozen=True, slots=True)
class Reader:
    """A newsletter subscriber or member of the old site."""

    email: str  # as exported, not yet checked
    subscribed: bool  # False: they had stopped the emails (left out)
    since: datetime | None = None
    line: int | None = None
    path: str = ""


@dataclass(frozen=True, slots=True)
class Skipped:
    """Something the export holds that is not imported, counted in the summary. The comments
    it held are counted with it; `warning` ("FILE:LINE: … skipped: why") is for something
    that could not be read, and goes into the summary's warnings."""

    reason: str  # "nav_menu_item items"
    count: int = 1
    comments: int = 0
    warning: str = ""


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the summary should warn about."""

    message: str


@dataclass
class Scan:
    """What a source's first pass learned, for the mapping."""

    items: int = 0  # for the progress bar
    pages: set = field(default_factory=set)  # (site key, entry key) of importable pages
    hosts: set = field(default_factory=set)  # the old sites' hosts


class Source(Protocol):
    label: str  # "WordPress", "Ghost", "Substack"
    media_folder: str  # where uploads lived in old URLs ("/uploads/"), for --media-dir

    def scan(self) -> Scan: ...

    def records(self) -> Iterator[object]: ...

    def convert(
        self, site: str, entry: Entry, resolve_link: Callable[[str], str | None]
    ) -> Converted: ...
