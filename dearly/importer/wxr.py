"""Streaming reader for WordPress eXtended RSS (WXR 1.0, 1.1, 1.2) exports.

No database code: `iter_wxr(path)` yields a `Channel`, then `Author`s, `Term`s and `Item`s in
file order. Elements are cleared as soon as they are read, so memory stays flat on a 500 MB
export. Entity declarations (billion laughs, external entities) are refused by defusedxml;
broken XML, a refused file or a file that is not a WordPress export raises `WXRError` with
the file and line. Values are as exported (titles and bodies raw), except that WXR 1.0's "tag"
taxonomy is called "post_tag" as in later versions.

Tolerant where WordPress's own importer is: an item, author, term or comment that cannot be
read is yielded as `Skipped` (with its line and why) and the rest of the file is read; an
undeclared prefix that exports are known to use, or an odd `wp:wxr_version`, is read anyway
and told as a `Notice`.
"""

import functools
import re
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree.ElementTree import ParseError, TreeBuilder

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser, iterparse

from .sources.records import SourceError, at_line
from .wxr_source import USUAL_NAMESPACES, ExportSource, undeclared_prefix

__all__ = ["Author", "Channel", "Comment", "Item", "Notice", "Skipped", "Term", "WXRError"]
__all__ += ["iter_wxr"]

# Hosts write the wp: namespace as http or https and with any version (1.0/, 1.1/, 1.2/).
WP_NAMESPACE_PREFIXES = ("http://wordpress.org/export/", "https://wordpress.org/export/")
CONTENT_NAMESPACE = USUAL_NAMESPACES["content"]
DC_NAMESPACE = USUAL_NAMESPACES["dc"]
NEWEST_WXR = (1, 2)


class WXRError(SourceError):
    """A file that cannot be imported: `str(e)` is "path:line: reason"."""


@dataclass(frozen=True, slots=True)
class Notice:
    """Something read anyway that the site operator should know: `str()` is "path:line: …"."""

    path: str
    line: int | None
    message: str

    def __str__(self):
        return at_line(self.path, self.line, self.message)


@dataclass(frozen=True, slots=True)
class Skipped:
    """An item, author, term or comment that could not be read, left out of the import."""

    what: str  # "item", "author", "term" or "comment"
    path: str
    line: int | None  # where the item (or the item holding the comment) starts
    reason: str
    comments: int = 0  # the <wp:comment>s of a skipped item, left out with it

    def __str__(self):
        n = self.comments
        left_out = {0: "", 1: " (and its comment)"}.get(n, f" (and its {n} comments)")
        return at_line(
            self.path, self.line, f"{_LABELS[self.what]}{left_out} skipped: {self.reason}"
        )


_LABELS = {"item": "this <item>", "author": "this <wp:author>", "term": "this term"}
_LABELS["comment"] = "a <wp:comment> of this <item>"


class _Unreadable(Exception):
    """Raised while building one thing; the reader skips that thing and reads on."""


@dataclass(frozen=True, slots=True)
class Channel:
    title: str
    link: str
    base_site_url: str
    base_blog_url: str
    wxr_version: str
    language: str
    path: str


@dataclass(frozen=True, slots=True)
class Author:
    wp_id: int | None
    login: str
    email: str
    display_name: str
    first_name: str
    last_name: str


@dataclass(frozen=True, slots=True)
class Term:
    taxonomy: str  # "category", "post_tag", "nav_menu", "post_format", ...
    slug: str
    name: str
    parent_slug: str  # "" when none
    description: str
    wp_id: int | None


@dataclass(frozen=True, slots=True)
class Comment:
    wp_id: int
    author_name: str
    author_email: str
    author_url: str
    author_ip: str
    date_gmt: datetime | None  # aware UTC; None for 0000-00-00
    content: str  # raw, as in the export
    approved: str  # "1", "0", "spam", "trash", "post-trashed", ...
    type: str  # "" or "comment", "pingback", "trackback", "note", ...
    parent_id: int  # 0 when top level
    user_id: int  # 0 when not a registered user


