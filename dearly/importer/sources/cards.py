"""Ghost's editor formats as HTML, for posts whose export has no `html`: Lexical (Ghost 5 and
later) and Mobiledoc (Ghost 1 to 4), with the cards both share. No database code.

Every piece of text is escaped here and the result is sanitised again by the conversion
(content.convert_html), like any other imported HTML: an export cannot smuggle markup in
through a card's fields. Cards with no place here (email-only content, signup forms,
products) are left out, and said so in the notes."""

import html
import json
import re

MAX_DEPTH = 60  # nodes nested deeper than this are left out (a hostile export)
SECTION_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"}
QUOTE_TAGS = {"aside", "pull-quote"}
MARKUP_TAGS = {"a", "b", "strong", "em", "i", "u", "s", "code", "sub", "sup"}
# Lexical's text format bits, lowest first.
TEXT_FORMATS = ((1, "strong"), (2, "em"), (4, "s"), (8, "u"), (16, "code"), (32, "sub"))
TEXT_FORMATS += ((64, "sup"),)
LEFT_OUT = {
    "email": "email-only content",
    "email-cta": "email-only content",
    "signup": "a signup form",
    "product": "a product card",
    "transistor": "a podcast player",
    "collection": "a list of posts",
}


def escape(value):
    return html.escape(str(value or ""), quote=True)


def _as_document(raw):
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except (ValueError, RecursionError):
            return None
    return raw if isinstance(raw, dict) else None


# --- cards (Mobiledoc's and Lexical's names are the same) -----------------------------------


def card_html(name, payload, notes):
    if not isinstance(payload, dict):
        payload = {}
    get = payload.get
    if name == "image":
        return _figure(get("src"), get("alt"), get("caption"))
    if name == "gallery":
        images = get("images") if isinstance(get("images"), list) else []
        return "".join(
            _figure(i.get("src"), i.get("alt"), i.get("caption"))
            for i in images
            if isinstance(i, dict)
        )
    if name in ("hr", "horizontalrule"):
        return "<hr>"
    if name == "html":
        return str(get("html") or "")  # sanitised with the rest
    if name == "markdown":
        return markdown_html(str(get("markdown") or ""))
    if name in ("code", "codeblock"):
        return f"<pre><code>{escape(get('code'))}</code></pre>"
    if name == "embed":
        return f"<p>{escape(get('url'))}</p>"  # a bare link: an embed block, never an iframe
    if name == "bookmark":
        metadata = get("metadata") if isinstance(get("metadata"), dict) else {}
        return _link(get("url"), metadata.get("title") or get("url"))
    if name == "callout":
        return f"<p>{get('calloutText') or ''}</p>"
    if name == "toggle":
        return f"<p><strong>{get('heading') or ''}</strong></p>{get('content') or ''}"
    if name == "button":
        return _link(get("buttonUrl"), get("buttonText") or get("buttonUrl"))
    if name == "header":
        return f"<h2>{get('header') or ''}</h2><p>{get('subheader') or ''}</p>"
    if name in ("audio", "video", "file"):
        title = get("title") or get("fileTitle") or get("caption") or get("src")
        return _link(get("src"), title)
    if name == "paywall":
        return ""  # where free readers stopped: the post's visibility decides here
    notes.append(f"{LEFT_OUT.get(name, f'a “{name}” card')} was left out")
    return ""


def _figure(src, alt, caption):
    if not src:
        return ""
    caption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f'<figure><img src="{escape(src)}" alt="{escape(alt)}">{caption}</figure>'


def _link(url, text):
    if not url:
        return ""
    return f'<p><a href="{escape(url)}">{escape(text)}</a></p>'


# --- Mobiledoc ------------------------------------------------------------------------------


