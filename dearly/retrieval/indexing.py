"""Keeping the documents exact: every publish, unpublish, move behind a restriction, deletion
and import ends here, in `index_pages`, as a background task.

A page takes part by having a `retrieval_documents()` method (articles' guides, letters and
round-ups) that returns a list of `Described`: one for most pages, one per letter for a round-up
(each with its anchor). Only what any reader may see is indexed: Wagtail's `live().public()`,
which is also what `PostPage.objects.published()` means. A page that stops being public keeps
its rows, marked not live, and so does a letter taken out of a round-up, so that the vectors in
every process's memory drop them too.
"""

import hashlib
import logging
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal
from django.utils import timezone

from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished

import numpy as np
from django_tasks import task, task_backends
from django_tasks.backends.immediate import ImmediateBackend

from dearly.core.invalidation import invalidate
from dearly.core.statistics import refresh_statistics

from . import encoder as encoders
from .models import Document

logger = logging.getLogger(__name__)

# The invalidation tag of the documents: vectors.py reloads what changed when it moves.
RETRIEVAL = "retrieval"
BATCH = 200
# Texts per task of the threads embedding ahead: small enough that both threads stay busy to
# the end (a batch of 200 is 3 s of one core, which the other core once sat out).
AHEAD_CHUNK = 25
# Writing this many documents at once (an import, a reindex) refreshes PostgreSQL's statistics
# of the table at once, not when autovacuum comes by (dearly/core/statistics.py).
ANALYZE_AFTER = 1000
# Sent after documents changed, with `page_ids`: articles recomputes related posts then.
documents_indexed = Signal()


@dataclass(frozen=True)
class Described:
    """What a page gives retrieval: its kind ("letter", "guide"), the words to index (title and
    plain-text body) and the text whose meaning is embedded; `anchor` names one letter of a
    round-up ("letter-2"), empty for the whole page."""

    kind: str
    title: str
    body: str
    meaning: str
    anchor: str = ""


def digest(text):
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


def index_pages(page_ids, model=None):
    """Bring the documents of `page_ids` up to date with the pages. Returns how many were
    written and how many embedded. `model`: an Encoder, or None to use the process's own."""
    page_ids = sorted({int(pk) for pk in page_ids})
    changed, embedded = [], 0
    for start in range(0, len(page_ids), BATCH):
        c, e = _index_batch(page_ids[start : start + BATCH], model)
        changed += c
        embedded += e
    if len(changed) >= ANALYZE_AFTER:
        refresh_statistics(Document._meta.db_table)
    _announce(changed)
    return len(changed), embedded


def _announce(documents):
    """Once every batch is written: what depends on the documents (related posts) is worked
    out against all of them, so a page imported first still sees the pages imported after it.
    `documents`: the keys written (a round-up's pages once, however many of its letters)."""
    page_ids = sorted({key.page_id for key in documents})
    if page_ids:
        documents_indexed.send(Document, page_ids=page_ids)


def _index_batch(page_ids, model):
    """Write the documents of a batch of pages; the keys of those written, and how many were
    embedded."""
    public = set(Page.objects.filter(pk__in=page_ids).live().public().values_list("pk", flat=True))
    pages = {page.pk: page for page in Page.objects.filter(pk__in=public).specific()}
    _prefetch(pages.values())
    documents = defaultdict(dict)  # page id -> {anchor: document}
    for document in Document.objects.filter(page_id__in=page_ids):
        documents[document.page_id][document.anchor] = document
    now = timezone.now()
    new, changed, to_embed = [], [], []
    written = set()  # id() of the documents in `new` or `changed` (a list's `in` compared rows)
    for pk in page_ids:
        described = {d.anchor: d for d in _describe(pages.get(pk))}
        for anchor, document in documents[pk].items():
            if anchor not in described and document.live:  # gone: unpublished, or a letter cut
                document.live, document.updated_at = False, now
                changed.append(document)
                written.add(id(document))
        for anchor, part in described.items():
            document = documents[pk].get(anchor)
            fields = {"kind": part.kind, "title": part.title, "body": part.body, "live": True}
            if document is None:
                document = Document(page_id=pk, anchor=anchor, updated_at=now, **fields)
                new.append(document)
                written.add(id(document))
            elif any(getattr(document, name) != value for name, value in fields.items()):
                for name, value in fields.items():
                    setattr(document, name, value)
                changed.append(document)
                written.add(id(document))
            text_digest = digest(part.meaning)
            if document.digest != text_digest or document.vector is None:
                to_embed.append((document, part.meaning, text_digest))
                if id(document) not in written:
                    changed.append(document)
                    written.add(id(document))
    embedded = _embed(to_embed, model)
    for document in changed:
        document.updated_at = now
    with transaction.atomic():
        Document.objects.bulk_create(new)
        Document.objects.bulk_update(
            changed, ["kind", "title", "body", "live", "digest", "vector", "updated_at"]
        )
    if new or changed:
        invalidate(RETRIEVAL)
    return [d.key for d in (*new, *changed)], embedded