@dataclass(frozen=True, slots=True)
class Item:
    wp_id: int
    post_type: str
    status: str
    title: str  # raw; may contain HTML and entities
    link: str
    guid: str
    slug: str  # wp:post_name, may be ""
    date_gmt: datetime | None  # aware UTC; wp:post_date as UTC when the GMT date is 0000-00-00
    author_login: str
    content: str  # raw content:encoded
    excerpt: str  # raw excerpt:encoded
    parent_id: int
    menu_order: int
    password: str
    is_sticky: bool
    comment_status: str  # "open" / "closed"
    attachment_url: str  # "" if none
    terms: tuple[tuple[str, str, str], ...]  # (taxonomy, slug, name); WXR 1.0 "tag" -> "post_tag"
    meta: tuple[tuple[str, str], ...]  # (meta_key, meta_value) in file order
    comments: tuple[Comment, ...]
    path: str
    line: int  # where the <item> starts

    def meta_values(self, key: str) -> list[str]:
        return [value for meta_key, value in self.meta if meta_key == key]


def iter_wxr(path) -> Iterator[Channel | Author | Term | Item | Skipped | Notice]:
    """Yield the channel, then authors, terms and items of one WXR file, in file order, with
    what could not be read (`Skipped`) and what was read anyway (`Notice`) among them."""
    try:
        source = open(path, "rb")  # noqa: SIM115 (closed below; the generator owns it)
    except OSError as error:
        raise WXRError(path, None, f"cannot read the file ({error.strerror})") from None
    with source:
        yield from _Reader(str(path)).read(source)


class _LineTreeBuilder(TreeBuilder):
    """Notes the line of every element down to the channel's children, for messages."""

    def __init__(self):
        super().__init__()
        self.expat = None
        self.source = None
        self.depth = 0
        self.start_lines = deque()

    def start(self, tag, attrs):
        if self.depth <= 2:
            self.start_lines.append(self.expat.CurrentLineNumber + self.source.skipped_lines)
        self.depth += 1
        return super().start(tag, attrs)

    def end(self, tag):
        self.depth -= 1
        return super().end(tag)


# Bounded: a hostile file could invent endless tag names.
_names_cache = functools.lru_cache(maxsize=10_000)


@_names_cache
def _short(tag: str) -> str:
    """Map "{http://wordpress.org/export/1.2/}post_id" to "wp:post_id", whatever the version."""
    name = tag
    if tag.startswith("{"):
        uri, local = tag[1:].split("}", 1)
        if _is_wp_namespace(uri):
            name = f"wp:{local}"
        elif uri.startswith(WP_NAMESPACE_PREFIXES):
            name = f"excerpt:{local}"
        elif uri == CONTENT_NAMESPACE:
            name = f"content:{local}"
        elif uri == DC_NAMESPACE:
            name = f"dc:{local}"
    return name


def _is_wp_namespace(uri: str) -> bool:
    # The excerpt namespace shares the prefix: http://wordpress.org/export/1.2/excerpt/
    return uri.startswith(WP_NAMESPACE_PREFIXES) and not uri.rstrip("/").endswith("/excerpt")


def _fields(elem) -> dict[str, str]:
    return {_short(child.tag): child.text or "" for child in elem}


def _date(value: str) -> datetime | None:
    value = value.strip()
    if not value or value.startswith("0000-00-00"):
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError:
        return None


_CHANNEL_FIELDS = {"title", "link", "language", "wp:wxr_version", "wp:base_site_url"}
_CHANNEL_FIELDS |= {"wp:base_blog_url"}
_TERM_TAGS = {"wp:category", "wp:tag", "wp:term"}


