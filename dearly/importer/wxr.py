"""Streaming reader for WordPress eXtended RSS (WXR 1.0, 1.1, 1.2) exports.

No database code: `iter_wxr(path)` yields a `Channel`, then `Author`s, `Term`s and `Item`s in
file order. Elements are cleared as soon as they are read, so memory stays flat on a 500 MB
export. Entity declarations (billion laughs, external entities) are refused by defusedxml;
broken XML, a refused file or a file that is not a WordPress export raises `WXRError` with
the file and line. Values are as exported (titles and bodies raw), except that WXR 1.0's "tag"
taxonomy is called "post_tag" as in later versions.
"""

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree.ElementTree import ParseError, TreeBuilder

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser, iterparse

from .sources.records import SourceError

__all__ = ["Author", "Channel", "Comment", "Item", "Term", "WXRError", "iter_wxr"]

# Hosts write the wp: namespace as http or https and with any version (1.0/, 1.1/, 1.2/).
WP_NAMESPACE_PREFIXES = ("http://wordpress.org/export/", "https://wordpress.org/export/")
CONTENT_NAMESPACE = "http://purl.org/rss/1.0/modules/content/"
DC_NAMESPACE = "http://purl.org/dc/elements/1.1/"


class WXRError(SourceError):
    """A file that cannot be imported: `str(e)` is "path:line: reason"."""


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


def iter_wxr(path) -> Iterator[Channel | Author | Term | Item]:
    """Yield the channel, then authors, terms and items of one WXR file, in file order."""
    try:
        source = open(path, "rb")  # noqa: SIM115 (closed below; the generator owns it)
    except OSError as error:
        raise WXRError(path, None, f"cannot read the file ({error.strerror})") from None
    with source:
        yield from _Reader(str(path)).read(source)


# Control characters are not allowed in XML 1.0, yet WordPress exports them as they were pasted.
_CONTROL_BYTES = bytes(byte for byte in range(32) if byte not in (9, 10, 13))


class _CleanSource:
    """The export as expat can read it: control characters dropped, and blank lines before
    the XML declaration (a plugin's stray output, which WordPress itself tolerates) skipped."""

    def __init__(self, raw):
        self.raw = raw
        self.skipped_lines = 0
        self.at_start = True

    def read(self, size: int) -> bytes:
        data = self.raw.read(size)
        while self.at_start and data:
            stripped = data.lstrip(b" \t\r\n")
            self.skipped_lines += data.count(b"\n", 0, len(data) - len(stripped))
            if stripped:
                self.at_start = False
                data = stripped
            else:
                data = self.raw.read(size)
        return data.translate(None, _CONTROL_BYTES)


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


_tag_names: dict[str, str] = {}


def _short(tag: str) -> str:
    """Map "{http://wordpress.org/export/1.2/}post_id" to "wp:post_id", whatever the version."""
    try:
        return _tag_names[tag]
    except KeyError:
        pass
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
    if len(_tag_names) < 10_000:  # a hostile file could invent endless tag names
        _tag_names[tag] = name
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

    def read(self, source):
        builder = _LineTreeBuilder()
        parser = DefusedXMLParser(target=builder)
        builder.expat = parser.parser
        source = self.source = builder.source = _CleanSource(source)
        events = iterparse(source, events=("start", "end", "start-ns"), parser=parser)
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
            elif _is_wp_namespace(elem[1]):  # start-ns: elem is (prefix, uri)
                self.wp_namespace = elem[1]
        if channel is None:
            self.line = None
            raise self.error("not a WordPress export: there is no <channel> inside <rss>")

    def _guard(self, events, parser):
        """Turn parser failures into WXRError with the line where they happened."""
        while True:
            try:
                event = next(events)
            except StopIteration:
                return
            except ParseError as error:
                reason = str(error).split(": line ", 1)[0]
                line, column = error.position
                line += self.source.skipped_lines
                reason = f"broken XML (column {column + 1}): {reason}"
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
            return
        if tag == "item":
            thing = self.make_item(elem)
        elif tag == "wp:author":
            thing = self.make_author(elem)
        elif tag in _TERM_TAGS:
            thing = self.make_term(tag, elem)
        else:
            return
        if not self.channel_sent:
            yield self.make_channel()
        yield thing

    def make_channel(self) -> Channel:
        self.channel_sent = True
        fields = self.channel_fields
        version = fields.get("wp:wxr_version", "")
        if not version:
            # WXR 1.0 files from old WordPress omit wp:wxr_version; the namespace says it.
            version = self.wp_namespace.rstrip("/").rsplit("/", 1)[-1]
        return Channel(
            title=fields.get("title", ""),
            link=fields.get("link", ""),
            base_site_url=fields.get("wp:base_site_url", ""),
            base_blog_url=fields.get("wp:base_blog_url", ""),
            wxr_version=version,
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
            raise self.error(f"<{key}> should be a whole number, not {value!r}") from None

    def make_author(self, elem) -> Author:
        f = _fields(elem)
        return Author(
            wp_id=self.number(f, "wp:author_id", None),
            login=f.get("wp:author_login", "").strip(),
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
                comments.append(self.make_comment(child))
            else:
                f[tag] = child.text or ""
        wp_id = self.number(f, "wp:post_id", None)
        if wp_id is None:
            raise self.error("this <item> has no <wp:post_id>")
        date = _date(f.get("wp:post_date_gmt", "")) or _date(f.get("wp:post_date", ""))
        return Item(
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

    def make_comment(self, elem) -> Comment:
        f = _fields(elem)
        wp_id = self.number(f, "wp:comment_id", None)
        if wp_id is None:
            raise self.error("a <wp:comment> in this <item> has no <wp:comment_id>")
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


def _taxonomy(domain: str) -> str:
    domain = domain.strip()
    # WXR 1.0 calls tags "tag"; WordPress's own importer maps it to post_tag.
    return "post_tag" if domain == "tag" else domain


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