def _prefetch(pages):
    """What each page type's `retrieval_documents` reads of related rows (its
    `retrieval_prefetch`, e.g. a post's topics), fetched for the whole batch: one query per
    type and relation instead of one per page."""
    by_type = defaultdict(list)
    for page in pages:
        by_type[type(page)].append(page)
    for page_type, same in by_type.items():
        for lookup in getattr(page_type, "retrieval_prefetch", ()):
            prefetch_related_objects(same, lookup)


def _describe(page):
    """The page's `Described` documents: [] for a page that has none (not public, no method)."""
    method = getattr(page, "retrieval_documents", None)
    return list(method()) if method is not None else []


def _embed(items, model):
    """Vectors for (document, text, digest) items, set on the documents; how many were made.
    Without a model the documents keep no vector (and their old digest), and `reindex`
    embeds them once the model loads."""
    if not items:
        return 0
    model = model or encoders.encoder()
    if model is None:
        for document, _, _ in items:
            document.vector = None
        return 0
    ahead = _ahead.get()
    found = ahead.take([text_digest for _, _, text_digest in items]) if ahead is not None else {}
    missing = {text_digest: text for _, text, text_digest in items if text_digest not in found}
    if missing:
        vectors = model.encode(list(missing.values()), max_tokens=encoders.DOCUMENT_TOKENS)
        found.update(zip(missing, vectors, strict=True))
    for document, _, text_digest in items:
        document.vector = np.asarray(found[text_digest], dtype="<f4").tobytes()
        document.digest = text_digest
    return len(items)


class Ahead:
    """Vectors worked out in background threads while pages go on being written (a bulk import,
    `reindex`): the encoder's matrix products release the GIL, so they run on the other core.
    They are kept by the digest of the text embedded, so a page whose text changes before it is
    indexed (an import rewriting its links) is embedded again, never given a stale vector."""

    def __init__(self, model, threads=2):
        self.model = model
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="embed-ahead")
        self.futures = {}  # digest -> (future, row in its result)
        self.sent = set()

    def add(self, page_ids):
        """Start embedding the pages of `page_ids` that will be indexed (live and public, read in
        the caller's transaction) and whose text has no vector yet."""
        page_ids = list(page_ids)
        pages = list(Page.objects.filter(pk__in=page_ids).live().public().specific())
        _prefetch(pages)
        known = set(
            Document.objects.filter(page_id__in=page_ids, vector__isnull=False).values_list(
                "digest", flat=True
            )
        )
        texts = {}
        for page in pages:
            for described in _describe(page):
                text_digest = digest(described.meaning)
                if text_digest not in known and text_digest not in self.futures:
                    texts[text_digest] = described.meaning
        items = list(texts.items())
        for start in range(0, len(items), AHEAD_CHUNK):
            chunk = items[start : start + AHEAD_CHUNK]
            future = self.pool.submit(
                self.model.encode, [text for _, text in chunk], max_tokens=encoders.DOCUMENT_TOKENS
            )
            self.futures.update((key, (future, row)) for row, (key, _) in enumerate(chunk))

    def take(self, digests):
        """{digest: vector} for those of `digests` handed to the threads, once they are done;
        each is given out once."""
        found = {}
        for key in digests:
            if key in self.futures:
                future, row = self.futures.pop(key)
                found[key] = future.result()[row]
        return found

    def close(self):
        self.pool.shutdown(cancel_futures=True)


_ahead = ContextVar("dearly_embedding_ahead", default=None)


