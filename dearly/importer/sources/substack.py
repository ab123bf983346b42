"""A Substack export (Settings → Exports: a zip) as neutral records. No database code.

The zip holds `posts.csv` (one row a post), `posts/<post_id>.html` (each post's text) and
`email_list.<publication>.csv` (the subscribers). It is read entry by entry, never extracted:
an entry named outside the export (`../`, an absolute path) refuses the whole file, and so do
sizes or compression ratios no export has (a zip bomb), checked from the zip's directory first
and again while reading, since a directory can lie."""

import html
import io
import re
import zipfile
import zlib
from datetime import UTC, datetime
from pathlib import PurePosixPath

from .. import content
from .records import MEMBERS, PAID, PUBLIC, Entry, Notice, Reader, Scan, Site, Skipped, SourceError
from .tables import csv_rows, date, yes

SITE_KEY = "substack"  # Substack's post ids are unique across publications
MAX_ENTRY = 256 * 1024 * 1024  # bytes in one entry, uncompressed
MAX_TOTAL = 2 * 1024 * 1024 * 1024  # bytes in the whole export, uncompressed
MAX_RATIO = 100  # text compresses 3 to 10 times; an entry of over 1 MB compressed more is a bomb
RATIO_FROM = 1024 * 1024
POST_TYPES = {"newsletter", "podcast", "video"}
AUDIENCES = {"everyone": PUBLIC, "only_free": MEMBERS}  # only_paid, founding, the rest: PAID
_EMAIL_LIST = re.compile(r"email_list(?:\.(?P<name>[a-z0-9-]+))?[^/]*\.csv$", re.I)
# Substack's own calls to subscribe, which mean nothing on another site.
_WIDGET = re.compile(r'<(div|p)\b[^>]*\bclass="(?:subscription-widget|button-wrapper)', re.I)
_TAG = re.compile(r"<(/?)(div|p)\b[^>]*>", re.I)


