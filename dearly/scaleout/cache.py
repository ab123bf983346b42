"""The shared "default" cache (settings.CACHES): Django's RedisCache, made to treat an
unreachable Redis as an empty cache; or, on one machine, Django's DatabaseCache.

Redis only holds what can be rebuilt (cached data, rate-limit counters, copies of sessions the
database also keeps), so losing it should cost speed, not availability. django-redis calls
this IGNORE_EXCEPTIONS; Django's own backend raises instead.
"""

import logging
import time

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# Why not django-redis with IGNORE_EXCEPTIONS (7.0; bench/redis_cache.py and compare.py,
# 2026-12-04, 2 busy cores): it is faster with Redis up (get 123-171 µs against our 359-557,
# as Django's backend builds a redis.Redis client per call; a logged-in page 8.1 against 9.5
# CPU ms), but it tries Redis again on every call while Redis is away: stopped, 257 µs a call
# against our 6; frozen (SIGSTOP), 1 s a call, every call, where ours waits 1 s once and then
# skips Redis for RETRY_AFTER_SECONDS. A page makes several calls.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
# After a failure, skip Redis for this long: a dead host costs one connect timeout, not one
# per cache call.
RETRY_AFTER_SECONDS = 2.0
_down_until = {}  # server location -> time.monotonic() before which Redis is not tried


class TolerantRedisCache(RedisCache):
    """Reads miss and writes are dropped while Redis cannot be reached; clear() still raises."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._server_key = ",".join(self._servers)

    def _tolerant(self, fallback, method, *args):
        down_until = _down_until.get(self._server_key)
        if down_until is not None and time.monotonic() < down_until:
            return fallback
        try:
            result = method(*args)
        except UNREACHABLE as error:
            if down_until is None:
                logger.warning("Redis unreachable, serving without the cache: %s", error)
            _down_until[self._server_key] = time.monotonic() + RETRY_AFTER_SECONDS
            return fallback
        if down_until is not None and _down_until.pop(self._server_key, None) is not None:
            logger.warning("Redis reachable again")
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._tolerant(False, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._tolerant(default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._tolerant(None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._tolerant(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._tolerant(False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._tolerant({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._tolerant(False, super().has_key, key, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._tolerant(list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._tolerant(None, super().delete_many, keys, version)

    def incr(self, key, delta=1, version=None):
        missing = object()
        value = self._tolerant(missing, super().incr, key, delta, version)
        if value is missing:
            raise ValueError(f"Key '{key}' not found (Redis unreachable).")
        return value


class SharedDatabaseCache(DatabaseCache):
    """One table every worker process reads and writes, with an atomic add(): allauth's rate
    limits and lockouts count there. Wagtail's site root paths and locale names stay in the
    "fragments" cache instead (process memory): Wagtail reads them for every page URL built
    without a request, which would cost a feed or sitemap one query per page."""

    IN_FRAGMENTS = frozenset({"wagtail_site_root_paths", "wagtail_locales_display_name"})

    def get(self, key, default=None, version=None):
        if key in self.IN_FRAGMENTS:
            return caches["fragments"].get(key, default, version)
        return super().get(key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        if key in self.IN_FRAGMENTS:
            return caches["fragments"].set(key, value, timeout, version)
        return super().set(key, value, timeout, version)

    def delete(self, key, version=None):
        if key in self.IN_FRAGMENTS:
            return caches["fragments"].delete(key, version)
        return super().delete(key, version)
