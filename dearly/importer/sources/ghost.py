"""A Ghost export as neutral records: the JSON file of Ghost's Settings → Advanced →
Import/Export (Labs before Ghost 5), Ghost 2.0 and later, and optionally its members CSV
(Members → Export). No database code.

The JSON is read as a stream (jsonstream.py), twice: the first pass keeps the small tables
(tags, users, and which post has which tag and author) and checks the whole file; the second
gives the posts one at a time. A post's body is its `html`, or else its Lexical or Mobiledoc
rendered here (cards.py). Links to the site itself (`__GHOST_URL__/…`) become site-relative,
so the mapping points them at the imported pages."""

import html
import re
from collections import defaultdict

from .. import content
from .cards import lexical_html, mobiledoc_html
from .jsonstream import JSONStream
from .records import (
    MEMBERS,
    PAID,
    PUBLIC,
    Entry,
    Image,
    Person,
    Reader,
    Scan,
    Site,
    Skipped,
    SourceError,
    Term,
    at_line,
)
from .tables import csv_rows, date, open_text, yes

SITE_KEY = "ghost"  # Ghost's ids are unique across sites (24 hex digits, ObjectId)
GHOST_URL = "__GHOST_URL__"  # how an export writes the site's own address
STATUSES = {"published": "publish", "draft": "draft", "scheduled": "future", "sent": "private"}
AUDIENCES = {"public": PUBLIC, "members": MEMBERS}  # "paid", "tiers" and anything else: PAID
TABLES = ("tags", "posts_tags", "users", "posts_authors", "posts_meta", "settings")
_BOOKMARK = re.compile(r"<figure\b[^>]*\bkg-bookmark-card\b.*?</figure\s*>", re.S | re.I)
_HREF = re.compile(r'<a\b[^>]*?\bhref="([^"]*)"', re.I)
_BOOKMARK_TITLE = re.compile(r"kg-bookmark-title\b[^>]*>(.*?)</", re.S | re.I)


