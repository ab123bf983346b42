"""Search snippets: the passage of a post around the first matching word, with matches marked."""

import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

from dearly.core.text import ELLIPSIS, html_to_text

TERM = re.compile(r"\w+", re.UNICODE)
SNIPPET_WORDS = 40


def query_terms(query):
    """The words of a query, without the search syntax: quotes, stars and operators are text."""
    return [t for t in TERM.findall(query.lower()) if t not in {"and", "or", "not"}][:20]


def highlighted_snippet(post, terms, words=SNIPPET_WORDS):
    """Escaped plain text around the first term found, each term wrapped in <mark>; taken from
    one passage (a letter's question, or its answer), never running from one into the next."""
    passages = [text for text in (html_to_text(p) for p in post.text_passages()) if text]
    text = next(
        (p for p in passages if any(term in p.lower() for term in terms)),
        passages[0] if passages else post.summary,
    )
    tokens = text.split(" ")
    lowered = [t.lower() for t in tokens]
    start = next((i for i, tok in enumerate(lowered) if any(term in tok for term in terms)), 0)
    start = max(0, start - 8)
    chosen = " ".join(tokens[start : start + words])
    prefix = ELLIPSIS if start > 0 else ""
    suffix = ELLIPSIS if start + words < len(tokens) else ""
    if suffix:  # "noticed…", not "noticed.…"
        chosen = chosen.rstrip(" .,;:–—-")
    return mark_safe(prefix + mark_terms(chosen, terms) + suffix)  # noqa: S308  # escaped pieces


def mark_terms(text, terms):
    """`text` escaped, with each occurrence of a term wrapped in <mark>."""
    if not terms:
        return escape(text)
    pattern = re.compile(
        "(" + "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)) + ")",
        re.IGNORECASE,
    )
    pieces = pattern.split(text)
    # split() with one group alternates text, match, text, …: odd indexes are matches.
    html = "".join(
        f"<mark>{escape(piece)}</mark>" if i % 2 else escape(piece)
        for i, piece in enumerate(pieces)
    )
    return mark_safe(html)  # noqa: S308  # every piece is escaped above
