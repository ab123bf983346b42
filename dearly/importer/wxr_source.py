"""The bytes of a WordPress export as expat can read them (for wxr.py's reader).

WordPress writes what it is given: control characters pasted into posts, blank lines that a
plugin printed before the XML declaration and, on WordPress.com, `<atom:link …/>` and other
feed-plugin elements whose prefixes the `<rss>` element never declares. WordPress's own
importer reads such files (after its namespace-aware parser fails it falls back to one that
ignores namespaces). Here the usual namespaces are declared on `<rss>` for the prefixes it
lacks, in the same line so that line numbers stay true, and the reader warns where one is used.
"""

import re
from itertools import islice

# Prefixes that WordPress, WordPress.com and feed plugins (through the rss2_head and rss2_item
# hooks) write into exports, with their usual namespaces. Not wp: a file without WordPress's
# namespace is not an export, and the reader says so.
USUAL_NAMESPACES = {
    "atom": "http://www.w3.org/2005/Atom",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "sy": "http://purl.org/rss/1.0/modules/syndication/",
    "slash": "http://purl.org/rss/1.0/modules/slash/",
    "georss": "http://www.georss.org/georss",
    "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "media": "http://search.yahoo.com/mrss/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "googleplay": "http://www.google.com/schemas/play-podcasts/1.0",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "cc": "http://web.resource.org/cc/",
    "creativeCommons": "http://backend.userland.com/creativeCommonsRssModule",
    "feedburner": "http://rssnamespace.org/feedburner/ext/1.0",
}

# Control characters are not allowed in XML 1.0, yet WordPress exports them as they were pasted.
_CONTROL_BYTES = bytes(byte for byte in range(32) if byte not in (9, 10, 13))
_HEAD_LIMIT = 1 << 20  # how far to look for <rss …> before reading the file on as it is
_NAME_ENDS = (b" ", b"\t", b"\r", b"\n", b">", b"/")
_DOCTYPE = re.compile(rb"<!(?:[^>\[]|\[[^\]]*\])*>")
_RSS_TAG = re.compile(rb"""<rss(?:[^>"']|"[^"]*"|'[^']*')*>""")
_DECLARED = re.compile(rb"""xmlns:([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_PREFIXED = re.compile(r"""[<\s]([A-Za-z_][\w.\-]*):[A-Za-z_]""")


class ExportSource:
    """What the parser reads: control characters dropped, blank lines before the XML
    declaration skipped (WordPress tolerates a plugin's stray output), and the usual
    namespaces declared on `<rss>` for the prefixes it leaves undeclared."""

    def __init__(self, raw):
        self.raw = raw
        self.skipped_lines = 0
        self.at_start = True
        self.in_head = True  # until the end of the <rss …> tag has been read and handed on
        self.added = ()  # the prefixes declared here
        self.borrowed = {}  # namespace -> prefix, for those whose uses can be told apart
        self.inserted = None  # (line, column, length) of the added declarations, for messages

    def read(self, size: int) -> bytes:
        data = self._read(size)
        if not self.in_head:
            return data
        head = b""
        while True:
            head += data
            found = _root_tag(head)
            if found is not None or not data or len(head) > _HEAD_LIMIT:
                self.in_head = False
                return self._declare(head, found)
            data = self._read(size)

    def _read(self, size):
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

    def _declare(self, head, found):
        if not found:
            return head  # the first element is not <rss>: the reader refuses the file
        name_end, tag_end = found
        declared = {}
        for prefix, double, single in _DECLARED.findall(head, name_end, tag_end):
            uri = (double or single).decode("utf-8", "replace")
            declared[prefix.decode("utf-8", "replace")] = uri
        missing = {p: uri for p, uri in USUAL_NAMESPACES.items() if p not in declared}
        self.added = tuple(missing)
        # A namespace <rss> declares under another prefix cannot tell its uses apart: no warning.
        self.borrowed = {uri: p for p, uri in missing.items() if uri not in declared.values()}
        added = "".join(f' xmlns:{prefix}="{uri}"' for prefix, uri in missing.items()).encode()
        line_start = head.rfind(b"\n", 0, name_end) + 1
        self.inserted = (head.count(b"\n", 0, name_end) + 1, name_end - line_start, len(added))
        return head[:name_end] + added + head[name_end:]

    def position(self, line, column):
        """Where expat's (line, 0-based column) is in the file: 1-based, and without the
        declarations added to <rss>."""
        if self.inserted and line == self.inserted[0] and column > self.inserted[1]:
            column = max(self.inserted[1], column - self.inserted[2])
        return line + self.skipped_lines, column + 1


def _root_tag(head):
    """(where the name of a first element <rss …> ends, where its tag ends); () when the first
    element is something else; None while more bytes are needed to tell."""
    at = 0
    while True:
        at = head.find(b"<", at)
        if at < 0 or len(head) < at + 5:
            return None
        if head.startswith(b"<?", at):
            end = _after(head, b"?>", at)
        elif head.startswith(b"<!--", at):
            end = _after(head, b"-->", at)
        elif head.startswith(b"<!", at):  # <!DOCTYPE …>
            match = _DOCTYPE.match(head, at)
            end = match.end() if match else -1
        else:
            break
        if end < 0:
            return None
        at = end
    if head[at + 1 : at + 4] != b"rss" or head[at + 4 : at + 5] not in _NAME_ENDS:
        return ()
    match = _RSS_TAG.match(head, at)
    return (at + 4, match.end() - 1) if match else None


def _after(head, closing, at):
    end = head.find(closing, at + 2)
    return end + len(closing) if end >= 0 else -1


def undeclared_prefix(path, line, column, bound=()):
    """The prefix that expat's "unbound prefix" at (line, 1-based column) of the file is about
    (not one of `bound`), or "" when it cannot be told."""
    try:
        with open(path, encoding="utf-8", errors="replace") as lines:
            text = next(islice(lines, line - 1, None), "")
    except OSError:
        return ""
    for match in _PREFIXED.finditer(text, max(column - 2, 0)):
        if match.group(1) not in ("xml", "xmlns", *bound):
            return match.group(1)
    return ""
