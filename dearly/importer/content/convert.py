"""convert(): a WordPress post body as Dearly body blocks.

Block-editor comments go, classic-editor text gets WordPress's automatic paragraphs, the
shortcodes WordPress ships ([caption], [gallery], [audio], [video], [embed], [playlist]) become
blocks, images, media, attributed quotes and bare oEmbed URLs are lifted out of the text flow,
`<!--more-->` marks the excerpt, and the rest is sanitised (links through `resolve_link`).
`convert_html()` does the same for HTML from other platforms, without WordPress's steps.
"""

import functools
import html as html_lib
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from .html import plain_text, sanitise
from .wpautop import wpautop


@dataclass(frozen=True, slots=True)
class Block:
    kind: str  # "paragraph", "image", "quote", "embed", "gallery", "note"
    value: dict


@dataclass(frozen=True, slots=True)
class Converted:
    blocks: tuple[Block, ...]
    excerpt_html: str  # the text before <!--more-->, "" when there is none
    has_more: bool
    notes: tuple[str, ...]  # what could not be kept as it was, for the import report


def _no_link(url: str) -> str | None:
    return None


# --- regular expressions, compiled once -------------------------------------------------------

# WordPress's block delimiter grammar (wp-includes/class-wp-block-parser.php), also `/-->`.
_BLOCK_COMMENT = re.compile(
    r"<!--\s+/?wp:(?:[a-z][a-z0-9_-]*/)?[a-z][a-z0-9_-]*\s+"
    r"(?:\{(?:(?:[^}]+|\}+(?=\})|(?!\}\s+/?-->).)*+)?\}\s+)?/?-->",
    re.S,
)
_MORE = re.compile(r"<!--more(.*?)?-->")
_NEXTPAGE = re.compile(r"<!--nextpage-->|<!--noteaser-->")

SHORTCODES = ("caption", "wp_caption", "gallery", "audio", "video", "embed", "playlist")
# get_shortcode_regex() from wp-includes/shortcodes.php, for the shortcodes we understand.
_SHORTCODE_START = (
    r"\[(\[?)(" + "|".join(SHORTCODES) + r")(?![A-Za-z0-9_-])([^\]/]*(?:/(?!\])[^\]/]*)*?)"
)
_SHORTCODE = re.compile(
    _SHORTCODE_START + r"(?:(/)\]|\](?:([^\[]*+(?:\[(?!/\2\])[^\[]*+)*+)\[/\2\])?)(\]?)"
)
# The same without enclosed content, for text with no closing tag: looking for one that is
# not there would scan the rest of the text once per shortcode.
_SHORTCODE_UNCLOSED = re.compile(_SHORTCODE_START + r"(?:(/)\]|\]())(\]?)")
# shortcode_parse_atts(): name="v", name='v', name=v, "v", 'v', v.
_SHORTCODE_ATTR = re.compile(
    r"""([\w-]+)\s*=\s*"([^"]*)"(?:\s|$)|([\w-]+)\s*=\s*'([^']*)'(?:\s|$)"""
    r"""|([\w-]+)\s*=\s*([^\s'"]+)(?:\s|$)|"([^"]*)"(?:\s|$)|'([^']*)'(?:\s|$)|(\S+)(?:\s|$)"""
)
_TAG_NAME = re.compile(r"<[^\s/>]+")
_HTML_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")

_QUOTE_WITH_CITE = re.compile(
    r"<blockquote\b[^>]*>((?:(?!</?blockquote\b).)*?<cite\b.*?)</blockquote>", re.S | re.I
)
_CITE = re.compile(r"<cite\b[^>]*>(.*?)</cite>", re.S | re.I)
_IMG = r"(?:<a\b[^>]*>\s*)?(<img\b[^>]*>)(?:\s*</a>)?"
_FIGURE_IMG = re.compile(
    r"<figure\b[^>]*>\s*" + _IMG + r"\s*(?:<figcaption\b[^>]*>(.*?)</figcaption>\s*)?</figure>",
    re.S | re.I,
)
_BARE_IMG = re.compile(_IMG, re.I)
_NOTHING = re.compile("").match("")
_PICTURE = re.compile(r"<picture\b[^>]*>(.*?)</picture\s*>", re.S | re.I)
_DIV = re.compile(r"<(/?)div\b[^>]*>", re.I)
_FIGURE = re.compile(r"<figure\b.*?</figure\s*>", re.S | re.I)


@functools.cache
def _media_tags(tags: tuple[str, ...]) -> re.Pattern:
    return re.compile(rf"<({'|'.join(tags)})\b([^>]*)>(.*?)</\1\s*>", re.S | re.I)


