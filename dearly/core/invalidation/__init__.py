"""One way to say "this changed", and one way to say "this shows that" (docs/architecture.md,
"Invalidation").

Tags name what content a response or fragment shows:

- `page:<id>`: one page (its text, its view restrictions);
- `pages`: which pages are published, where, under what titles (listings, routes, related
  posts, the footer);
- `site`: site-wide content (settings, topics, tags, images, sites, authors' names);
- `thread:<id>`: the comments readers see on one page (its threads and their count);
- `held:<id>`: which readers have a comment held for moderation on one page;
- `comments`: the comment counts listings and related posts show;
- `permissions`: who may use the admin;
- `*`: everything (`invalidate_everything()`).

A change bumps tags: `invalidate(*tags)`. Each app says which changes of its models bump which
tags with `when_saved(...)` and `when_signalled(...)`, from its AppConfig.ready(). A bump raises
one shared generation counter and sets each bumped tag's version to it (dearly.core.invalidation
.store: a memory-mapped file and SQLite on one machine, Redis across app servers).

Readers depend on tags in two ways:
- a whole response stored by the page cache (dearly.pagecache): `depends_on(*tags)` while it
  renders; the response is valid while none of its tags has a version above the generation it
  was rendered at;
- a fragment in the "fragments" cache: `cached(request, name, tags, build)` keys it by the newest
  version among its tags (`token()`), so after a bump the old entry is never read again and ages
  out. The token is read once per request and tag set, and per process only when the generation
  has moved: a page with ten fragments costs no query while nothing changes.
"""

import logging
import secrets
from contextlib import contextmanager
from contextvars import ContextVar
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils.connection import ConnectionProxy

from .store import ALL, StoreError, get_store

logger = logging.getLogger(__name__)

PAGES = "pages"
SITE = "site"
COMMENTS = "comments"
PERMISSIONS = "permissions"
CONTENT = (PAGES, SITE)  # what a published page shows apart from its comments
TIMEOUT = 24 * 3600  # fragments under old tokens are never read again; let them expire

# Fragments are only an optimisation: in each process's memory (or in Redis), never in the
# shared "default" cache, which is a database table on one machine.
fragment_cache = ConnectionProxy(caches, "fragments")


def page(pk):
    return f"page:{pk}"


def thread(page_id):
    return f"thread:{page_id}"


def held(page_id):
    return f"held:{page_id}"


# -- Announcing changes --


def invalidate(*tags):
    """Make everything that depends on any of `tags` stale: now, so that the rest of this
    transaction never reads an old copy, and again after the commit, so that a copy rendered
    from the old rows in between is not kept either."""
    tags = tuple(tag for tag in tags if tag)
    if not tags:
        return
    batch = _batch.get()
    if batch is not None:
        batch.update(tags)
        return
    if not transaction.get_connection().in_atomic_block:
        _bump(tags, purge=True)  # already committed
        return
    _bump(tags)
    transaction.on_commit(lambda: _bump(tags, purge=True))


_batch = ContextVar("dearly_invalidation_batch", default=None)


@contextmanager
def batched():
    """Collect the bumps made inside the block and make them once, at its end: a bulk import
    saves thousands of rows, each of which would bump its tags."""
    tags = set()
    reset = _batch.set(tags)
    try:
        yield
    finally:
        _batch.reset(reset)
        invalidate(*sorted(tags))


def invalidate_everything():
    """After rows were changed behind the signals' back (clear_page_cache, a restore)."""
    invalidate(ALL)


def _bump(tags, purge=False):
    global _bumps_here
    _bumps_here += 1  # requests in this process read the generation again (_generation)
    store = get_store()
    try:
        urls = store.urls_for(tags) if purge and settings.WAGTAILFRONTENDCACHE else ()
        store.bump(tags)
    except StoreError:
        # Cached copies of this content stay until they expire (PAGECACHE_TTL, TIMEOUT).
        logger.exception("invalidation: could not bump %s", ", ".join(tags))
        return
    if urls:
        # A CDN in front (settings.WAGTAILFRONTENDCACHE) forgets the pages too.
        from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache

        purge_urls_from_cache(urls)


def when_saved(model, tags_for, *, deleted_signal=post_delete, subclasses=False):
    """On each save and delete of `model` (and of its subclasses: Wagtail's specific page
    classes), invalidate `tags_for(instance, created=…, update_fields=…, deleted=…)`, an
    iterable of tags (empty: nothing shown changed). `deleted_signal=pre_delete` for rules that
    must read related rows before they go."""
    name = f"{tags_for.__module__}.{tags_for.__qualname__}"
    sender = None if subclasses else model

    def saved(sender, instance, created=False, update_fields=None, **kwargs):
        if sender is model or isinstance(instance, model):
            tags = tags_for(instance, created=created, update_fields=update_fields, deleted=False)
            invalidate(*tags)

    def deleted(sender, instance, **kwargs):
        if sender is model or isinstance(instance, model):
            invalidate(*tags_for(instance, created=False, update_fields=None, deleted=True))

    uid = f"dearly.invalidation:{name}:{model._meta.label}"
    post_save.connect(saved, sender=sender, weak=False, dispatch_uid=f"{uid}:saved")
    deleted_signal.connect(deleted, sender=sender, weak=False, dispatch_uid=f"{uid}:deleted")


