"""Where cached responses and tag versions live, shared by every worker process.

A stored response depends on tags ("page:12", "pages", "site"). Changing content bumps its
tags: the shared generation counter goes up by one and each bumped tag's version is set to
the new generation. A response rendered while the generation was `g0` is valid as long as
none of its tags has a version above `g0`. Workers keep copies in memory and check them again
only when the generation has moved, which on one machine is reading eight bytes from a mapped
file and with Redis one GET.

Two implementations: `SQLiteStore` (the embedded default: a file under VAR_DIR every worker on
the machine opens) and `RedisStore` (several app servers, when REDIS_URL is set).
"""

import fcntl
import hashlib
import json
import logging
import mmap
import os
import sqlite3
import struct
import threading
import time
import weakref
import zlib
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

# Every entry also depends on this tag; bumping it invalidates everything (clear()).
ALL = "*"
_GEN = struct.Struct("<q")


class StoreError(Exception):
    """The shared store could not be read or written; the request goes to Django."""


class Stored:
    """A response as the store keeps it."""

    __slots__ = ("body", "g0", "headers", "stored_at", "tags", "url")

    def __init__(self, url, headers, body, tags, g0, stored_at):
        self.url = url
        self.headers = headers  # [(name, value), ...] as the view answered
        self.body = body
        self.tags = tuple(tags)
        self.g0 = g0
        self.stored_at = stored_at