@contextmanager
def embedding_ahead():
    """Yield an `Ahead` whose vectors `index_pages` then uses, when pages are indexed in this
    process (the in-process task backend) and the model loads; otherwise None, and the pages
    are embedded by whoever indexes them (the task worker)."""
    immediate = isinstance(task_backends[index_pages_task.backend], ImmediateBackend)
    with _ahead_with(encoders.encoder() if immediate and _auto_update[0] else None) as ahead:
        yield ahead


@contextmanager
def _ahead_with(model):
    if model is None:
        yield None
        return
    ahead = Ahead(model)
    reset = _ahead.set(ahead)
    try:
        yield ahead
    finally:
        _ahead.reset(reset)
        ahead.close()


@task()
def index_pages_task(page_ids):
    index_pages(page_ids)


_auto_update = [True]


def auto_update(on):
    """Whether changes are indexed as they happen (tests that read no index turn it off)."""
    _auto_update[0] = bool(on)


def schedule(page_ids):
    """Index `page_ids` in the background: at once with the in-process task backend (in this
    transaction, which it then reads), or by the worker once the queued task is committed."""
    page_ids = sorted({int(pk) for pk in page_ids})
    if page_ids and _auto_update[0]:
        index_pages_task.enqueue(page_ids)


def reindex(progress=None, model=None, missing_only=False):
    """Every page with `retrieval_documents()` brought up to date, and the rows of pages that
    are gone marked not live. Safe to re-run: unchanged text is not embedded again.
    `missing_only`: only the pages that have no document yet (a site upgraded to this
    version; `make run` starts with it). `progress(done, total, seconds)` is called after
    each batch. Returns (pages, written, embedded)."""
    ids = {pk for pk, model_class in _pages_with_documents() if _takes_part(model_class)}
    known = set(Document.objects.values_list("page_id", flat=True))
    if missing_only:
        ids = sorted(ids - known)
    else:
        live = Document.objects.filter(live=True).values_list("page_id", flat=True)
        ids = sorted(ids | set(live))
    changed, embedded = [], 0
    started = time.monotonic()
    batches = [ids[start : start + BATCH] for start in range(0, len(ids), BATCH)]
    # The next batches are embedded in two threads while this one is written: both cores.
    with _ahead_with(model or encoders.encoder()) as ahead:
        for n, batch in enumerate(batches):
            for upcoming in batches[n + 1 : n + 3] if n else batches[:3]:
                if ahead is not None and upcoming[0] not in ahead.sent:
                    ahead.sent.add(upcoming[0])
                    ahead.add(upcoming)
            c, e = _index_batch(batch, model)
            changed += c
            embedded += e
            if progress is not None:
                progress(min((n + 1) * BATCH, len(ids)), len(ids), time.monotonic() - started)
    _announce(changed)
    return len(ids), len(changed), embedded


def _takes_part(model_class):
    return model_class is not None and hasattr(model_class, "retrieval_documents")


def _pages_with_documents():
    """(page id, specific model class) of every page, read without loading the pages."""
    rows = Page.objects.values_list("pk", "content_type_id").iterator()
    return [(pk, ContentType.objects.get_for_id(ct).model_class()) for pk, ct in rows]


# -- Hearing changes --


def _published(sender, instance, **kwargs):
    schedule([instance.pk])


def _unpublished(sender, instance, **kwargs):
    schedule([instance.pk])


def _deleted(sender, instance, **kwargs):
    # The page row is gone: its documents are marked not live now, in this transaction.
    updated = Document.objects.filter(page_id=instance.pk, live=True).update(
        live=False, updated_at=timezone.now()
    )
    if updated:
        invalidate(RETRIEVAL)


def _restriction_changed(sender, instance, **kwargs):
    page = Page.objects.filter(pk=instance.page_id).first()
    if page is not None:
        schedule(Page.objects.descendant_of(page, inclusive=True).values_list("pk", flat=True))


def connect():
    uid = "dearly.retrieval"
    page_published.connect(_published, weak=False, dispatch_uid=f"{uid}:published")
    page_unpublished.connect(_unpublished, weak=False, dispatch_uid=f"{uid}:unpublished")
    post_delete.connect(_deleted, sender=Page, weak=False, dispatch_uid=f"{uid}:deleted")
    for signal in (post_save, post_delete):
        signal.connect(
            _restriction_changed,
            sender=PageViewRestriction,
            weak=False,
            dispatch_uid=f"{uid}:restriction:{id(signal)}",
        )
