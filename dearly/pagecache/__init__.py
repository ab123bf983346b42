"""Page cache for logged-out readers: whole responses served by a WSGI wrapper in front of
Django (dearly.pagecache.wsgi), invalidated by tags (docs/architecture.md, "Page cache").

What a response shows, and what changed, are said through dearly.core.invalidation
(`depends_on`, `query_read`, `no_store`, `invalidate`): the tag versions there are the ones the
stored responses are checked against."""
