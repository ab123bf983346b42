"""Sanitising to what Dearly's rich-text editor allows, and plain text from HTML."""

import html as html_lib
import re
from collections.abc import Callable

import nh3

from dearly.core.text import clean_typed_text

ALLOWED_TAGS = frozenset(
    {"p", "br", "h2", "h3", "h4", "strong", "em", "b", "i", "a", "ol", "ul", "li", "hr"}
    | {"blockquote", "code", "sup", "sub", "s"}
)
# Elements whose content is code, chrome or a fallback message, never the post's text.
_DROPPED_WITH_CONTENT = {
    "script", "style", "iframe", "noscript", "template", "object", "svg", "math", "textarea",
    "select", "button", "video", "audio", "title", "head",
}  # fmt: skip
_URL_SCHEMES = {"http", "https", "mailto", "tel"}
_SAFE_URL = re.compile(r"https?://|/(?!/)|#|\?", re.I)

_RENAMES = {"h1": "h2", "h5": "h4", "h6": "h4", "del": "s", "strike": "s"}
_RENAME_TAGS = re.compile(r"<(/?)(h1|h5|h6|del|strike)(?=[\s/>])", re.I)
_PRE = re.compile(r"<pre\b[^>]*>(.*?)</pre\s*>", re.S | re.I)
_CODE_TAG = re.compile(r"</?code\b[^>]*>", re.I)
_TABLE = re.compile(r"<table\b", re.I)
_TABLE_HINT = re.compile(r"<(?:t[rdh]|caption|d[dt])\b", re.I)
_TABLE_ROW = re.compile(r"<(/?)(?:tr|caption|dt|dd)\b[^>]*>", re.I)
# Without these, the HTML parser's table rules would move the rows' text around.
_TABLE_PARTS = re.compile(
    r"</?(?:table|thead|tbody|tfoot|colgroup|col)\b[^>]*>|<t[dh]\b[^>]*>", re.I
)
_TABLE_CELL_END = re.compile(r"\s*</t[dh]\s*>\s*", re.I)
_EMPTY = re.compile(
    r"<(p|li|h2|h3|h4|blockquote|strong|em|b|i|code|s|sup|sub)>(?:\s|<br>|&nbsp;)*</\1>"
)
_EMPTY_LIST = re.compile(r"<(ul|ol)>\s*</\1>")
# nh3's output is well-formed and holds only ALLOWED_TAGS, so a flat tokenizer is enough.
_TAG = re.compile(r"<(/?)([a-z0-9]+)[^>]*>")
_BLOCK_TAGS = frozenset({"p", "h2", "h3", "h4", "ul", "ol", "li", "blockquote", "hr"})
_VOID_TAGS = frozenset({"br", "hr"})
_LINE_BREAKS = re.compile(r"</p\s*>|<br\s*/?>|</li\s*>|</h[1-6]\s*>|</blockquote\s*>", re.I)
_SPACES = re.compile(r"\s+")


def sanitise(
    fragment: str,
    resolve_link: Callable[[str], str | None] | None = None,
    notes: list[str] | None = None,
) -> str:
    """Clean an HTML fragment down to ALLOWED_TAGS, as top-level blocks (loose text in <p>)."""
    # Edges left by a split ("<p>Look: " before an image) would leave spaces inside a <p>.
    fragment = fragment.strip()
    if not fragment:
        return ""
    if "<" in fragment:
        fragment = _RENAME_TAGS.sub(lambda m: f"<{m[1]}{_RENAMES[m[2].lower()]}", fragment)
        if "<pre" in fragment or "<PRE" in fragment:
            fragment = _PRE.sub(_pre_as_code, fragment)
        if _TABLE_HINT.search(fragment):
            if notes is not None and _TABLE.search(fragment):
                notes.append("a table was turned into plain paragraphs")
            fragment = _TABLE_ROW.sub(lambda m: f"<{m[1]}p>", fragment)
            fragment = _TABLE_CELL_END.sub(" ", _TABLE_PARTS.sub("", fragment))

    def link_filter(tag, attribute, value):
        if resolve_link is not None and tag == "a" and attribute == "href":
            new_url = resolve_link(value)
            # nh3 checks URL schemes before this filter, so check what comes back here.
            if new_url and _SAFE_URL.match(new_url):
                return new_url
        return value

    cleaned = nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        attributes={"a": {"href"}, "*": set()},
        clean_content_tags=_DROPPED_WITH_CONTENT,
        attribute_filter=link_filter,
        url_schemes=_URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )
    for _ in range(3):  # nested empties such as <li><strong></strong></li>
        emptied = _EMPTY_LIST.sub("", _EMPTY.sub("", cleaned))
        if emptied == cleaned:
            break
        cleaned = emptied
    return wrap_loose(cleaned)