class SQLiteStore:
    """Entries and tag versions in one SQLite file (WAL: readers never wait for a writer);
    the generation in an 8-byte file every process maps into memory."""

    SCHEMA = """
        CREATE TABLE IF NOT EXISTS entries (
            key TEXT PRIMARY KEY, url TEXT NOT NULL, tags TEXT NOT NULL, g0 INTEGER NOT NULL,
            stored_at REAL NOT NULL, headers TEXT NOT NULL, body BLOB NOT NULL);
        CREATE INDEX IF NOT EXISTS entries_stored_at ON entries (stored_at);
        CREATE TABLE IF NOT EXISTS tags (name TEXT PRIMARY KEY, version INTEGER NOT NULL);
    """
    TRIM_EVERY = 50  # puts between checks of the entry count

    def __init__(self, directory, max_entries):
        self.directory = Path(directory)
        self.max_entries = max_entries
        self._map = None  # opened on first use, and again in a forked child
        self._local = threading.local()
        self._bump_lock = threading.Lock()
        self._puts = 0
        _sqlite_stores.add(self)

    # -- process-local handles (reopened after a fork) --

    def _open(self):
        self.directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.directory / "generation", os.O_RDWR | os.O_CREAT, 0o600)
        if os.fstat(fd).st_size < _GEN.size:
            os.ftruncate(fd, _GEN.size)  # zero-filled; two processes doing this agree
        self._fd = fd
        mapped = mmap.mmap(fd, _GEN.size)
        self._local = threading.local()
        self._conn().executescript(self.SCHEMA)
        if _GEN.unpack_from(mapped)[0] == 0:
            self._start_generations(mapped)
        self._map = mapped  # last: other threads use it as soon as it is set

    def _start_generations(self, mapped):
        """A new or emptied generation file starts above any generation used before, and
        everything stored under an earlier one becomes invalid (tag `*`)."""
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            if _GEN.unpack_from(mapped)[0] == 0:
                base = fresh_base()
                self._conn().execute(
                    "INSERT INTO tags (name, version) VALUES (?, ?) "
                    "ON CONFLICT (name) DO UPDATE SET version = excluded.version",
                    (ALL, base),
                )
                _GEN.pack_into(mapped, 0, base)
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _conn(self):
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.directory / "pagecache.sqlite3",
                timeout=5,
                isolation_level=None,
                check_same_thread=False,
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    def _ready(self):
        if self._map is None:
            self._open()

    def _forked(self):
        self._map = None

    # -- the generation --

    def generation(self):
        if self._map is None:
            try:
                self._open()
            except (OSError, sqlite3.Error) as error:
                raise StoreError(error) from error
        return _GEN.unpack_from(self._map)[0]

    def bump(self, tags):
        """Invalidate every entry depending on any of `tags`; returns the new generation."""
        tags = sorted(set(tags))
        try:
            self._ready()
            with self._bump_lock:
                fcntl.flock(self._fd, fcntl.LOCK_EX)
                try:
                    gen = _GEN.unpack_from(self._map)[0] + 1
                    conn = self._conn()
                    # One transaction for all the tags: an import of 100,000 posts bumps each
                    # one's tag, and a commit per row took over ten minutes.
                    conn.execute("BEGIN IMMEDIATE")
                    try:
                        conn.executemany(
                            "INSERT INTO tags (name, version) VALUES (?, ?) "
                            "ON CONFLICT (name) DO UPDATE SET version = excluded.version",
                            [(tag, gen) for tag in tags],
                        )
                    except BaseException:
                        conn.execute("ROLLBACK")
                        raise
                    conn.execute("COMMIT")
                    # Published only once the versions are committed: a reader that sees the
                    # new generation finds the new versions.
                    _GEN.pack_into(self._map, 0, gen)
                finally:
                    fcntl.flock(self._fd, fcntl.LOCK_UN)
        except (OSError, sqlite3.Error) as error:
            raise StoreError(error) from error
        return gen

    def newest_version(self, tags):
        """The highest version among `tags` (0 when none was ever bumped)."""
        tags = [*tags, ALL]
        try:
            self._ready()
            marks = ",".join("?" * len(tags))
            row = (
                self._conn()
                .execute(f"SELECT MAX(version) FROM tags WHERE name IN ({marks})", tags)  # noqa: S608  # placeholders only
                .fetchone()
            )
        except (OSError, sqlite3.Error) as error:
            raise StoreError(error) from error
        return row[0] or 0

    # -- entries --

    def get(self, key):
        try:
            self._ready()
            row = (
                self._conn()
                .execute(
                    "SELECT url, headers, body, tags, g0, stored_at FROM entries WHERE key = ?",
                    (key,),
                )
                .fetchone()
            )
        except (OSError, sqlite3.Error) as error:
            raise StoreError(error) from error
        if row is None:
            return None
        url, headers, body, tags, g0, stored_at = row
        headers = [tuple(pair) for pair in json.loads(headers)]
        tags = tags.strip("|").split("|")
        return Stored(url, headers, zlib.decompress(body), tags, g0, stored_at)

    def put(self, key, stored):
        try:
            self._ready()
            conn = self._conn()
            conn.execute(
                "INSERT OR REPLACE INTO entries (key, url, tags, g0, stored_at, headers, body) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    stored.url,
                    "|" + "|".join(stored.tags) + "|",
                    stored.g0,
                    stored.stored_at,
                    json.dumps(stored.headers),
                    zlib.compress(stored.body, 1),
                ),
            )
            self._puts += 1
            if self._puts % self.TRIM_EVERY == 0:
                self.trim()
        except (OSError, sqlite3.Error) as error:
            raise StoreError(error) from error

    def trim(self):
        """Keep the `max_entries` most recently stored; older ones are re-rendered if asked."""
        self._ready()
        self._conn().execute(
            "DELETE FROM entries WHERE key IN "
            "(SELECT key FROM entries ORDER BY stored_at DESC LIMIT -1 OFFSET ?)",
            (self.max_entries,),
        )

    def count(self):
        self._ready()
        return self._conn().execute("SELECT COUNT(*) FROM entries").fetchone()[0]

    def urls_for(self, tags):
        """The URLs of stored entries that depend on any of `tags` (for purging a CDN)."""
        self._ready()
        if ALL in tags or "pages" in tags or "site" in tags:
            rows = self._conn().execute("SELECT url FROM entries")
        else:
            where = " OR ".join("tags LIKE ?" for _ in tags)
            rows = self._conn().execute(
                f"SELECT url FROM entries WHERE {where}",  # noqa: S608  # placeholders only
                [f"%|{tag}|%" for tag in tags],
            )
        return sorted({url for (url,) in rows})

    def clear(self):
        self.bump([ALL])
        try:
            self._conn().execute("DELETE FROM entries")
        except sqlite3.Error as error:
            raise StoreError(error) from error


# A forked worker opens its own file handles and connections.
_sqlite_stores = weakref.WeakSet()
os.register_at_fork(after_in_child=lambda: [store._forked() for store in list(_sqlite_stores)])