def mobiledoc_html(raw):
    """(HTML, notes) of a Mobiledoc document (a JSON string or its value)."""
    doc = _as_document(raw)
    notes = []
    if doc is None:
        return "", ["its Mobiledoc could not be read"]
    markups = _list(doc.get("markups"))
    atoms = _list(doc.get("atoms"))
    cards = _list(doc.get("cards"))
    out = []
    for section in _list(doc.get("sections")):
        if not isinstance(section, list) or not section:
            continue
        kind = section[0]
        if kind == 1 and len(section) > 2:
            tag = str(section[1]).lower()
            tag = "blockquote" if tag in QUOTE_TAGS else tag if tag in SECTION_TAGS else "p"
            out.append(f"<{tag}>{_markers(section[2], markups, atoms)}</{tag}>")
        elif kind == 2 and len(section) > 1:
            out.append(_figure(section[1], "", ""))
        elif kind == 3 and len(section) > 2:
            tag = "ol" if section[1] == "ol" else "ul"
            items = "".join(f"<li>{_markers(m, markups, atoms)}</li>" for m in _list(section[2]))
            out.append(f"<{tag}>{items}</{tag}>")
        elif kind == 10 and len(section) > 1:
            card = cards[section[1]] if _index_in(section[1], cards) else None
            if isinstance(card, list) and card:
                payload = card[1] if len(card) > 1 else {}
                out.append(card_html(str(card[0]), payload, notes))
    return "".join(out), notes


def _markers(markers, markups, atoms):
    out, open_tags = [], []
    for marker in _list(markers):
        if not isinstance(marker, list) or len(marker) < 4:
            continue
        kind, opened, closed, value = marker[:4]
        for index in _list(opened):
            markup = markups[index] if _index_in(index, markups) else None
            tag, start = _markup(markup)
            open_tags.append(tag)
            out.append(start)
        if kind == 1:  # an atom: [name, text, payload]
            atom = atoms[value] if _index_in(value, atoms) else None
            if isinstance(atom, list) and atom and atom[0] == "soft-return":
                out.append("<br>")
            elif isinstance(atom, list) and len(atom) > 1:
                out.append(escape(atom[1]))
        else:
            out.append(escape(value))
        count = closed if isinstance(closed, int) else 0
        for _ in range(min(max(count, 0), len(open_tags))):
            tag = open_tags.pop()
            out.append(f"</{tag}>" if tag else "")
    out += [f"</{tag}>" for tag in reversed(open_tags) if tag]
    return "".join(out)


def _markup(markup):
    """(tag, start tag) of a Mobiledoc markup: ("", "") for one not kept."""
    if not isinstance(markup, list) or not markup:
        return "", ""
    tag = str(markup[0]).lower()
    if tag not in MARKUP_TAGS:
        return "", ""
    if tag != "a":
        return tag, f"<{tag}>"
    attributes = _list(markup[1]) if len(markup) > 1 else []
    pairs = dict(zip(attributes[::2], attributes[1::2], strict=False))
    return "a", f'<a href="{escape(pairs.get("href"))}">'


def _list(value):
    return value if isinstance(value, list) else []


def _index_in(index, items):
    return isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(items)


# --- Lexical --------------------------------------------------------------------------------


def lexical_html(raw):
    """(HTML, notes) of a Lexical document (a JSON string or its value)."""
    doc = _as_document(raw)
    notes = []
    root = doc.get("root") if doc is not None else None
    if not isinstance(root, dict):
        return "", ["its Lexical content could not be read"]
    return _children(root, notes, 0), notes


def _children(node, notes, depth):
    return "".join(_node(child, notes, depth + 1) for child in _list(node.get("children")))