def when_signalled(signal, tags_for, *, sender=None):
    """On `signal` (Wagtail's page_published, m2m_changed…), invalidate
    `tags_for(instance, **kwargs)`."""
    name = f"{tags_for.__module__}.{tags_for.__qualname__}"

    def received(sender, instance=None, **kwargs):
        invalidate(*tags_for(instance, **kwargs))

    label = sender._meta.label if sender is not None else "any"
    uid = f"dearly.invalidation:{name}:{id(signal)}:{label}"
    signal.connect(received, sender=sender, weak=False, dispatch_uid=uid)


# -- Depending on tags: fragments --

# frozenset(tags) -> (generation, newest version): per process, checked against the generation.
_NEWEST = {}
MAX_REMEMBERED = 10_000


def token(request, *tags):
    """A string that changes whenever any of `tags` is bumped (None: the store cannot be read,
    so nothing may be cached)."""
    tags = frozenset((*tags, ALL))
    known = getattr(request, "_dearly_tokens", None) if request is not None else None
    if known is not None and tags in known:
        return known[tags]
    store = get_store()
    try:
        generation = _generation(request, store)
        remembered = _NEWEST.get(tags)
        if remembered is not None and remembered[0] == generation:
            newest = remembered[1]
        else:
            newest = store.newest_version(tags)
            if len(_NEWEST) >= MAX_REMEMBERED:
                _NEWEST.clear()
            _NEWEST[tags] = (generation, newest)
        value = str(newest)
    except StoreError:
        logger.exception("invalidation: could not read the versions of %s", ", ".join(tags))
        value = None
    if request is not None:
        if known is None:
            known = request._dearly_tokens = {}
        known[tags] = value
    return value


# Bumps made by this process: a request reads the generation once unless one happens meanwhile.
_bumps_here = 0


def _generation(request, store):
    """The store's generation, read once per request (with Redis, a GET each time): a page asks
    for the tokens of some ten tag sets. Read again after a bump in this process, so that a
    request that changes content renders what it changed."""
    if request is None:
        return store.generation()
    seen = getattr(request, "_dearly_generation", None)
    if seen is not None and seen[0] == _bumps_here:
        return seen[1]
    generation = store.generation()
    request._dearly_generation = (_bumps_here, generation)
    return generation


def cached(request, name, tags, build, timeout=TIMEOUT):
    """`build()`, kept in the fragment cache until any of `tags` changes."""
    version = token(request, *tags)
    if version is None:
        return build()
    key = f"dearly:{name}:{version}"
    value = fragment_cache.get(key)
    if value is None:
        value = build()
        fragment_cache.set(key, value, timeout)
    return value


def for_templates(request, **tokens):
    """Keys and a timeout for Django's `{% cache versions.timeout "name" page.pk
    versions.content using="fragments" %}`. A preview (a draft the readers must never get) or a
    token that could not be read gets a value no other request has and a timeout of 0: the
    fragment is rendered afresh and not kept."""
    if getattr(request, "is_preview", False) or None in tokens.values():
        fresh = secrets.token_hex(8)
        return {**dict.fromkeys(tokens, fresh), "timeout": 0}
    return {**tokens, "timeout": TIMEOUT}


# -- Depending on tags: whole responses (read by the page cache, dearly.pagecache) --

_collector = ContextVar("dearly_pagecache_collector", default=None)


class Collector:
    """What the response being rendered shows, for the page cache watching this request."""

    __slots__ = ("query", "storable", "tags")

    def __init__(self):
        self.tags = set()
        self.storable = True
        self.query = {}  # the query parameters the response shows, as the view took them

    def query_string(self):
        """The only query string under which this response may be stored."""
        return urlencode(sorted(self.query.items()))


def watching():
    """True while the page cache is collecting what the current response shows."""
    return _collector.get() is not None


def depends_on(*tags):
    collector = _collector.get()
    if collector is not None:
        collector.tags.update(tags)


def depends_on_posts(ids):
    """The response shows these pages (titles, excerpts) and their comment counts."""
    collector = _collector.get()
    if collector is not None:
        collector.tags.update(page(pk) for pk in ids)
        collector.tags.add(COMMENTS)


def query_read(name, value):
    """The response shows what `?name=value` asks for (a listing's page number). A response to a
    query with a parameter no view read, or with a value it did not take as given (?page=abc
    or ?page=99999 answered with another page), is not stored: it would be one more copy of a
    page under a key anyone can vary, pushing real pages out of the store."""
    collector = _collector.get()
    if collector is not None:
        collector.query[name] = value


def no_store():
    """The response is for one reader (or a restricted page): never share it."""
    collector = _collector.get()
    if collector is not None:
        collector.storable = False
