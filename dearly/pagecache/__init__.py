"""Page cache for logged-out readers: whole responses served by a WSGI wrapper in front of
Django (dearly.pagecache.wsgi), invalidated by tags (docs/architecture.md, "Page cache").

Code that renders shared content says what a response shows with `tag("page:12")`; code that
renders something no other reader may see calls `no_store()`; a view whose response depends on
a query parameter says so with `query_read("page", "2")`. They do nothing outside a request
the page cache is watching."""

from contextvars import ContextVar
from urllib.parse import urlencode

_collector = ContextVar("dearly_pagecache_collector", default=None)


class Collector:
    __slots__ = ("query", "storable", "tags")

    def __init__(self):
        self.tags = set()
        self.storable = True
        self.query = {}  # the query parameters the response shows, as the view took them

    def query_string(self):
        """The only query string under which this response may be stored."""
        return urlencode(sorted(self.query.items()))


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


def query_read(name, value):
    """The response shows what `?name=value` asks for (a listing's page number). A response to a
    query with a parameter no view read, or with a value it did not take as given (?page=abc
    or ?page=99999 answered with another page), is not stored: it would be one more copy of a
    page under a key anyone can vary, pushing real pages out of the store."""
    collector = _collector.get()
    if collector is not None:
        collector.query[name] = value


def no_store():
    collector = _collector.get()
    if collector is not None:
        collector.storable = False
