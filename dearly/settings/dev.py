"""Settings for `make run` and local work: one machine, SQLite under var/, DEBUG off unless
DEBUG=1 is set (so the demo behaves like production: whitenoise, real error pages)."""

import os
import secrets

from .base import *  # noqa: F403
from .base import MEDIA_BUCKET, VAR_DIR

DEBUG = os.environ.get("DEBUG", "") == "1"
if DEBUG:
    PAGECACHE_ENABLED = False  # template and code edits show on the next request


def _local_secret_key():
    """A random key made once per checkout and kept in var/, never a literal in the code."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or _local_secret_key()
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"] + [
    h for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h
]
SERVE_MEDIA = not MEDIA_BUCKET  # with a bucket, media have their own address

# Load tests only (bench/): many accounts post from one IP, which the per-IP limits would stop.
# Never set in production; production.py does not read it.
if os.environ.get("DEARLY_LOADTEST") == "1":
    from .base import ACCOUNT_RATE_LIMITS

    ACCOUNT_RATE_LIMITS = {
        **ACCOUNT_RATE_LIMITS,
        "comment": None,
        "ask_question": None,
        "send_update": None,
        "ask_similar": None,
    }