_SOURCE_SRC = re.compile(r"<source\b[^>]*?\bsrc\s*=\s*[\"']?([^\"'\s>]+)", re.I)
# WP_Embed::autoembed(): a URL alone on its line, or alone in a paragraph.
_URL_LINE = re.compile(r"^([ \t]*)(https?://[^\s<>\"]+)([ \t]*)$", re.M | re.I)
_URL_PARAGRAPH = re.compile(r"(<p(?: [^>]*)?>\s*)(https?://[^\s<>\"]+)(\s*</p>)", re.I)
_WP_IMAGE_CLASS = re.compile(r"\bwp-image-(\d+)\b")
_ATTACHMENT_ID = re.compile(r"attachment_(\d+)")
_PLACEHOLDER = re.compile(r"\x00(\d+)\x00")
_SPACES = re.compile(r"\s+")


# oEmbed providers WordPress knows (wp-includes/class-wp-oembed.php), by what they show.
_VIDEO_HOSTS = (
    "youtube.com", "youtu.be", "vimeo.com", "dailymotion.com", "dai.ly", "wordpress.tv",
    "videopress.com", "ted.com", "tiktok.com", "animoto.com", "flickr.com", "flic.kr",
    "smugmug.com", "cloudup.com", "screencast.com",
)  # fmt: skip
_AUDIO_HOSTS = (
    "soundcloud.com", "spotify.com", "mixcloud.com", "pocketcasts.com", "anghami.com",
    "reverbnation.com",
)  # fmt: skip
_OTHER_HOSTS = (
    "twitter.com", "x.com", "reddit.com", "tumblr.com", "slideshare.net", "scribd.com",
    "imgur.com", "issuu.com", "speakerdeck.com", "kickstarter.com", "amazon.com", "amzn.to",
    "pinterest.com", "bsky.app", "crowdsignal.com", "polldaddy.com", "wolframcloud.com",
    "someecards.com", "canva.com", "instagram.com", "facebook.com",
)  # fmt: skip
_VIDEO_EXTENSIONS = (".mp4", ".m4v", ".webm", ".ogv", ".flv", ".wmv", ".mov")
_AUDIO_EXTENSIONS = (".mp3", ".ogg", ".oga", ".m4a", ".wav", ".wma", ".flac")


# --- public functions -------------------------------------------------------------------------


def convert(raw: str, *, resolve_link: Callable[[str], str | None] = _no_link) -> Converted:
    """Convert one WordPress body (content:encoded) into blocks; never raises on odd input."""
    notes: list[str] = []
    text = raw.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    # WordPress skips wpautop for block-editor content (do_blocks runs first).
    classic = "<!-- wp:" not in text
    if not classic:
        text = _BLOCK_COMMENT.sub("", text)
    text = _NEXTPAGE.sub("\n\n", text)
    more = _MORE.search(text)
    parts = [text[: more.start()], text[more.end() :]] if more else [text]
    converted = [_convert_part(part, classic, resolve_link, notes) for part in parts]
    excerpt_html = ""
    if more:
        excerpt_html = "\n".join(b.value["html"] for b in converted[0] if b.kind == "paragraph")
    blocks = _merge_paragraphs([block for part in converted for block in part])
    return Converted(
        blocks=tuple(blocks),
        excerpt_html=excerpt_html,
        has_more=more is not None,
        notes=tuple(dict.fromkeys(notes)),
    )


# --- conversion steps -------------------------------------------------------------------------


def convert_html(raw: str, *, resolve_link: Callable[[str], str | None] = _no_link) -> Converted:
    """Convert HTML written by another platform (Ghost, Substack) into blocks: no shortcodes and
    no automatic paragraphs, wrappers (<div>, <picture>) unwrapped; images, media, attributed
    quotes and bare links lifted out and the rest sanitised, as for WordPress."""
    notes: list[str] = []
    text = raw.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    if "<" in text:
        text = _PICTURE.sub(lambda m: (_BARE_IMG.search(m.group(1)) or _NOTHING).group(), text)
        text = _FIGURE.sub(lambda m: _DIV.sub("", m.group()), text)  # <figure><div><img>
        text = _DIV.sub(lambda m: "</p>" if m.group(1) else "<p>", text)
    blocks = _merge_paragraphs(_convert_part(text, False, resolve_link, notes, shortcodes=False))
    return Converted(
        blocks=tuple(blocks), excerpt_html="", has_more=False, notes=tuple(dict.fromkeys(notes))
    )