class RedisStore:
    """The same, in Redis, for several app servers. The generation is one key (a GET per
    hit), tag versions a hash, entries plain keys with a TTL, and a sorted set by store time
    keeps their number bounded."""

    # INCR and the tag versions in one step: no reader sees the new generation with old versions.
    # A missing generation (new or emptied Redis) starts above any used before, and `*` makes
    # everything stored under an earlier one invalid, since bumps may have been lost with it.
    START = """
        if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
            redis.call('HSET', KEYS[2], '*', ARGV[1])
        end
        return redis.call('GET', KEYS[1])
    """
    BUMP = """
        if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
            redis.call('HSET', KEYS[2], '*', ARGV[1])
        end
        local gen = redis.call('INCR', KEYS[1])
        for i = 2, #ARGV do redis.call('HSET', KEYS[2], ARGV[i], gen) end
        return gen
    """
    TRIM_EVERY = 50

    def __init__(self, url, prefix, max_entries, ttl):
        import redis  # only with REDIS_URL: one machine never loads the client

        self._redis = redis
        self.client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        self.prefix = prefix
        self.max_entries = max_entries
        self.ttl = ttl
        self._bump = self.client.register_script(self.BUMP)
        self._start = self.client.register_script(self.START)
        self._puts = 0

    def _k(self, name):
        return f"{self.prefix}:{name}"

    def _entry_key(self, key):
        return self._k("e:" + hashlib.sha256(key.encode()).hexdigest())

    def generation(self):
        try:
            gen = self.client.get(self._k("gen"))
            if gen is None:
                gen = self._start(keys=[self._k("gen"), self._k("tags")], args=[fresh_base()])
            return int(gen)
        except self._redis.RedisError as error:
            raise StoreError(error) from error

    def bump(self, tags):
        keys = [self._k("gen"), self._k("tags")]
        try:
            return int(self._bump(keys=keys, args=[fresh_base(), *sorted(set(tags))]))
        except self._redis.RedisError as error:
            raise StoreError(error) from error

    def newest_version(self, tags):
        try:
            versions = self.client.hmget(self._k("tags"), [*tags, ALL])
        except self._redis.RedisError as error:
            raise StoreError(error) from error
        return max((int(v) for v in versions if v is not None), default=0)

    def get(self, key):
        try:
            raw = self.client.get(self._entry_key(key))
        except self._redis.RedisError as error:
            raise StoreError(error) from error
        if raw is None:
            return None
        meta, _, body = raw.partition(b"\n")
        meta = json.loads(meta)
        headers = [tuple(pair) for pair in meta["headers"]]
        return Stored(
            meta["url"], headers, zlib.decompress(body), meta["tags"], meta["g0"], meta["at"]
        )

    def put(self, key, stored):
        meta = {
            "url": stored.url,
            "headers": stored.headers,
            "tags": list(stored.tags),
            "g0": stored.g0,
            "at": stored.stored_at,
        }
        raw = json.dumps(meta).encode() + b"\n" + zlib.compress(stored.body, 1)
        entry_key = self._entry_key(key)
        try:
            pipe = self.client.pipeline(transaction=False)
            pipe.set(entry_key, raw, ex=self.ttl)
            pipe.zadd(self._k("lru"), {entry_key: stored.stored_at})
            for tag in stored.tags:
                pipe.sadd(self._k("t:" + tag), stored.url)
                pipe.expire(self._k("t:" + tag), self.ttl)
            pipe.execute()
            self._puts += 1
            if self._puts % self.TRIM_EVERY == 0:
                self.trim()
        except self._redis.RedisError as error:
            raise StoreError(error) from error

    def trim(self):
        extra = self.client.zcard(self._k("lru")) - self.max_entries
        if extra > 0:
            old = [key for key, _ in self.client.zpopmin(self._k("lru"), extra)]
            if old:
                self.client.delete(*old)

    def count(self):
        return self.client.zcard(self._k("lru"))

    def urls_for(self, tags):
        urls = set()
        for tag in {"pages" if t in (ALL, "site") else t for t in tags}:
            urls.update(u.decode() for u in self.client.smembers(self._k("t:" + tag)))
        return sorted(urls)

    def clear(self):
        self.bump([ALL])
        try:
            keys = list(self.client.scan_iter(match=self._k("*"), count=1000))
            keep = {self._k("gen").encode(), self._k("tags").encode()}
            doomed = [k for k in keys if k not in keep]
            for start in range(0, len(doomed), 1000):
                self.client.delete(*doomed[start : start + 1000])
        except self._redis.RedisError as error:
            raise StoreError(error) from error


_store = None
_store_lock = threading.Lock()


def get_store():
    """The store the settings name, made once per process."""
    global _store
    if _store is None:
        with _store_lock:
            if _store is None:
                if settings.PAGECACHE_REDIS_URL:
                    _store = RedisStore(
                        settings.PAGECACHE_REDIS_URL,
                        settings.PAGECACHE_KEY_PREFIX,
                        settings.PAGECACHE_MAX_ENTRIES,
                        settings.PAGECACHE_TTL,
                    )
                else:
                    _store = SQLiteStore(settings.PAGECACHE_DIR, settings.PAGECACHE_MAX_ENTRIES)
    return _store


def reset_store():
    """Forget the process's store (tests that change the settings)."""
    global _store
    _store = None


def fresh_base():
    """Microseconds since 1970: above any generation a store could have reached before."""
    return int(time.time() * 1_000_000)
