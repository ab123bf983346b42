"""The retrieval API the site uses: `/search/` (`search`), "already answered?" on `/ask/` and
the editor's inbox (`similar`), and related posts (`neighbours`). Each returns what it found
with scores, best first: search and similar a `Key` per document (a page, or one letter of a
round-up: its page id and anchor), neighbours page ids. Callers filter them through
`PostPage.objects.published()` and load the pages. Words come from lexical.py (one indexed
query), meaning from vectors.py (one matrix product over every live document, no lexical gate
in front).
"""

import logging

from . import encoder as encoders
from . import lexical
from .vectors import vectors

logger = logging.getLogger(__name__)

# Reciprocal-rank fusion's constant (Cormack et al. 2009): 60 works across collections.
RRF_K = 60
# "Already answered?" shows nothing unless the closest letter's plain cosine reaches the gate,
# and then the letters whose centred cosine (vectors.py) reaches SIMILAR_MIN. Tuned on the
# labelled set among 2,800 letters: 5 of 17 off-topic questions still show letters, against 9
# with a plain cosine of 0.25 (bench/README-retrieval.md).
SIMILAR_GATE = 0.3
SIMILAR_MIN = 0.2
# In search, a post found by meaning alone must be at least this close (cosine): otherwise any
# query, "xyzzy" included, would list the hundred nearest posts.
SEARCH_MIN_COSINE = 0.2
# Pages whose neighbours are found in one matrix product: 64 x 100,000 scores are 26 MB.
NEIGHBOURS_BATCH = 64
# Readers' text longer than this says nothing more to the model; the rest only costs time.
MAX_CHARS = 2000


def embed(text):
    """The unit vector of `text`, or None (no model, or nothing to embed)."""
    text = " ".join(str(text or "").replace("\x00", " ").split())[:MAX_CHARS]
    model = encoders.encoder()
    if not text or model is None:
        return None
    try:
        return model.encode([text])[0]
    except Exception:
        logger.exception("embedding a query failed: ranking by words only")
        return None


def by_meaning(text, kinds=None, limit=50, request=None, exclude=()):
    """[(Key, centred cosine, cosine)] closest in meaning to `text` among every live document
    (vectors.py)."""
    vector = embed(text)
    if vector is None:
        return []
    vectors.refresh(request)
    return vectors.nearest(vector, kinds=kinds, limit=limit, exclude=exclude)


def similar(text, kinds=("letter",), limit=5, min_score=SIMILAR_MIN, request=None):
    """[(Key, score)]: the documents closest to `text` by meaning, none if even the closest
    is not close (SIMILAR_GATE); by words (any of them, bm25) when no model is loaded."""
    if encoders.encoder() is None:
        return lexical.matching(lexical.terms(text), kinds=kinds, limit=limit, any_word=True)
    return _shown(by_meaning(text, kinds=kinds, limit=limit, request=request), min_score)


def similar_many(texts, kinds=("letter",), limit=5, min_score=SIMILAR_MIN, request=None):
    """`similar` for several texts (the editor's inbox), embedded together."""
    texts = [" ".join(str(t or "").replace("\x00", " ").split())[:MAX_CHARS] for t in texts]
    model = encoders.encoder()
    if model is None:
        return [similar(text, kinds, limit, min_score, request) for text in texts]
    vectors.refresh(request)
    found = vectors.nearest_many(model.encode(texts), kinds=kinds, limit=limit)
    return [_shown(ranked, min_score) for ranked in found]


def _shown(ranked, min_score):
    if not ranked or max(raw for _, _, raw in ranked) < SIMILAR_GATE:
        return []
    return [(key, score) for key, score, _ in ranked if score >= min_score]


def search(text, kinds=None, limit=100, request=None):
    """[(Key, score)] for a reader's search: the documents with all its words, fused by
    reciprocal rank with those closest in meaning."""
    words = lexical.terms(text)
    by_words = lexical.matching(words, kinds=kinds, limit=limit)
    meaning = by_meaning(" ".join(words), kinds=kinds, limit=limit, request=request)
    meaning = [(key, score) for key, score, raw in meaning if raw >= SEARCH_MIN_COSINE]
    return fuse(by_words, meaning)[:limit]


def neighbours(page_id, kinds=None, limit=20, request=None):
    """[(page id, cosine)] of the pages closest in meaning to page `page_id` (a round-up: to its
    letters' mean), each page once (a round-up at its closest letter)."""
    vectors.refresh(request)
    vector = vectors.vector_of(page_id)
    if vector is None:
        return []
    return _pages(vectors.nearest(vector, kinds, limit, [page_id]))


def neighbours_many(page_ids, kinds=None, limit=20, request=None):
    """{page id: neighbours(page id)} for many pages, in one matrix product per batch."""
    vectors.refresh(request)
    own = {pk: vectors.vector_of(pk) for pk in page_ids}
    page_ids = [pk for pk in page_ids if own[pk] is not None]
    found = {}
    for start in range(0, len(page_ids), NEIGHBOURS_BATCH):
        batch = page_ids[start : start + NEIGHBOURS_BATCH]
        queries = [own[pk] for pk in batch]
        exclude = [[pk] for pk in batch]
        found_batch = vectors.nearest_many(queries, kinds, limit, exclude)
        for pk, ranked in zip(batch, found_batch, strict=True):
            found[pk] = _pages(ranked)
    return found


def _pages(ranked):
    """[(Key, score, …)] best first -> [(page id, score)], each page at its best."""
    seen = {}
    for key, score, *_ in ranked:
        seen.setdefault(key.page_id, score)
    return list(seen.items())


def fuse(*rankings, k=RRF_K):
    """Reciprocal-rank fusion of [(key, score)] rankings: [(key, fused score)], best first."""
    fused = {}
    for ranking in rankings:
        for rank, (key, _) in enumerate(ranking):
            fused[key] = fused.get(key, 0.0) + 1.0 / (k + rank + 1)
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))
