"""Production: every secret and host comes from the environment, and a missing one stops the
start with a clear message instead of running with a guess."""

import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import TRUSTED_PROXY_COUNT, database_from_env, mail_domain


def required_env(name):
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(
            f"The environment variable {name} must be set in production (see .env.example)."
        )
    return value


SECRET_KEY = required_env("SECRET_KEY")
ALLOWED_HOSTS = [h.strip() for h in required_env("ALLOWED_HOSTS").split(",") if h.strip()]
required_env("DATABASE_URL")
DATABASES = database_from_env(None)
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

# https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/
if TRUSTED_PROXY_COUNT:
    # Believed only with a TLS-terminating proxy of ours in front, which overwrites the header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365))
# Both on by default (check --deploy asks for them); 0 when some subdomain still serves plain
# HTTP, or before committing to the browsers' preload list (https://hstspreload.org/).
SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("SECURE_HSTS_INCLUDE_SUBDOMAINS", "1") == "1"
SECURE_HSTS_PRELOAD = os.environ.get("SECURE_HSTS_PRELOAD", "1") == "1"

# Emails link to SITE_URL, never to the Host header a request came with; and they must really
# leave (without EMAIL_URL, sign-up verifications and password resets would pile up in files).
SITE_URL = WAGTAILADMIN_BASE_URL = required_env("SITE_URL").rstrip("/")
if urlsplit(SITE_URL).scheme not in ("http", "https") or not urlsplit(SITE_URL).hostname:
    raise ImproperlyConfigured(
        f"SITE_URL must be the site's public address, e.g. https://advice.example.com, "
        f"not {SITE_URL!r}."
    )
required_env("EMAIL_URL")  # base.py turns it into the SMTP settings (email_settings)
# From the SITE_URL checked above (base.py read the same variable, or its default, before).
DEFAULT_FROM_EMAIL = (
    os.environ.get("DEFAULT_FROM_EMAIL", "").strip() or f"noreply@{mail_domain(SITE_URL)}"
)
