"""The page cache's WSGI wrapper: a hit is answered here, before Django's middleware, URL
resolution and views run; a miss goes to Django and, if the response may be shared between
logged-out readers, is stored with the tags it depends on."""

import functools
import hashlib
import logging
import re
import time
from collections import OrderedDict
from pathlib import Path

import django
from django.conf import settings
from django.core.handlers.wsgi import get_str_from_wsgi
from django.http import HttpResponseBase
from django.http.cookie import parse_cookie
from django.http.request import split_domain_port, validate_host
from django.utils.http import http_date, parse_http_date_safe

import wagtail

from dearly.core.invalidation import Collector, _collector
from dearly.core.invalidation.store import Stored, StoreError, get_store

logger = logging.getLogger(__name__)

# Everything a cached response depends on: the site chrome (settings, topics, footer pages)
# and, through listings, related posts and menus, the set of published pages.
BASE_TAGS = ("site", "pages")
# Query parameters that may change what a page shows (a listing's page, stored only when the
# view read it: dearly.pagecache.query_read); others that only track campaigns are dropped
# before Django sees them, and any other parameter (?q= too) bypasses the cache.
KEPT_PARAMS = frozenset({"page"})
DROPPED_PARAMS = re.compile(r"^(utm_[a-z_]*|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_ga)$")
MAX_QUERY = 512
STORABLE_VARY = frozenset({"cookie", "accept-encoding"})
UNCACHEABLE_CONTROL = re.compile(r"\b(private|no-store|no-cache)\b", re.IGNORECASE)
_EMPTY = [b""]
RELEASE_FILES = frozenset({".py", ".html", ".txt", ".xml", ".css", ".js", ".svg", ".json"})


class Entry:
    """A stored response as one worker serves it: headers ready for start_response."""

    __slots__ = (
        "body",
        "checked",
        "etag",
        "expires",
        "g0",
        "headers",
        "headers_304",
        "last_modified",
        "size",
        "tags",
    )

    def __init__(self, stored, ttl):
        self.body = stored.body
        self.tags = stored.tags
        self.g0 = stored.g0
        self.checked = -1  # the generation it was last found valid at
        self.expires = stored.stored_at + ttl
        self.size = len(stored.body) + 500
        headers = stored.headers
        found = {name.lower(): value for name, value in headers}
        self.etag = found["etag"]
        self.last_modified = parse_http_date_safe(found["last-modified"]) or 0
        self.headers = [*headers, ("X-Page-Cache", "hit")]
        keep = {"etag", "last-modified", "cache-control", "vary", "expires"}
        self.headers_304 = [
            (name, value) for name, value in self.headers if name.lower() in keep
        ] + [("X-Page-Cache", "hit")]


def etag_matches(header, etag):
    """If-None-Match uses the weak comparison (RFC 9110 13.1.2)."""
    if header.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(t.strip().removeprefix("W/") == bare for t in header.split(","))


def not_modified(environ, etag, last_modified):
    inm = environ.get("HTTP_IF_NONE_MATCH")
    if inm is not None:
        return etag_matches(inm, etag)
    ims = environ.get("HTTP_IF_MODIFIED_SINCE")
    if ims is not None:
        since = parse_http_date_safe(ims)
        return since is not None and last_modified <= since
    return False


@functools.cache
def release():
    """A hash of the code, templates, static files and main libraries: after a deploy, pages
    rendered by the previous release are never served (they age out of the store)."""
    root = Path(settings.PROJECT_DIR)
    digest = hashlib.blake2b(digest_size=6)
    digest.update(f"{django.get_version()} {wagtail.__version__}".encode())
    for path in sorted(root.rglob("*")):
        if path.suffix in RELEASE_FILES and "__pycache__" not in path.parts and path.is_file():
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.is_file():
        digest.update(manifest.read_bytes())
    return digest.hexdigest()