class _Reader:
    def __init__(self, path: str):
        self.path = path
        self.channel_fields: dict[str, str] = {}
        self.channel_sent = False
        self.wp_namespace = ""
        self.line = None
        self.root_line = None
        self.version_line = None
        self.notices: list[Notice | Skipped] = []  # told with the next thing yielded
        self.scopes: list[str | None] = []  # the namespace of each open xmlns declaration
        self.declared: Counter = Counter()  # namespaces the file declares in scope, below <rss>

    def read(self, source):
        builder = _LineTreeBuilder()
        parser = DefusedXMLParser(target=builder)
        builder.expat = parser.parser
        source = self.source = builder.source = ExportSource(source)
        events = iterparse(source, events=("start", "end", "start-ns", "end-ns"), parser=parser)
        depth = 0
        channel = top = None
        lines = builder.start_lines
        for event, elem in self._guard(events, parser):
            if event == "start":
                depth += 1
                if depth <= 2:
                    self.line = lines.popleft()
                if depth == 1:
                    self.root_line = self.line
                    if elem.tag != "rss":
                        raise self.error(
                            f"not a WordPress export: the root element is <{_local(elem.tag)}>, "
                            "expected <rss>"
                        )
                elif depth == 2:
                    top = elem
                    if elem.tag == "channel" and channel is None:
                        channel = elem
                elif depth == 3:
                    self.line = lines.popleft()
                    if not self.wp_namespace:
                        raise self.not_wxr()
                borrowed = source.borrowed
                if borrowed and (elem.attrib or _namespace(elem.tag) in borrowed):
                    self.note_undeclared(elem, borrowed)
            elif event == "end":
                depth -= 1
                if depth == 2 and top is channel:
                    yield from self.channel_child(elem)
                    elem.clear()
                    channel.remove(elem)
                elif depth == 2:
                    top.remove(elem)  # outside the channel: nothing to read, nothing to keep
                elif depth == 1 and elem is channel:
                    if not self.wp_namespace:
                        raise self.not_wxr()
                    if not self.channel_sent:
                        yield self.make_channel()
            elif event == "start-ns":  # elem is (prefix, uri)
                uri = elem[1]
                if _is_wp_namespace(uri):
                    self.wp_namespace = uri
                # Those on <rss> are known (ExportSource declares only what it lacks).
                self.scopes.append(uri if depth else None)
                self.declared[uri] += bool(depth)
            else:  # end-ns
                uri = self.scopes.pop()
                if uri is not None:
                    self.declared[uri] -= 1
            if self.notices:
                yield from self.told()
        if channel is None:
            self.line = None
            raise self.error("not a WordPress export: there is no <channel> inside <rss>")

    def note_undeclared(self, elem, borrowed):
        """Tell once per prefix where the file first uses one that ExportSource declared."""
        for name in (elem.tag, *elem.attrib):
            uri = _namespace(name)
            if uri in borrowed and not self.declared[uri]:
                prefix = borrowed.pop(uri)
                self.notices.append(
                    Notice(
                        self.path,
                        self.line,
                        f"the prefix {prefix}: is used without an xmlns:{prefix} declaration "
                        f"(WordPress.com exports do this); read as {uri}",
                    )
                )

    def told(self):
        """The notices gathered so far, once the channel they belong to has been yielded."""
        if self.channel_sent:
            notices, self.notices = self.notices, []
            yield from notices

    def _guard(self, events, parser):
        """Turn parser failures into WXRError with the line where they happened."""
        while True:
            try:
                event = next(events)
            except StopIteration:
                return
            except ParseError as error:
                reason = str(error).split(": line ", 1)[0]
                line, column = self.source.position(*error.position)
                if reason == "unbound prefix":
                    prefix = undeclared_prefix(self.path, line, column, self.source.added)
                    if prefix:
                        reason += f" (the prefix {prefix}: has no xmlns:{prefix} declaration)"
                reason = f"broken XML (column {column}): {reason}"
                raise WXRError(self.path, line, reason) from None
            except EntitiesForbidden as error:
                line = parser.parser.CurrentLineNumber + self.source.skipped_lines
                if error.sysid:
                    reason = (
                        f"refused: the file declares the external entity '{error.name}' "
                        f"pointing at {error.sysid}; a WordPress export never does, and "
                        "reading it could leak local files"
                    )
                else:
                    reason = (
                        f"refused: the file declares the entity '{error.name}'; a WordPress "
                        "export never does, and entity expansion can exhaust memory "
                        "(billion laughs)"
                    )
                raise WXRError(self.path, line, reason) from None
            except (ExternalReferenceForbidden, DTDForbidden) as error:
                line = parser.parser.CurrentLineNumber + self.source.skipped_lines
                reason = f"refused: the file refers to an external resource ({error.sysid})"
                raise WXRError(self.path, line, reason) from None
            yield event

    def error(self, reason: str) -> WXRError:
        return WXRError(self.path, self.line, reason)

    def not_wxr(self) -> WXRError:
        return WXRError(
            self.path,
            self.root_line,
            "not a WordPress export: no http://wordpress.org/export/ namespace (an RSS feed "
            "is not an export; use Tools → Export in WordPress)",
        )

    def channel_child(self, elem):
        tag = _short(elem.tag)
        if tag in _CHANNEL_FIELDS:
            self.channel_fields[tag] = (elem.text or "").strip()
            if tag == "wp:wxr_version":
                self.version_line = self.line
            return
        if tag == "item":
            what, make = "item", self.make_item
        elif tag == "wp:author":
            what, make = "author", self.make_author
        elif tag in _TERM_TAGS:
            what, make = "term", lambda elem: self.make_term(tag, elem)
        else:
            return
        try:
            thing = make(elem)
        except _Unreadable as problem:
            comments = sum(1 for child in elem if _is_comment(child.tag))
            thing = Skipped(what, self.path, self.line, str(problem), comments)
        if not self.channel_sent:
            yield self.make_channel()
        yield from self.told()
        yield thing

    def make_channel(self) -> Channel:
        self.channel_sent = True
        fields = self.channel_fields
        version = fields.get("wp:wxr_version", "")
        # WXR 1.0 files from old WordPress omit wp:wxr_version; the namespace says it.
        from_namespace = self.wp_namespace.rstrip("/").rsplit("/", 1)[-1]
        if version and not _VERSION.fullmatch(version):
            self.notices.append(
                Notice(
                    self.path,
                    self.version_line,
                    f"<wp:wxr_version> is {version[:40]!r}, not a version number such as 1.2; "
                    f"read as WXR {from_namespace} (WordPress's importer refuses such a file)",
                )
            )
            version = from_namespace
        elif version and tuple(map(int, version.split("."))) > NEWEST_WXR:
            self.notices.append(
                Notice(
                    self.path,
                    self.version_line,
                    f"WXR {version} is newer than 1.2, the newest this importer knows; read as "
                    "1.2 (anything new in it is left out)",
                )
            )
        return Channel(
            title=fields.get("title", ""),
            link=fields.get("link", ""),
            base_site_url=fields.get("wp:base_site_url", ""),
            base_blog_url=fields.get("wp:base_blog_url", ""),
            wxr_version=version or from_namespace,
            language=fields.get("language", ""),
            path=self.path,
        )

    def number(self, fields: dict[str, str], key: str, default: int | None = 0) -> int | None:
        value = fields.get(key, "").strip()
        if not value:
            return default
        try:
            return int(value)
        except ValueError:
            raise _Unreadable(f"<{key}> should be a whole number, not {value[:40]!r}") from None

    def make_author(self, elem) -> Author:
        f = _fields(elem)
        login = f.get("wp:author_login", "").strip()
        if not login:
            raise _Unreadable(_missing(f, "wp:author_login"))
        return Author(
            wp_id=self.number(f, "wp:author_id", None),
            login=login,
            email=f.get("wp:author_email", "").strip(),
            display_name=f.get("wp:author_display_name", "").strip(),
            first_name=f.get("wp:author_first_name", "").strip(),
            last_name=f.get("wp:author_last_name", "").strip(),
        )

    def make_term(self, tag: str, elem) -> Term:
        f = _fields(elem)
        if tag == "wp:category":
            taxonomy, slug, name = "category", "wp:category_nicename", "wp:cat_name"
            parent, description = "wp:category_parent", "wp:category_description"
        elif tag == "wp:tag":
            taxonomy, slug, name = "post_tag", "wp:tag_slug", "wp:tag_name"
            parent, description = "", "wp:tag_description"
        else:
            taxonomy = _taxonomy(f.get("wp:term_taxonomy", ""))
            slug, name = "wp:term_slug", "wp:term_name"
            parent, description = "wp:term_parent", "wp:term_description"
        return Term(
            taxonomy=taxonomy,
            slug=f.get(slug, "").strip(),
            name=f.get(name, "").strip(),
            parent_slug=f.get(parent, "").strip(),
            description=f.get(description, "").strip(),
            wp_id=self.number(f, "wp:term_id", None),
        )

    def make_item(self, elem) -> Item:
        f = {}
        terms = []
        meta = []
        comments = []
        skipped_comments = []
        for child in elem:
            tag = _short(child.tag)
            if tag == "category":
                slug = child.get("nicename")
                domain = child.get("domain")
                # WXR 1.0 repeats each term without nicename for plain RSS readers; skip those.
                if slug is not None and domain:
                    term = (_taxonomy(domain), slug.strip(), (child.text or "").strip())
                    if term not in terms:
                        terms.append(term)
            elif tag == "wp:postmeta":
                m = _fields(child)
                meta.append((m.get("wp:meta_key", ""), m.get("wp:meta_value", "")))
            elif tag == "wp:comment":
                try:
                    comments.append(self.make_comment(child))
                except _Unreadable as problem:
                    skipped_comments.append(Skipped("comment", self.path, self.line, str(problem)))
            else:
                f[tag] = child.text or ""
        wp_id = self.number(f, "wp:post_id", None)
        if wp_id is None:
            raise _Unreadable(_missing(f, "wp:post_id"))
        date = _date(f.get("wp:post_date_gmt", "")) or _date(f.get("wp:post_date", ""))
        item = Item(
            wp_id=wp_id,
            post_type=f.get("wp:post_type", "").strip(),
            status=f.get("wp:status", "").strip(),
            title=f.get("title", ""),
            link=f.get("link", "").strip(),
            guid=f.get("guid", "").strip(),
            slug=f.get("wp:post_name", "").strip(),
            date_gmt=date,
            author_login=f.get("dc:creator", "").strip(),
            content=f.get("content:encoded", ""),
            excerpt=f.get("excerpt:encoded", ""),
            parent_id=self.number(f, "wp:post_parent"),
            menu_order=self.number(f, "wp:menu_order"),
            password=f.get("wp:post_password", ""),
            is_sticky=f.get("wp:is_sticky", "").strip() == "1",
            comment_status=f.get("wp:comment_status", "").strip(),
            attachment_url=f.get("wp:attachment_url", "").strip(),
            terms=tuple(terms),
            meta=tuple(meta),
            comments=tuple(comments),
            path=self.path,
            line=self.line,
        )
        self.notices += skipped_comments  # only once the item itself could be read
        return item

    def make_comment(self, elem) -> Comment:
        f = _fields(elem)
        wp_id = self.number(f, "wp:comment_id", None)
        if wp_id is None:
            raise _Unreadable("it has no <wp:comment_id>")
        date = _date(f.get("wp:comment_date_gmt", "")) or _date(f.get("wp:comment_date", ""))
        return Comment(
            wp_id=wp_id,
            author_name=f.get("wp:comment_author", "").strip(),
            author_email=f.get("wp:comment_author_email", "").strip(),
            author_url=f.get("wp:comment_author_url", "").strip(),
            author_ip=f.get("wp:comment_author_IP", "").strip(),
            date_gmt=date,
            content=f.get("wp:comment_content", ""),
            approved=f.get("wp:comment_approved", "").strip(),
            type=f.get("wp:comment_type", "").strip(),
            parent_id=self.number(f, "wp:comment_parent"),
            user_id=self.number(f, "wp:comment_user_id"),
        )