class SubstackExport:
    label = "Substack"
    media_folder = ""  # pictures stay on Substack's servers, linked

    def __init__(self, path):
        self.path = str(path)

    # --- the two passes ----------------------------------------------------------------

    def scan(self):
        """Check every entry's name and size, and read every file the import will read."""
        scan = Scan()
        with self._zip() as archive:
            self._check_entries(archive)
            self.prefix = self._prefix(archive)
            self.names = {info.filename for info in archive.infolist()}
            self.email_lists = sorted(
                name
                for name in self.names
                if name.startswith(self.prefix) and _EMAIL_LIST.match(name[len(self.prefix) :])
            )
            self.hosts = set()
            for name in self.email_lists:
                publication = _EMAIL_LIST.match(name[len(self.prefix) :]).group("name")
                if publication:  # email_list.<publication>.csv: <publication>.substack.com
                    self.hosts.add(f"{publication.lower()}.substack.com")
            scan.hosts = set(self.hosts)
            for _, row in self._posts(archive):
                scan.items += 1
                name = self._html_name(row)
                if name in self.names:
                    _read(archive, name, self.path)
            for _ in self._readers(archive):
                pass
        return scan

    def records(self):
        yield Site(key=SITE_KEY, path=self.path, hosts=frozenset(self.hosts), feed_urls=("feed",))
        with self._zip() as archive:
            for line, row in self._posts(archive):
                yield from self._entry(archive, line, row)
            yield from self._readers(archive)

    def convert(self, site, entry, resolve_link):
        return content.convert_html(entry.body, resolve_link=resolve_link)

    # --- the zip -----------------------------------------------------------------------

    def _zip(self):
        try:
            return zipfile.ZipFile(self.path)
        except zipfile.BadZipFile:
            raise SourceError(
                self.path, None, "not a zip file: pass the zip Substack's export gives you"
            ) from None
        except OSError as error:
            raise SourceError(self.path, None, f"cannot read the file ({error.strerror})") from None

    def _check_entries(self, archive):
        total = 0
        for info in archive.infolist():
            name = info.filename
            parts = PurePosixPath(name.replace("\\", "/")).parts
            if name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name) or ".." in parts:
                raise SourceError(
                    self.path,
                    None,
                    f"refused: the entry “{name[:80]}” names a place outside the export "
                    "(an absolute path or ../); a Substack export never does",
                )
            total += info.file_size
            if info.file_size > MAX_ENTRY or total > MAX_TOTAL:
                raise SourceError(
                    self.path,
                    None,
                    f"refused: “{name[:80]}” would unpack to {info.file_size // 2**20:,} MB "
                    f"(the whole export to {total // 2**20:,} MB): more than any export holds",
                )
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > RATIO_FROM and ratio > MAX_RATIO:
                raise SourceError(
                    self.path,
                    None,
                    f"refused: “{name[:80]}” is compressed {ratio:,.0f} times, as a zip bomb "
                    "is; text compresses ten times at most",
                )

    def _prefix(self, archive):
        """ "" when posts.csv is at the top, "folder/" when the zip wraps the export in one."""
        names = {info.filename for info in archive.infolist()}
        if "posts.csv" in names:
            return ""
        inside = sorted(n for n in names if n.count("/") == 1 and n.endswith("/posts.csv"))
        if len(inside) == 1:
            return inside[0].removesuffix("posts.csv")
        raise SourceError(
            self.path,
            None,
            "no posts.csv in the zip: is this Substack's export (Settings → Exports)?",
        )

    def _text(self, archive, name):
        """An entry as text, read within its limits."""
        raw = _Bounded(archive, name, self.path)
        return io.TextIOWrapper(io.BufferedReader(raw), encoding="utf-8-sig", newline="")

    # --- posts -------------------------------------------------------------------------

    def _posts(self, archive):
        name = f"{self.prefix}posts.csv"
        with self._text(archive, name) as handle:
            yield from csv_rows(handle, f"{self.path}:{name}", required=("post_id",))

    def _html_name(self, row):
        return f"{self.prefix}posts/{row.get('post_id', '')}.html"

    def _entry(self, archive, line, row):
        post_id = row.get("post_id", "")
        key, _, slug = post_id.partition(".")
        kind = (row.get("type") or "newsletter").lower()
        where = f"{self.path}:posts.csv:{line}"
        if not key:
            warning = f"{where}: this post skipped: it has no post_id"
            yield Skipped("Substack posts without a post_id", warning=warning)
            return
        if kind not in POST_TYPES:
            reason = "discussion threads" if kind == "thread" else f"“{kind[:20]}” posts"
            yield Skipped(f"Substack {reason}")
            return
        name = self._html_name(row)
        if name in self.names:
            body = _without_widgets(_read(archive, name, self.path).decode("utf-8", "replace"))
        else:
            body = ""
            yield Notice(f"{where}: {name} is not in the zip: “{row.get('title', '')}” has no text")
        if row.get("podcast_url"):
            body += f"<p>{html.escape(row['podcast_url'])}</p>"
        when = date(row.get("post_date"))
        status = "publish" if yes(row.get("is_published")) else "draft"
        if status == "publish" and when is not None and when > datetime.now(UTC):
            status = "future"
        audience = row.get("audience")
        label = (
            f"Substack posts for “{audience[:20]}”"
            if audience
            else "Substack posts whose audience the export does not give"
        )
        yield Entry(
            key=key,
            kind="post",
            status=status,
            title=html.escape(row.get("title", "")),
            body=body,
            path=f"{self.path}:posts.csv",
            line=line,
            excerpt=html.escape(row.get("subtitle", "")),
            slug=slug,
            date=when,
            audience=AUDIENCES.get((audience or "").lower(), PAID),
            audience_label=label,
            old_url=f"/p/{slug}" if slug else "",
        )

    # --- subscribers -------------------------------------------------------------------

    def _readers(self, archive):
        for name in self.email_lists:
            where = f"{self.path}:{name}"
            with self._text(archive, name) as handle:
                required = ("email", "active_subscription")
                for line, row in csv_rows(handle, where, required=required):
                    yield Reader(
                        email=row.get("email", ""),
                        subscribed=yes(row["active_subscription"])
                        and not yes(row.get("email_disabled")),
                        since=date(row.get("created_at", "")),
                        line=line,
                        path=where,
                    )


class _Bounded(io.RawIOBase):
    """An entry of the zip that stops with SourceError when it holds more than its directory
    said (or than MAX_ENTRY), and turns a damaged entry into SourceError."""

    def __init__(self, archive, name, path):
        self.path, self.name = path, name
        try:
            self.info = archive.getinfo(name)
            self.entry = archive.open(self.info)
        except (KeyError, RuntimeError, NotImplementedError, zipfile.BadZipFile) as error:
            raise self._broken(error) from None
        self.limit = min(self.info.file_size, MAX_ENTRY)
        self.count = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        try:
            data = self.entry.read(min(len(buffer), 1 << 20))
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
            raise self._broken(error) from None
        self.count += len(data)
        if self.count > self.limit:
            raise SourceError(
                self.path,
                None,
                f"refused: “{self.name[:80]}” unpacks to more than its {self.limit:,} bytes, "
                "as a zip bomb does",
            )
        buffer[: len(data)] = data
        return len(data)

    def close(self):
        if not self.closed:
            self.entry.close()
        super().close()

    def _broken(self, error):
        return SourceError(self.path, None, f"“{self.name[:80]}” cannot be read ({error})")


def _read(archive, name, path):
    with _Bounded(archive, name, path) as entry:
        return io.BufferedReader(entry).read()


def _without_widgets(text):
    """The post without Substack's subscribe boxes and buttons (their whole element)."""
    while match := _WIDGET.search(text):
        depth, end = 0, len(text)
        for tag in _TAG.finditer(text, match.start()):
            if tag.group(2).lower() != match.group(1).lower():
                continue
            depth += -1 if tag.group(1) else 1
            if depth == 0:
                end = tag.end()
                break
        text = text[: match.start()] + text[end:]
    return text