def _convert_part(text, classic, resolve_link, notes, shortcodes=True) -> list[Block]:
    specials: list[Block] = []

    def hold(*blocks: Block) -> str:
        first = len(specials)
        specials.extend(blocks)
        # Blank lines around the placeholder make wpautop give it a paragraph of its own.
        return "".join(f"\n\n\x00{first + n}\x00\n\n" for n in range(len(blocks)))

    if shortcodes and "[" in text:
        pattern = _SHORTCODE if "[/" in text else _SHORTCODE_UNCLOSED
        text = pattern.sub(lambda m: _shortcode(m, hold, notes), text)
    if "<blockquote" in text or "<BLOCKQUOTE" in text:
        text = _QUOTE_WITH_CITE.sub(lambda m: hold(_quote(m.group(1))), text)
    if "<" in text:
        text = _FIGURE_IMG.sub(lambda m: hold(*_figure(m, notes)), text)
        text = _BARE_IMG.sub(lambda m: hold(*_image(m.group(1), "", notes)), text)
        lower = text.lower()
        closed = [tag for tag in ("video", "audio", "iframe") if f"</{tag}" in lower]
        if closed:  # an unclosed player would otherwise be searched to the end each time
            text = _media_tags(tuple(closed)).sub(lambda m: hold(*_media_tag(m, notes)), text)
    if "://" in text:
        text = _URL_LINE.sub(lambda m: _bare_url(m, hold), text)
        text = _URL_PARAGRAPH.sub(lambda m: _bare_url(m, hold), text)
    if classic:
        text = wpautop(text)

    blocks: list[Block] = []
    pieces = _PLACEHOLDER.split(text)
    for index, piece in enumerate(pieces):
        if index % 2:
            blocks.append(specials[int(piece)])
        else:
            cleaned = sanitise(piece, resolve_link, notes)
            if cleaned:
                blocks.append(Block("paragraph", {"html": cleaned}))
    return blocks


def _merge_paragraphs(blocks: list[Block]) -> list[Block]:
    merged: list[Block] = []
    for block in blocks:
        if block.kind == "paragraph" and merged and merged[-1].kind == "paragraph":
            html = merged[-1].value["html"] + "\n" + block.value["html"]
            merged[-1] = Block("paragraph", {"html": html})
        else:
            merged.append(block)
    return merged


# --- shortcodes, images, embeds, quotes ---------------------------------------------------------


def _attributes(text: str) -> tuple[dict[str, str], list[str]]:
    """shortcode_parse_atts(): named values (names lower-cased) and positional ones."""
    named: dict[str, str] = {}
    positional: list[str] = []
    text = re.sub("[\u00a0\u200b]+", " ", text)
    for m in _SHORTCODE_ATTR.finditer(text):
        if m[1]:
            named[m[1].lower()] = m[2]
        elif m[3]:
            named[m[3].lower()] = m[4]
        elif m[5]:
            named[m[5].lower()] = m[6]
        else:
            positional.append(m[7] if m[7] is not None else m[8] if m[8] is not None else m[9])
    return named, positional


def _shortcode(match, hold, notes) -> str:
    if match[1] == "[" and match[6] == "]":
        return match.group()[1:-1]  # [[gallery]] is how WordPress writes a literal [gallery]
    name = match[2]
    atts, positional = _attributes(match[3] or "")
    inner = match[5] or ""
    prefix, suffix = match[1], match[6]
    if name in ("caption", "wp_caption"):
        blocks = _caption(atts, inner, notes)
    elif name == "gallery":
        blocks = [_gallery(atts, notes)]
    elif name in ("audio", "video"):
        blocks = [_player(name, atts, positional, inner, notes)]
    elif name == "embed":
        url = plain_text(inner).strip() or atts.get("src", "")
        blocks = [_embed(url)] if url.startswith(("http://", "https://")) else []
        if not blocks:
            notes.append("an [embed] without a web address was dropped")
    else:  # playlist
        kind = "video" if atts.get("type") == "video" else "audio"
        ids = _ids(atts.get("ids", "") or atts.get("include", ""))
        listed = f" (attachments {', '.join(map(str, ids))})" if ids else ""
        article = "An" if kind == "audio" else "A"
        text = f"{article} {kind} playlist{listed} was here and could not be imported."
        blocks = [Block("note", {"text": text})]
        notes.append("a [playlist] became a note")
    return prefix + hold(*blocks) + suffix


def _caption(atts, inner, notes) -> list[Block]:
    found = _BARE_IMG.search(inner)
    caption_html = atts.get("caption") or (_BARE_IMG.sub("", inner) if found else "")
    caption = _one_line(plain_text(caption_html))
    if not found:
        notes.append("a [caption] without an image kept only its text")
        html = f"<p>{html_lib.escape(caption)}</p>"
        return [Block("paragraph", {"html": html})] if caption else []
    blocks = _image(found.group(1), caption, notes)
    id_match = _ATTACHMENT_ID.search(atts.get("id", ""))
    if blocks and blocks[0].value["attachment_id"] is None and id_match:
        blocks[0].value["attachment_id"] = int(id_match.group(1))
    return blocks


