"""Settings the test suite runs with (pytest.ini_options points here)."""

import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from .base import *  # noqa: F403
from .base import REDIS_URL, database_from_env, mail_domain, redis_cache

SECRET_KEY = "test-only-not-secret"  # noqa: S105  # never used outside the test run
ALLOWED_HOSTS = ["*"]
# Tests get their own database: DATABASE_URL (PostgreSQL in CI) or a throwaway SQLite file.
DATABASES = database_from_env(os.path.join(tempfile.gettempdir(), "dearly-test.sqlite3"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not Django's shared in-memory database: live_server threads then get their own
    # connections (pytest-django adds the xdist worker to the name).
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"dearly-test-{os.getpid()}.sqlite3")
    }
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if not os.environ.get("EMAIL_URL"):  # a sender process a test starts gets its SMTP server
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
if REDIS_URL.startswith(("redis://", "rediss://")):
    # A Redis database per xdist worker (gw0 -> 2, gw1 -> 3, no xdist -> 1): conftest empties
    # the cache (FLUSHDB) around every test and must not wipe the other worker's counters.
    _worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    _db = 2 + int(_worker[2:]) % 14 if _worker.startswith("gw") else 1
    REDIS_URL = urlsplit(REDIS_URL)._replace(path=f"/{_db}").geturl()
    CACHES = {alias: redis_cache(REDIS_URL) for alias in CACHES}  # noqa: F405
# Test servers under load (dearly.scaleout tests) post from one IP as fast as they can.
if os.environ.get("DEARLY_LOADTEST") == "1":
    from .base import ACCOUNT_RATE_LIMITS

    ACCOUNT_RATE_LIMITS = {
        **ACCOUNT_RATE_LIMITS,
        "comment": None,
        "ask_question": None,
        "send_update": None,
        "ask_similar": None,
    }
SITE_URL = WAGTAILADMIN_BASE_URL = "http://testserver"
DEFAULT_FROM_EMAIL = f"noreply@{mail_domain(SITE_URL)}"
# The page cache stays on, with a store per test run and xdist worker (conftest empties it per
# test). Servers a test starts inherit the environment, so they share their test's store.
_test_run = os.environ.setdefault("DEARLY_TEST_RUN", str(os.getpid()))
PAGECACHE_DIR = os.environ.get("DEARLY_PAGECACHE_DIR") or os.path.join(
    tempfile.gettempdir(),
    f"dearly-pagecache-{_test_run}-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}",
)
PAGECACHE_KEY_PREFIX = f"dearly-test:{os.path.basename(PAGECACHE_DIR)}"
# Uploads of the admin's imports: never the var/ folder of a site running from this checkout.
IMPORT_DIR = Path(tempfile.gettempdir()) / f"dearly-imports-{_test_run}"