_VERSION = re.compile(r"\d{1,4}\.\d{1,4}")


def _missing(fields: dict[str, str], name: str) -> str:
    """Why a wp: field is missing: most often the wp: prefix names another namespace there."""
    ending = "}" + name.removeprefix("wp:")
    for tag in fields:
        if tag.startswith("{") and tag.endswith(ending):
            return (
                f"it binds the wp: prefix to {_namespace(tag)[:100]}, not to WordPress's export "
                f"namespace, so it has no <{name}>"
            )
    return f"it has no <{name}>"


def _is_comment(tag: str) -> bool:
    """<wp:comment>, whatever its prefix is bound to (not a feed module's, such as wfw:)."""
    return _local(tag) == "comment" and _namespace(tag) not in _FEED_MODULES


_FEED_MODULES = frozenset(USUAL_NAMESPACES.values())


@_names_cache
def _namespace(name: str) -> str:
    """ "http://www.w3.org/2005/Atom" for "{http://www.w3.org/2005/Atom}link", "" for "link"."""
    return name[1:].split("}", 1)[0] if name.startswith("{") else ""


def _taxonomy(domain: str) -> str:
    domain = domain.strip()
    # WXR 1.0 calls tags "tag"; WordPress's own importer maps it to post_tag.
    return "post_tag" if domain == "tag" else domain


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