def _gallery(atts, notes) -> Block:
    ids = _ids(atts.get("ids", "") or atts.get("include", ""))
    note = ""
    if not ids:
        note = "all images attached to this post"
        notes.append("a [gallery] without ids stands for all images attached to the post")
    return Block("gallery", {"attachment_ids": ids, "note": note})


def _player(name, atts, positional, inner, notes) -> Block:
    extensions = _VIDEO_EXTENSIONS if name == "video" else _AUDIO_EXTENSIONS
    url = atts.get("src", "")
    if not url:
        url = next((atts[ext[1:]] for ext in extensions if atts.get(ext[1:])), "")
    if not url:
        url = plain_text(inner).strip() or next(iter(positional), "")
    url = html_lib.unescape(url).strip()
    if not url.startswith(("http://", "https://", "/")):
        notes.append(f"an [{name}] without a file became a note")
        article = "An" if name == "audio" else "A"
        return Block("note", {"text": f"{article} {name} player without a file was here."})
    return Block("embed", {"url": url, "kind": name})


def _one_line(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _ids(text: str) -> list[int]:
    return [int(part) for part in re.findall(r"\d+", text)]


def _html_attributes(tag: str) -> dict[str, str]:
    attributes = {}
    name = _TAG_NAME.match(tag)
    for m in _HTML_ATTR.finditer(tag, name.end() if name else 0):
        value = m[2] if m[2] is not None else m[3] if m[3] is not None else m[4] or ""
        attributes.setdefault(m[1].lower(), html_lib.unescape(value))
    return attributes


def _figure(match, notes) -> list[Block]:
    return _image(match.group(1), _one_line(plain_text(match.group(2) or "")), notes)


def _image(img_tag: str, caption: str, notes) -> list[Block]:
    attributes = _html_attributes(img_tag)
    src = attributes.get("src", "").strip()
    if not src.startswith(("http://", "https://", "/")):
        notes.append("an image without a usable source was dropped")
        return []
    class_match = _WP_IMAGE_CLASS.search(attributes.get("class", ""))
    value = {
        "src": src,
        "alt": _SPACES.sub(" ", attributes.get("alt", "")).strip(),
        "caption": caption,
        "attachment_id": int(class_match.group(1)) if class_match else None,
    }
    return [Block("image", value)]


def _media_tag(match, notes) -> list[Block]:
    tag, attributes_text, inner = match.group(1).lower(), match.group(2), match.group(3)
    attributes = _html_attributes(f"<{tag} {attributes_text}>")
    url = attributes.get("src", "")
    if not url:
        source = _SOURCE_SRC.search(inner)
        url = html_lib.unescape(source.group(1)) if source else ""
    if not url.startswith(("http://", "https://", "//")):
        notes.append(f"an <{tag}> without a web address was dropped")
        return []
    if url.startswith("//"):
        url = "https:" + url
    if tag == "iframe":
        return [_embed(url)]
    return [Block("embed", {"url": url, "kind": tag})]


def _embed(url: str) -> Block:
    return Block("embed", {"url": url, "kind": _embed_kind(url)})


def _embed_kind(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return "embed"
    host = (parts.hostname or "").removeprefix("www.")
    path = parts.path.lower()
    if path.endswith(_VIDEO_EXTENSIONS) or _host_in(host, _VIDEO_HOSTS):
        return "video"
    if path.endswith(_AUDIO_EXTENSIONS) or _host_in(host, _AUDIO_HOSTS):
        return "audio"
    return "embed"


def _host_in(host: str, hosts: tuple[str, ...]) -> bool:
    return any(host == known or host.endswith("." + known) for known in hosts)


def _is_embeddable(url: str) -> bool:
    return _embed_kind(url) != "embed" or _host_in(
        (urlsplit(url).hostname or "").removeprefix("www."), _OTHER_HOSTS
    )


def _bare_url(match, hold) -> str:
    url = html_lib.unescape(match.group(2))
    try:
        embeddable = _is_embeddable(url)
    except ValueError:
        embeddable = False
    if embeddable:
        return hold(_embed(url))
    # WordPress links a URL it cannot embed (WP_Embed::maybe_make_link).
    escaped = html_lib.escape(url)
    return f'{match.group(1)}<a href="{escaped}">{escaped}</a>{match.group(3)}'


def _quote(inner: str) -> Block:
    cite = _CITE.search(inner)
    attribution = plain_text(cite.group(1)).strip().lstrip("—–-― ").strip() if cite else ""
    quote = plain_text(_CITE.sub("", inner)).strip()
    return Block("quote", {"quote": quote, "attribution": attribution})
