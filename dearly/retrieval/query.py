"""The retrieval API the site uses: `/search/` (`search`), "already answered?" on `/ask/` and
the editor's inbox (`similar`), and related posts (`neighbours`). Each returns page ids with
scores, best first; callers filter them through `PostPage.objects.published()` and load the
pages. Words come from lexical.py (one indexed query), meaning from vectors.py (one matrix
product over every live document, no lexical gate in front).
"""

import logging

from . import encoder as encoders
from . import lexical
from .vectors import vectors

logger = logging.getLogger(__name__)

# Reciprocal-rank fusion's constant (Cormack et al. 2009): 60 works across collections.
RRF_K = 60
# In search, a post found by meaning alone must be at least this close (cosine): otherwise any
# query, "xyzzy" included, would list the hundred nearest posts.
SEARCH_MIN_COSINE = 0.2
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
    """[(page id, cosine)] closest in meaning to `text` among every live document."""
    vector = embed(text)
    if vector is None:
        return []
    vectors.refresh(request)
    return vectors.nearest(vector, kinds=kinds, limit=limit, exclude=exclude)


def similar(text, kinds=("letter",), limit=5, min_score=0.0, request=None):
    """[(page id, score)]: the documents closest to `text` by meaning, none under `min_score`;
    by words (any of them, bm25) when no model is loaded."""
    ranked = by_meaning(text, kinds=kinds, limit=limit, request=request)
    if ranked or encoders.encoder() is not None:
        return [(pk, score) for pk, score in ranked if score >= min_score]
    return lexical.matching(lexical.terms(text), kinds=kinds, limit=limit, any_word=True)


def similar_many(texts, kinds=("letter",), limit=5, min_score=0.0, request=None):
    """`similar` for several texts (the editor's inbox), embedded together."""
    texts = [" ".join(str(t or "").replace("\x00", " ").split())[:MAX_CHARS] for t in texts]
    model = encoders.encoder()
    if model is None:
        return [similar(text, kinds, limit, min_score, request) for text in texts]
    vectors.refresh(request)
    found = vectors.nearest_many(model.encode(texts), kinds=kinds, limit=limit)
    return [[(pk, s) for pk, s in ranked if s >= min_score] for ranked in found]


def search(text, kinds=None, limit=100, request=None):
    """[(page id, score)] for a reader's search: the documents with all its words, fused by
    reciprocal rank with those closest in meaning."""
    words = lexical.terms(text)
    by_words = lexical.matching(words, kinds=kinds, limit=limit)
    meaning = by_meaning(" ".join(words), kinds=kinds, limit=limit, request=request)
    meaning = [(pk, score) for pk, score in meaning if score >= SEARCH_MIN_COSINE]
    return fuse(by_words, meaning)[:limit]


def neighbours(page_id, kinds=None, limit=20, request=None):
    """[(page id, cosine)] of the documents closest in meaning to page `page_id`'s own."""
    vectors.refresh(request)
    vector = vectors.vector_of(page_id)
    if vector is None:
        return []
    return vectors.nearest(vector, kinds=kinds, limit=limit, exclude=[page_id])


def neighbours_many(page_ids, kinds=None, limit=20, request=None):
    """{page id: neighbours(page id)} for many pages, in one matrix product per batch."""
    vectors.refresh(request)
    page_ids = [pk for pk in page_ids if vectors.vector_of(pk) is not None]
    found = {}
    for start in range(0, len(page_ids), 256):
        batch = page_ids[start : start + 256]
        queries = [vectors.vector_of(pk) for pk in batch]
        exclude = [[pk] for pk in batch]
        for pk, ranked in zip(
            batch, vectors.nearest_many(queries, kinds, limit, exclude), strict=True
        ):
            found[pk] = ranked
    return found


def fuse(*rankings, k=RRF_K):
    """Reciprocal-rank fusion of [(id, score)] rankings: [(id, fused score)], best first."""
    fused = {}
    for ranking in rankings:
        for rank, (pk, _) in enumerate(ranking):
            fused[pk] = fused.get(pk, 0.0) + 1.0 / (k + rank + 1)
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))