class PageCache:
    """Wraps Django's WSGI application; see the module docstring."""

    def __init__(self, app, store=None):
        self.app = app
        self.store = store or get_store()
        self.ttl = settings.PAGECACHE_TTL
        self.max_age = settings.PAGECACHE_MAX_AGE
        self.max_body = settings.PAGECACHE_MAX_BODY
        self.local_bytes = settings.PAGECACHE_LOCAL_BYTES
        self.local = OrderedDict()
        self.release = release() + " "  # the prefix of every key
        self.local_size = 0
        self.skip_prefixes = tuple(settings.PAGECACHE_SKIP_PREFIXES)
        self.private_cookies = frozenset(
            [
                settings.SESSION_COOKIE_NAME,
                getattr(settings, "MESSAGE_COOKIE_NAME", "messages"),
                settings.LANGUAGE_COOKIE_NAME,
                *settings.PAGECACHE_PRIVATE_COOKIES,
            ]
        )
        allowed = list(settings.ALLOWED_HOSTS)
        if settings.DEBUG and not allowed:  # as django.http.HttpRequest.get_host
            allowed = [".localhost", "127.0.0.1", "[::1]"]
        self.allowed_hosts = allowed
        self.good_hosts = {}  # host header -> True, for hosts already validated
        self.forwarded_host = settings.USE_X_FORWARDED_HOST
        self.proxy_ssl = settings.SECURE_PROXY_SSL_HEADER

    # -- the key --

    def private(self, environ, cookie):
        """Whether Django would see one of the private cookies: the header read exactly as
        request.COOKIES reads it (`sessionid =x`, `\tmessages=x` and `"a;sessionid=x` count)."""
        if not any(name in cookie for name in self.private_cookies):
            return False  # every name Django could find is in the raw header
        try:
            found = parse_cookie(get_str_from_wsgi(environ, "HTTP_COOKIE", ""))
        except UnicodeError:
            return True  # not a header a WSGI server makes: let Django answer
        return not self.private_cookies.isdisjoint(found)

    def host(self, environ):
        """The host Django would use (HttpRequest.get_host), or None when not allowed."""
        if self.forwarded_host and "HTTP_X_FORWARDED_HOST" in environ:
            host = environ["HTTP_X_FORWARDED_HOST"]
        else:
            host = environ.get("HTTP_HOST")
            if host is None:
                host = environ.get("SERVER_NAME", "")
                port = str(environ.get("SERVER_PORT", ""))
                if port != ("443" if environ.get("wsgi.url_scheme") == "https" else "80"):
                    host = f"{host}:{port}"
        if host in self.good_hosts:
            return host
        domain, _ = split_domain_port(host)
        if not domain or not validate_host(domain, self.allowed_hosts):
            return None
        if len(self.good_hosts) < 1000:
            self.good_hosts[host] = True
        return host

    def scheme(self, environ):
        if self.proxy_ssl:
            header, secure = self.proxy_ssl
            value = environ.get(header)
            if value is not None:
                return "https" if value.split(",", 1)[0].strip() == secure else "http"
        return environ.get("wsgi.url_scheme", "http")

    def query(self, qs):
        """The query string with tracking parameters dropped, or None to bypass the cache."""
        if len(qs) > MAX_QUERY:
            return None
        kept = []
        for part in qs.split("&"):
            if not part:
                continue
            name = part.split("=", 1)[0]
            if name in KEPT_PARAMS:
                kept.append(part)
            elif not DROPPED_PARAMS.match(name):
                return None
        return "&".join(kept)

    def key(self, environ):
        """What identifies a shareable response, or None when this request must go to Django."""
        method = environ.get("REQUEST_METHOD")
        if method != "GET" and method != "HEAD":
            return None
        path = environ.get("PATH_INFO", "/")
        if path.startswith(self.skip_prefixes):
            return None
        cookie = environ.get("HTTP_COOKIE")
        if cookie and self.private(environ, cookie):
            return None
        if "HTTP_AUTHORIZATION" in environ:
            return None
        host = self.host(environ)
        if host is None:
            return None  # Django answers 400 Bad Request
        qs = environ.get("QUERY_STRING", "")
        if qs:
            normal = self.query(qs)
            if normal is None:
                return None
            if normal != qs:
                environ["QUERY_STRING"] = normal  # Django renders exactly what the key names
            qs = normal
        url = f"{self.scheme(environ)}://{host}{path}" + (f"?{qs}" if qs else "")
        return self.release + url

    # -- serving --

    def __call__(self, environ, start_response):
        key = self.key(environ)
        if key is None:
            return self.app(environ, start_response)
        try:
            entry = self.lookup(key)
        except StoreError as error:
            logger.warning("page cache unavailable, serving uncached: %s", error)
            return self.app(environ, start_response)
        if entry is None:
            return self.miss(key, environ, start_response)
        if not_modified(environ, entry.etag, entry.last_modified):
            start_response("304 Not Modified", entry.headers_304)
            return _EMPTY
        start_response("200 OK", entry.headers)
        return [entry.body] if environ["REQUEST_METHOD"] == "GET" else _EMPTY

    def lookup(self, key):
        gen = self.store.generation()
        entry = self.local.get(key)
        if entry is not None:
            if entry.expires > time.time() and (
                entry.checked == gen or self.store.newest_version(entry.tags) <= entry.g0
            ):
                entry.checked = gen
                # Not contextlib.suppress: that costs a microsecond on every hit.
                try:  # noqa: SIM105
                    self.local.move_to_end(key)
                except KeyError:  # another thread dropped it meanwhile
                    pass
                return entry
            self.forget(key)  # another worker may have stored a newer copy
        stored = self.store.get(key)
        if stored is None:
            return None
        entry = Entry(stored, self.ttl)
        if entry.expires <= time.time() or self.store.newest_version(entry.tags) > entry.g0:
            return None
        entry.checked = gen
        self.remember(key, entry)
        return entry

    def remember(self, key, entry):
        self.forget(key)
        self.local[key] = entry
        self.local_size += entry.size
        while self.local_size > self.local_bytes:
            try:
                _, old = self.local.popitem(last=False)
            except KeyError:  # emptied meanwhile by another thread
                self.local_size = 0
                break
            self.local_size -= old.size

    def forget(self, key):
        old = self.local.pop(key, None)
        if old is not None:
            self.local_size -= old.size

    def miss(self, key, environ, start_response):
        try:
            g0 = self.store.generation()  # before Django reads anything
        except StoreError:
            return self.app(environ, start_response)
        answered = []

        def capture(status, headers, exc_info=None):
            answered[:] = [status, headers, exc_info]
            return lambda data: None  # Django never calls write()

        collector = Collector()
        token = _collector.set(collector)
        try:
            response = self.app(environ, capture)
        finally:
            _collector.reset(token)
        status, headers, exc_info = answered
        stored = self.storable(environ, response, status, headers, collector, key, g0)
        if stored is None:
            start_response(status, headers, exc_info)
            return response
        entry = Entry(stored, self.ttl)
        entry.checked = g0
        self.remember(key, entry)
        try:
            self.store.put(key, stored)
        except StoreError as error:
            logger.warning("page cache: could not store %s: %s", key, error)
        headers = [(name, value) for name, value in stored.headers] + [("X-Page-Cache", "miss")]
        if not_modified(environ, entry.etag, entry.last_modified):
            response.close()
            start_response("304 Not Modified", [h for h in headers if h[0] != "Content-Length"])
            return _EMPTY
        start_response(status, headers)
        return response

    def storable(self, environ, response, status, headers, collector, key, g0):
        """The response as it will be stored, or None if it is not for every reader."""
        if (
            environ["REQUEST_METHOD"] != "GET"
            or not collector.storable
            or not status.startswith("200 ")
            or not isinstance(response, HttpResponseBase)
            or response.streaming
            or response.cookies
            or environ.get("QUERY_STRING", "") != collector.query_string()
        ):
            return None
        found = {}
        for name, value in headers:
            found.setdefault(name.lower(), []).append(value)
        if "set-cookie" in found or "content-encoding" in found:
            return None
        vary = {v.strip().lower() for value in found.get("vary", ()) for v in value.split(",")}
        if vary - STORABLE_VARY:
            return None
        control = ", ".join(found.get("cache-control", ()))
        if UNCACHEABLE_CONTROL.search(control):
            return None
        body = response.content
        if len(body) > self.max_body:
            return None
        headers = list(headers)
        if "etag" not in found:
            headers.append(("ETag", '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'))
        if "last-modified" not in found:
            headers.append(("Last-Modified", http_date()))
        if not control:
            headers.append(("Cache-Control", f"max-age={self.max_age}, must-revalidate"))
        if "content-length" not in found:
            headers.append(("Content-Length", str(len(body))))
        tags = sorted({*BASE_TAGS, *collector.tags})
        return Stored(key.removeprefix(self.release), headers, body, tags, g0, time.time())


def wrap(app):
    """`app` behind the page cache, unless settings.PAGECACHE_ENABLED is off."""
    if not settings.PAGECACHE_ENABLED:
        return app
    return PageCache(app)
