"""Page cache for logged-out readers: whole responses served by a WSGI wrapper in front of
Django (dearly.pagecache.wsgi), invalidated by tags (docs/architecture.md, "Page cache").

Code that renders shared content says what a response shows with `tag("page:12")`; code that
renders something no other reader may see calls `no_store()`. Both do nothing outside a
request the page cache is watching."""

from contextvars import ContextVar

_collector = ContextVar("dearly_pagecache_collector", default=None)


class Collector:
    __slots__ = ("storable", "tags")

    def __init__(self):
        self.tags = set()
        self.storable = True


def tag(*names):
    collector = _collector.get()
    if collector is not None:
        collector.tags.update(names)


def tag_pages(ids):
    """The response shows these pages (titles, excerpts) and comment counts."""
    collector = _collector.get()
    if collector is not None:
        collector.tags.update(f"page:{pk}" for pk in ids)
        collector.tags.add("comments")


def no_store():
    collector = _collector.get()
    if collector is not None:
        collector.storable = False
