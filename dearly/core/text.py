"""Plain text from stored HTML: excerpts and search snippets; and text readers type, made safe
to store and show.

The excerpt rules (SPEC §2.3): plain text, a space wherever a block ends (never "Dr. Mimi,How"),
entities decoded exactly once, cut at a word boundary and ended with "…".
"""

import functools
import re
import unicodedata
from html.parser import HTMLParser

from confusable_homoglyphs.confusables import confusables_data

EXCERPT_WORDS = 40
ELLIPSIS = "…"

# Elements after which a reader sees a break; their text must not run into the next block.
BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 "
    "header hr li main nav ol p pre section table td th tr ul".split()
)
# Elements whose content is never reader-visible text.
SKIP_TAGS = frozenset({"script", "style", "template", "noscript"})
_WHITESPACE = re.compile(r"\s+")


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)  # decodes entities, once
        self.parts = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIP_TAGS:
            self.skipping += 1
        elif tag in BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in SKIP_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html):
    """The text a reader sees in `html`, on one line, with single spaces."""
    if not html:
        return ""
    parser = _TextExtractor()
    parser.feed(str(html))
    parser.close()
    return _WHITESPACE.sub(" ", "".join(parser.parts)).strip()


def truncate_words(text, words=EXCERPT_WORDS):
    """Cut plain `text` after `words` words, ending with "…" when something was cut."""
    text = _WHITESPACE.sub(" ", text or "").strip()
    pieces = text.split(" ")
    if len(pieces) <= words:
        return text
    cut = " ".join(pieces[:words]).rstrip(" ,;:–—-")
    # A sentence already ended by punctuation keeps it; the ellipsis shows the cut either way.
    return cut.rstrip(".") + ELLIPSIS


def excerpt_from_html(*html_parts, words=EXCERPT_WORDS):
    """An excerpt from one or more pieces of HTML, read in order as one text."""
    text = " ".join(t for t in (html_to_text(part) for part in html_parts) if t)
    return truncate_words(text, words)


# Invisible characters that reorder or hide what a reader sees (U+202E showed "gnp.exe" as
# "exe.png"; a zero-width space hides inside a word): every format character (Cf: bidi
# embeddings, overrides, isolates and marks, zero-width space and joiners, word joiner, BOM,
# soft hyphen, tags), plus the Hangul fillers and the grapheme joiner, invisible but not Cf.
# https://www.unicode.org/reports/tr36/#Bidirectional_Text_Spoofing
INVISIBLE_NOT_CF = frozenset("\u034f\u115f\u1160\u3164\uffa0")
ZERO_WIDTH_JOINER = "\u200d"
VARIATION_SELECTOR_16 = "\ufe0f"


def _is_emoji_part(ch):
    # Emoji are symbols (So); skin tones are modifiers (Sk); U+FE0F asks for emoji presentation.
    return ch == VARIATION_SELECTOR_16 or unicodedata.category(ch) in ("So", "Sk")


def clean_typed_text(text):
    """`text` as a reader typed it, NFC-normalised and without invisible characters. A zero-width
    joiner between two emoji is kept (woman + ZWJ + laptop stays one picture); elsewhere it goes."""
    text = unicodedata.normalize("NFC", text or "")
    kept = []
    for i, ch in enumerate(text):
        if ch in INVISIBLE_NOT_CF or unicodedata.category(ch) == "Cf":
            between_emoji = (
                ch == ZERO_WIDTH_JOINER
                and kept
                and _is_emoji_part(kept[-1])
                and i + 1 < len(text)
                and unicodedata.category(text[i + 1]) == "So"
            )
            if not between_emoji:
                continue
        kept.append(ch)
    return "".join(kept)


@functools.cache
def _prototypes():
    """Each confusable character and the one its look-alikes share, from Unicode's confusables
    data (UTS #39) as confusable-homoglyphs ships it. That data lists every source → prototype
    pair both ways; a source is one code point with exactly one partner, and a prototype (which
    may be several characters, "rn" for "m") is the partner of all its sources."""
    partners = {}
    for char, homoglyphs in confusables_data.items():
        # The data wraps right-to-left characters in U+200E marks for display.
        partners.setdefault(char.strip("\u200e"), set()).update(
            glyph["c"].strip("\u200e") for glyph in homoglyphs
        )
    prototypes = {}
    for char, others in partners.items():
        if len(char) != 1 or len(others) != 1:
            continue  # a prototype
        (other,) = others
        if len(other) > 1 or len(partners.get(other, ())) > 1:
            prototypes[char] = other
        elif char > other:
            prototypes[char] = other  # a lone pair: either can stand for both, the smaller does
    return prototypes


def skeleton(text):
    """UTS #39's skeleton: two strings that look alike have the same one ("Dr. Мimi" with a
    Cyrillic М and "Dr. Mimi"). https://www.unicode.org/reports/tr39/#Confusable_Detection"""
    prototypes = _prototypes()
    text = clean_typed_text(unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFD", "".join(prototypes.get(ch, ch) for ch in text))


def name_keys(name):
    """What a name looks like, for telling whether two names could pass for each other: its
    skeletons without case, accents, punctuation, spaces or symbols. "Dr Mimi", "DR. MIMI",
    "Dr. Mímí", "Dr. Mimi ✓" and "Ｄｒ．Ｍｉｍｉ" share a key with "Dr. Mimi"."""
    name = unicodedata.normalize("NFKC", name or "")
    # Symbols go first ("Dr. Mimi ✓"); the skeleton maps a few letters to symbols ("小" → "⺌").
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "S")
    keys = set()
    # As typed and in upper case ("I" looks like "l", "i" does not). Each time the skeleton
    # comes before case folding as well as after: Cyrillic "М" looks like "M", but its lower case
    # "м" like no Latin letter; and "0" becomes "O" only to be folded to "o".
    for variant in (name, name.upper()):
        text = skeleton(skeleton(variant).casefold())
        keys.add("".join(ch for ch in text if unicodedata.category(ch)[0] not in "MPZC"))
    keys.discard("")
    return keys
