"""Plain text from stored HTML: excerpts and search snippets.

The rules (SPEC §2.3): plain text, a space wherever a block ends (never "Dr. Mimi,How"),
entities decoded exactly once, cut at a word boundary and ended with "…".
"""

import re
from html.parser import HTMLParser

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