class GhostExport:
    label = "Ghost"
    media_folder = "/content/images/"

    def __init__(self, path, members=None):
        self.path = str(path)
        self.members = str(members) if members else None
        self.first_pass = True
        self.version = None
        self.tables = {}
        self.notes = {}  # post id -> what rendering its Lexical or Mobiledoc left out

    # --- the two passes ----------------------------------------------------------------

    def scan(self):
        scan = Scan()
        self.first_pass = True
        row_authors = set()
        for row, _ in self._posts():
            scan.items += 1
            row_authors.add(str(row.get("author_id") or ""))
            if _kind(row) == "page":
                scan.pages.add((SITE_KEY, str(row.get("id") or "")))
        self._check_version()
        self._index()
        self.authors |= row_authors - {""}  # exports from before posts_authors (Ghost < 1.22)
        if self.internal_tags:
            scan.items += 1  # their Skipped record
        if self.members:
            for _ in self._readers():
                pass
        self.first_pass = False
        return scan

    def records(self):
        title = str(self.settings.get("title") or "")
        yield Site(
            key=SITE_KEY,
            path=self.path,
            title=title,
            tag_urls=("tag/{slug}/", "tag/{slug}/rss/"),
            author_urls=("author/{login}/", "author/{login}/rss/"),
            feed_urls=("rss/",),
        )
        for user_id in sorted(self.authors):
            user = self.users.get(user_id)
            if user is not None:
                yield Person(
                    login=str(user.get("slug") or ""),
                    email=str(user.get("email") or ""),
                    display_name=str(user.get("name") or ""),
                    source_id=user_id,
                )
        for tag in self.tags.values():
            yield Term("post_tag", tag["slug"], tag["name"], "", tag["description"])
        if self.internal_tags:
            yield Skipped("internal tags (Ghost's #tags)", self.internal_tags)
        for row, line in self._posts():
            yield self._entry(row, line)
        if self.members:
            yield from self._readers()

    def convert(self, site, entry, resolve_link):
        converted = content.convert_html(entry.body, resolve_link=resolve_link)
        notes = self.notes.pop(entry.key, ())
        if notes:
            converted = content.Converted(
                converted.blocks, "", False, tuple(dict.fromkeys((*notes, *converted.notes)))
            )
        return converted

    # --- reading the JSON --------------------------------------------------------------

    def _posts(self):
        """(post, line) for each post; on the first pass, the small tables are kept."""
        with open_text(self.path) as handle:
            stream = JSONStream(handle, self.path)
            if stream.kind() != "object":
                raise SourceError(self.path, 1, "not a Ghost export: not a JSON object")
            self.found_data = False
            for key in stream.members():
                if key == "db" and stream.kind() == "array":
                    for n, _ in enumerate(stream.elements()):
                        if n == 0 and stream.kind() == "object":
                            for inner in stream.members():
                                yield from self._member(stream, inner)
                        else:
                            stream.skip()
                else:
                    yield from self._member(stream, key)  # the form without "db"
            stream.end()
        if not self.found_data:
            raise SourceError(
                self.path, None, "not a Ghost export: no “data” with a “posts” table in it"
            )

    def _member(self, stream, key):
        if key == "meta" and stream.kind() == "object":
            meta = stream.value()
            self.version = str(meta.get("version") or "")
        elif key == "data" and stream.kind() == "object":
            for table in stream.members():
                if table == "posts" and stream.kind() == "array":
                    self.found_data = True
                    for _ in stream.elements():
                        line = stream.line()
                        row = stream.value()
                        if not isinstance(row, dict):
                            raise SourceError(self.path, line, "a post that is not an object")
                        yield row, line
                elif table in TABLES and self.first_pass and stream.kind() == "array":
                    rows = stream.value()
                    self.tables[table] = [row for row in rows if isinstance(row, dict)]
                else:
                    stream.skip()
        else:
            stream.skip()

    def _check_version(self):
        version = self.version
        if version is None or not version.strip():
            raise SourceError(
                self.path,
                None,
                "not a Ghost export: there is no meta.version (export it from Ghost's Settings → "
                "Advanced → Import/Export)",
            )
        major = re.match(r"\d+", version)
        if "." not in version or major is None or int(major.group()) < 2:
            raise SourceError(
                self.path,
                None,
                f"an export of Ghost {version if '.' in version else '0.x'} (version "
                f"“{version[:20]}”): this import reads Ghost 2.0 and later; update Ghost, then "
                "export again",
            )

    def _index(self):
        """The small tables as look-ups."""
        self.settings = {
            row.get("key"): row.get("value") for row in self.tables.get("settings", ())
        }
        self.users = {str(row.get("id")): row for row in self.tables.get("users", ())}
        self.tags, self.internal_tags = {}, 0
        for row in self.tables.get("tags", ()):
            name, slug = str(row.get("name") or ""), str(row.get("slug") or "")
            if row.get("visibility") == "internal" or name.startswith("#"):
                self.internal_tags += 1
            elif slug:
                description = str(row.get("description") or "")
                self.tags[str(row.get("id"))] = {"slug": slug, "name": name or slug,
                                                 "description": description}  # fmt: skip
        self.post_tags = _linked(self.tables.get("posts_tags", ()), "tag_id")
        self.post_authors = _linked(self.tables.get("posts_authors", ()), "author_id")
        self.meta = {str(row.get("post_id")): row for row in self.tables.get("posts_meta", ())}
        self.authors = {a for authors in self.post_authors.values() for a in authors}
        self.tables = {}

    # --- a post ------------------------------------------------------------------------

    def _entry(self, row, line):
        key = str(row.get("id") or "")
        kind = _kind(row)
        if not key:
            warning = at_line(self.path, line, "this post skipped: it has no id")
            return Skipped("Ghost posts without id", warning=warning)
        if kind not in ("post", "page"):
            return Skipped(f"Ghost {kind or 'untyped'} items")
        raw_status = str(row.get("status") or "draft")
        status = STATUSES.get(raw_status, raw_status)
        when = date(row.get("published_at")) or date(row.get("created_at"))
        if status == "future" and when is None:
            status = "draft"
        visibility = str(row.get("visibility") or "public")
        meta = {**row, **{k: v for k, v in self.meta.get(key, {}).items() if v}}
        authors = self.post_authors.get(key) or [str(row.get("author_id") or "")]
        author = self.users.get(authors[0], {})
        slug = str(row.get("slug") or "")
        return Entry(
            key=key,
            kind=kind,
            status=status,
            status_label=f"Ghost {kind}s sent by email only" if raw_status == "sent" else "",
            title=str(row.get("title") or ""),
            body=self._body(key, row),
            path=self.path,
            line=line,
            excerpt=html.escape(str(row.get("custom_excerpt") or "")),
            slug=slug,
            date=when,
            author=str(author.get("slug") or ""),
            audience=AUDIENCES.get(visibility, PAID),
            audience_label=f"Ghost {kind}s for “{visibility[:20]}”",
            sticky=bool(row.get("featured")),
            featured_image=_feature_image(meta),
            terms=tuple(
                ("post_tag", self.tags[t]["slug"], self.tags[t]["name"])
                for t in self.post_tags.get(key, ())
                if t in self.tags
            ),
            old_url=f"/{slug}/" if slug else "",
            seo_title=str(meta.get("meta_title") or ""),
            search_description=html.escape(str(meta.get("meta_description") or "")),
        )

    def _body(self, key, row):
        body = row.get("html")
        notes = []
        if not isinstance(body, str) or not body.strip():
            body = ""
            if row.get("lexical"):
                body, notes = lexical_html(row["lexical"])
            elif row.get("mobiledoc"):
                body, notes = mobiledoc_html(row["mobiledoc"])
            elif isinstance(row.get("plaintext"), str):
                paragraphs = re.split(r"\n\s*\n", row["plaintext"].strip())
                body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs if p)
        if notes:
            self.notes[key] = notes
        body = body.replace(GHOST_URL, "")
        return _BOOKMARK.sub(_bookmark, body) if "kg-bookmark" in body else body

    # --- members -----------------------------------------------------------------------

    def _readers(self):
        with open_text(self.members) as handle:
            required = ("email", ("subscribed_to_emails", "subscribed"))
            for line, row in csv_rows(handle, self.members, required=required):
                subscribed = row.get("subscribed_to_emails", row.get("subscribed", ""))
                yield Reader(
                    email=row.get("email", ""),
                    subscribed=yes(subscribed) and not row.get("deleted_at"),
                    since=date(row.get("created_at", "")),
                    line=line,
                    path=self.members,
                )


def _kind(row):
    kind = row.get("type")
    if kind is None:  # Ghost 2 before the type column: a "page" flag
        return "page" if row.get("page") in (True, 1, "1", "true") else "post"
    return str(kind)


def _linked(rows, column):
    """post id -> the ids `column` links it to, in their sort order."""
    linked = defaultdict(list)
    for row in sorted(rows, key=lambda r: r.get("sort_order") or 0):
        linked[str(row.get("post_id"))].append(str(row.get(column)))
    return linked


def _feature_image(meta):
    url = meta.get("feature_image")
    if not isinstance(url, str) or not url.strip():
        return None
    caption = content.plain_text(str(meta.get("feature_image_caption") or ""))
    alt = str(meta.get("feature_image_alt") or "")
    return Image(url.replace(GHOST_URL, "").strip(), alt, caption)


def _bookmark(match):
    """A bookmark card (a link with the page's title, description and pictures) as a link."""
    card = match.group()
    href = _HREF.search(card)
    title = _BOOKMARK_TITLE.search(card)
    if href is None:
        return ""
    text = title.group(1).strip() if title else href.group(1)
    return f'<p><a href="{href.group(1)}">{text or href.group(1)}</a></p>'
