"""Which letters a reader's question is about: the rules "already answered?" on /ask/ and the
editor's inbox share. The ranking itself is dearly.retrieval's (every published letter by
meaning, bench/README-retrieval.md).
"""

import re
import unicodedata

from dearly.core.text import html_to_text

# Words that say nothing about what a letter is about. Kept small and explicit: a term that
# is dropped here can never match, one that is kept only costs bm25 a little.
STOPWORDS = frozenset(
    "a about above after again against all also am an and any anyone anything are as at be "
    "because been before being below between both but by can cannot could did do does doing "
    "don done down during each either else even ever every everyone everything few for from "
    "get gets getting go goes going got had has have having he her here hers herself him "
    "himself his how i if in into is it its itself just ll me might mine more most much must "
    "my myself no nobody nor not nothing now of off on once one only or other others ought our "
    "ours ourselves out over own re really s same she should so some someone something still "
    "such t than that the their theirs them themselves then there these they this those "
    "though through to too under until up upon us ve very was we were what whatever when where "
    "whether which while who whom whose why will with within without would yet you your yours "
    "yourself dear mimi dr".split()
)
# The words the labelled set's checks compare (bench/): ASCII letters and digits.
_TOKEN = re.compile(r"[A-Za-z0-9]+")


def question_plain_text(html):
    """The plain text of a letter's rich-text question, as the rankers read it."""
    return html_to_text(html)


def _clean(text):
    return str(text or "").replace("\x00", " ")


def _fold(text):
    """`text` without NUL bytes and with accents dropped ("café" -> "cafe")."""
    decomposed = unicodedata.normalize("NFKD", _clean(text))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def content_words(text):
    """The distinct non-stopword ASCII words of `text`, lower-cased, in order of appearance."""
    seen = {}
    for token in _TOKEN.findall(_fold(text)):
        word = token.lower()
        if len(word) > 1 and word not in STOPWORDS:
            seen.setdefault(word, None)
    return list(seen)