def _node(node, notes, depth):
    if not isinstance(node, dict):
        return ""
    if depth > MAX_DEPTH:
        notes.append("content nested too deeply was left out")
        return ""
    kind = str(node.get("type") or "").removeprefix("extended-")
    if kind == "text":
        return _text(node)
    if kind in ("linebreak", "tab"):
        return "<br>" if kind == "linebreak" else " "
    inner = _children(node, notes, depth)
    if kind == "paragraph":
        return f"<p>{inner}</p>"
    if kind == "heading":
        tag = str(node.get("tag") or "h2").lower()
        tag = tag if tag in SECTION_TAGS - {"p", "blockquote"} else "h2"
        return f"<{tag}>{inner}</{tag}>"
    if kind in ("quote", "aside"):
        return f"<blockquote>{inner}</blockquote>"
    if kind == "list":
        tag = "ol" if node.get("listType") == "number" or node.get("tag") == "ol" else "ul"
        return f"<{tag}>{inner}</{tag}>"
    if kind == "listitem":
        return f"<li>{inner}</li>"
    if kind in ("link", "autolink", "at-link"):
        return f'<a href="{escape(node.get("url"))}">{inner}</a>'
    if kind in ("root", "", "root-node"):
        return inner
    return card_html(kind, node, notes)


def _text(node):
    text = escape(node.get("text"))
    formats = node.get("format") if isinstance(node.get("format"), int) else 0
    for bit, tag in TEXT_FORMATS:
        if formats & bit:
            text = f"<{tag}>{text}</{tag}>"
    return text


# --- Markdown cards -------------------------------------------------------------------------

_FENCE = re.compile(r"^```[^\n]*\n(.*?)^```[ \t]*$", re.S | re.M)
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+(.*)$")
_INLINE = (
    (re.compile(r"!\[([^\]]*)\]\(([^)\s]+)[^)]*\)"), r'<img src="\2" alt="\1">'),
    (re.compile(r"\[([^\]]+)\]\(([^)\s]+)[^)]*\)"), r'<a href="\2">\1</a>'),
    (re.compile(r"`([^`]+)`"), r"<code>\1</code>"),
    (re.compile(r"\*\*(.+?)\*\*|__(.+?)__"), lambda m: f"<strong>{m[1] or m[2]}</strong>"),
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*|(?<!\w)_(?!\s)(.+?)(?<!\s)_(?!\w)"),
     lambda m: f"<em>{m[1] or m[2]}</em>"),
)  # fmt: skip


def markdown_html(text):
    """The common part of Markdown (headings, lists, quotes, code, emphasis, links, images) as
    HTML; the rest stays text. Ghost 1-3 kept whole posts in one Markdown card."""
    out = []
    parts = _FENCE.split(text.replace("\r\n", "\n"))
    for n, part in enumerate(parts):
        if n % 2:
            out.append(f"<pre><code>{escape(part.rstrip())}</code></pre>")
            continue
        for block in re.split(r"\n\s*\n", part.strip()):
            if block.strip():
                out.append(_markdown_block(block.strip("\n").split("\n")))
    return "".join(out)


def _markdown_block(lines):
    heading = _HEADING.match(lines[0]) if len(lines) == 1 else None
    if heading:
        level = len(heading[1])  # h1 becomes h2, h5 and h6 h4, when sanitised
        return f"<h{level}>{_inline(heading[2])}</h{level}>"
    for pattern, tag in ((_BULLET, "ul"), (_NUMBERED, "ol")):
        if all(pattern.match(line) for line in lines):
            items = "".join(f"<li>{_inline(pattern.match(line)[1])}</li>" for line in lines)
            return f"<{tag}>{items}</{tag}>"
    if all(line.startswith(">") for line in lines):
        inner = " ".join(line[1:].strip() for line in lines)
        return f"<blockquote><p>{_inline(inner)}</p></blockquote>"
    if all(re.fullmatch(r"\s*([-*_])(\s*\1){2,}\s*", line) for line in lines):
        return "<hr>"
    return f"<p>{_inline(' '.join(line.strip() for line in lines))}</p>"


def _inline(text):
    text = escape(text)
    for pattern, replacement in _INLINE:
        text = pattern.sub(replacement, text)
    return text