def _pre_as_code(match) -> str:
    code = _CODE_TAG.sub("", match.group(1)).strip("\n").replace("\n", "<br>")
    return f"<p><code>{code}</code></p>"


def top_level(html: str) -> list[tuple[bool, str]]:
    """Split sanitised HTML into its top-level nodes: (is a block element, outer HTML)."""
    nodes = []
    depth = 0
    start = end = 0
    is_block = False
    for match in _TAG.finditer(html):
        closing, name = match.groups()
        if depth == 0:
            if match.start() > end:
                nodes.append((False, html[end : match.start()]))  # text between elements
            if closing:
                end = match.end()
                continue  # a stray end tag; nh3 never leaves one, but do not trust that
            start = match.start()
            is_block = name in _BLOCK_TAGS
        if name not in _VOID_TAGS:
            depth += -1 if closing else 1
        if depth == 0:
            end = match.end()
            nodes.append((is_block, html[start:end]))
    if depth:
        nodes.append((is_block, html[start:]))
    elif end < len(html):
        nodes.append((False, html[end:]))
    return nodes


def wrap_loose(html: str) -> str:
    """Put text and inline elements left at the top level (after a split) into paragraphs."""
    nodes = [(is_block, _trim(node) if is_block else node) for is_block, node in top_level(html)]
    if all(is_block or node.isspace() for is_block, node in nodes):
        return "\n".join(node for is_block, node in nodes if is_block and node)
    out: list[str] = []
    loose: list[str] = []

    def flush():
        text = "".join(loose).strip()
        loose.clear()
        while text.startswith("<br>") or text.endswith("<br>"):
            text = text.removeprefix("<br>").removesuffix("<br>").strip()
        if text:
            out.append(f"<p>{text}</p>")

    for is_block, node in nodes:
        if is_block:
            flush()
            if node:
                out.append(node)
        else:
            loose.append(node)
    flush()
    return "\n".join(out)


def _trim(node: str) -> str:
    """A paragraph without spaces at its inner edges; "" when nothing is left."""
    if node.startswith("<p>") and node.endswith("</p>"):
        inner = node[3:-4].strip()
        return f"<p>{inner}</p>" if inner else ""
    return node


def plain_text(html: str) -> str:
    """Text of an HTML fragment: paragraphs and line breaks kept as newlines, entities decoded,
    invisible characters dropped (visible_text)."""
    text = html
    if "<" in html or "&" in html:
        marked = _LINE_BREAKS.sub(lambda m: m.group() + "\n", html)
        cleaned = nh3.clean(marked, tags=set(), clean_content_tags={"script", "style"})
        text = html_lib.unescape(cleaned)
    lines = (_SPACES.sub(" ", line).strip() for line in visible_text(text).split("\n"))
    return "\n".join(line for line in lines if line)


def plain_title(raw_title: str) -> str:
    """The title as plain text: tags stripped, entities decoded once, one_line()."""
    if not raw_title:
        return ""
    text = raw_title
    if "<" in text or "&" in text:
        text = nh3.clean(text, tags=set(), clean_content_tags={"script", "style"})
        text = html_lib.unescape(text)
    return one_line(text)


def visible_text(text: str) -> str:
    """clean_typed_text(): no bidi overrides or zero-width characters in text shown as typed
    ("gnp.exe" shown as "exe.png"). ASCII, most of an export, has none and is already NFC."""
    return text if text.isascii() else clean_typed_text(text)


def one_line(text: str) -> str:
    """A name or title on one line: visible characters, single spaces."""
    return " ".join(visible_text(text).split())
