"""Settings shared by every environment. Safe by default: DEBUG is off and nothing secret
lives here; dev.py, test.py and production.py add what each environment needs."""

import ipaddress
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

import dj_database_url

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent
VAR_DIR = Path(os.environ.get("DEARLY_VAR_DIR", BASE_DIR / "var"))

DEBUG = False

INSTALLED_APPS = [
    "dearly.accounts",
    "dearly.core",
    "dearly.articles",
    "dearly.comments",
    "dearly.questions",
    "dearly.newsletter",
    "dearly.search",
    "dearly.retrieval",
    "dearly.importer",
    "dearly.pagecache",
    "dearly.demo",
    "dearly.ops",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.syndication",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything that reads the database or Redis: their outages become a clear 503.
    "dearly.scaleout.middleware.ServiceUnavailableMiddleware",
    "dearly.core.security.ContentSecurityPolicyMiddleware",
    "dearly.core.security.AdminNetworkMiddleware",
    # Before CSRF reads request.POST: a body in a charset Django cannot read gets a 400, not 500.
    "dearly.core.requests.UnreadableRequestMiddleware",
    "dearly.core.requests.WagtailAdminInputMiddleware",  # malformed input: 400, not 500
    # Marks what is made for one reader "Cache-Control: private"; sees what sessions leave.
    "dearly.pagecache.middleware.PrivateResponsesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "dearly.core.security.AdminAccessMiddleware",
    "dearly.core.editing.SerialPageEditsMiddleware",  # an autosave cannot undo a publish
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "dearly.importer.middleware.DoubledSlashesMiddleware",  # old WordPress links with "//"
    "dearly.core.routing.CachedRouteMiddleware",
]

ROOT_URLCONF = "dearly.urls"
WSGI_APPLICATION = "dearly.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]


def database_from_env(default_sqlite_path):
    """DATABASE_URL, or an SQLite file in WAL mode (readers never wait on a writer)."""
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{default_sqlite_path}"
    # Connections kept open between requests: opening one (and, on SQLite, running the init
    # PRAGMAs) cost about a tenth of a cached page's time.
    config = dj_database_url.parse(url, conn_max_age=600 if url.startswith("sqlite") else 60)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # https://docs.djangoproject.com/en/5.2/ref/databases/#sqlite-init-command
        config["OPTIONS"] = {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
            ),
            "transaction_mode": "IMMEDIATE",
        }
    else:
        config["CONN_HEALTH_CHECKS"] = True
        # An unreachable server answers a 503 within seconds instead of hanging the worker.
        config.setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    return {"default": config}


DATABASES = database_from_env(VAR_DIR / "dearly.sqlite3")

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Accounts (django-allauth): log in by email, verified before the first login.
# https://docs.allauth.org/en/latest/account/configuration.html
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# No ACCOUNT_EMAIL_SUBJECT_PREFIX: the adapter puts the column's name there, "[Dear Dr. Mimi] …".
ACCOUNT_SIGNUP_FORM_CLASS = "dearly.accounts.forms.DisplayNameSignupForm"
ACCOUNT_FORMS = {"login": "dearly.accounts.login_form.LoginForm"}  # the site's wording
ACCOUNT_ADAPTER = "dearly.accounts.adapter.AccountAdapter"  # emails link to SITE_URL only
ACCOUNT_USER_DISPLAY = "dearly.accounts.models.public_name"  # never the generated username
# allauth merges these with its defaults (login, signup, password reset…); the comment rates
# are ours and use the same engine (dearly.comments).
ACCOUNT_RATE_LIMITS = {
    "comment": "5/m/user,60/h/user,30/m/ip",
    "report_comment": "20/h/user",
    "ask_question": "5/m/ip,30/h/ip",
    # A writer's updates to a published letter (key: the question): as letters, and a few a day.
    "send_update": "5/m/ip,30/h/ip,10/d/key",
    # Each accepted request mails a confirmation: a script must not turn the form into a mailer.
    "subscribe": "5/m/ip,30/h/ip",
    # The /ask/ form looks up similar letters as the reader types (debounced): generous, but
    # a script cannot use the full-text search as a free API.
    "ask_similar": "120/m/ip,1000/h/ip",
    # Tighter than allauth's defaults: guessing passwords, and mailing reset links to a victim.
    "login_failed": "10/m/ip,30/h/ip,5/5m/key",
    "reset_password": "5/m/ip,20/h/ip,3/h/key",
    # Wrong passwords for a private page or document (dearly.core.security); the key is the
    # restriction, so guesses spread over many addresses are stopped too.
    "view_restriction_password": "5/m/ip,30/h/ip,100/h/key",
}
# Two-factor authentication (TOTP plus recovery codes) for staff.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Dearly"
# One way to log in: allauth's page (verified email, 2FA, rate limits), for editors and for
# readers of login-restricted pages alike; Wagtail's own login forms lead there (dearly/urls.py).
WAGTAILADMIN_LOGIN_URL = LOGIN_URL
WAGTAIL_FRONTEND_LOGIN_URL = LOGIN_URL
# Passwords and login emails change only through allauth (rate limited, emails verified):
# Wagtail's admin password reset and its account page's password and email fields are off.
# https://docs.wagtail.org/en/stable/reference/settings.html#wagtail-password-management-enabled
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False
# Private pages' and documents' password prompt in the site's design (template names, not secrets).
# https://docs.wagtail.org/en/stable/advanced_topics/privacy.html
WAGTAIL_PASSWORD_REQUIRED_TEMPLATE = "core/password_required.html"  # noqa: S105
WAGTAILDOCS_PASSWORD_REQUIRED_TEMPLATE = "core/password_required.html"  # noqa: S105

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATICFILES_DIRS = [PROJECT_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
# Uploaded files served by Django itself: only for the one-machine setup (see dev.py).
SERVE_MEDIA = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_S3_SETTINGS = [
    "MEDIA_ENDPOINT_URL",
    "MEDIA_REGION",
    "MEDIA_ACCESS_KEY_ID",
    "MEDIA_SECRET_ACCESS_KEY",
    "MEDIA_PUBLIC_URL",
]


def s3_media_storage(env):
    """The S3 storage for uploads when MEDIA_BUCKET is set (None otherwise), so every app server
    sees the same files. https://django-storages.readthedocs.io/en/latest/backends/amazon-S3.html"""
    value = {name: env.get(name, "").strip() for name in ["MEDIA_BUCKET", *MEDIA_S3_SETTINGS]}
    if not value["MEDIA_BUCKET"]:
        if stray := [name for name in MEDIA_S3_SETTINGS if value[name]]:
            raise ImproperlyConfigured(
                f"{', '.join(stray)} set without MEDIA_BUCKET: name the bucket, or unset them "
                "to keep media in MEDIA_ROOT (see .env.example)."
            )
        return None
    if bool(value["MEDIA_ACCESS_KEY_ID"]) != bool(value["MEDIA_SECRET_ACCESS_KEY"]):
        raise ImproperlyConfigured(
            "Set both MEDIA_ACCESS_KEY_ID and MEDIA_SECRET_ACCESS_KEY, or neither to use the "
            "machine's own AWS credentials (see .env.example)."
        )
    for name in ("MEDIA_ENDPOINT_URL", "MEDIA_PUBLIC_URL"):
        url = urlsplit(value[name])
        if value[name] and (url.scheme not in ("http", "https") or not url.netloc):
            raise ImproperlyConfigured(
                f"{name} must be an http(s):// address, not {value[name]!r}."
            )
    options = {
        "bucket_name": value["MEDIA_BUCKET"],
        "endpoint_url": value["MEDIA_ENDPOINT_URL"] or None,
        "region_name": value["MEDIA_REGION"] or None,
        "access_key": value["MEDIA_ACCESS_KEY_ID"] or None,
        "secret_key": value["MEDIA_SECRET_ACCESS_KEY"] or None,
        # Media is published content: plain URLs, as signed ones would expire in cached pages.
        "querystring_auth": False,
        "file_overwrite": False,  # a second photo.jpg gets its own name
    }
    if value["MEDIA_PUBLIC_URL"]:
        public = urlsplit(value["MEDIA_PUBLIC_URL"])
        options["custom_domain"] = public.netloc + public.path.rstrip("/")
        options["url_protocol"] = f"{public.scheme}:"
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


MEDIA_BUCKET = os.environ.get("MEDIA_BUCKET", "").strip()
if media_storage := s3_media_storage(os.environ):
    STORAGES["default"] = media_storage
    if os.environ.get("MEDIA_PUBLIC_URL", "").strip():
        MEDIA_URL = os.environ["MEDIA_PUBLIC_URL"].strip().rstrip("/") + "/"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Complex page models exceed Django's default of 1000 fields in Wagtail's editor.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Background work: in-process by default; TASKS_BACKEND=database queues tasks in the database
# for a separate worker process (`make worker`: django-tasks-db's db_worker).
TASKS_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "").strip() or "immediate"
if TASKS_BACKEND not in TASKS_BACKENDS:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be 'immediate' or 'database', not {TASKS_BACKEND!r} "
        "(see .env.example)."
    )
TASKS = {"default": {"BACKEND": TASKS_BACKENDS[TASKS_BACKEND]}}


def redis_cache(url):
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            f"REDIS_URL must start with redis://, rediss:// or unix://, not {url!r} "
            "(see .env.example)."
        )
    return {
        "BACKEND": "dearly.scaleout.cache.TolerantRedisCache",
        "LOCATION": url,
        # Give up quickly on an absent Redis: the cache then acts as empty for a moment.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }


# "default" holds what must be shared by every worker process: rate-limit counters and the
# locks allauth takes with cache.add(), used 2FA codes. "fragments" (and Wagtail's
# "renditions") hold rendered pieces keyed by version tokens, only an optimisation.
# One machine: default in the database (shared, atomic add; `migrate` creates its table,
# dearly.pagecache.apps), fragments in each process's memory, sessions in the database. With
# REDIS_URL all three are Redis, and sessions are cached_db rather than cache: the database
# stays their truth, so a Redis restart, eviction or outage logs nobody out.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    CACHES = {alias: redis_cache(REDIS_URL) for alias in ("default", "fragments", "renditions")}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    _fragments = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    CACHES = {
        "default": {
            "BACKEND": "dearly.scaleout.cache.SharedDatabaseCache",
            "LOCATION": "dearly_cache",
            # Not Django's 300: past it a third of the counters are dropped, so a flood of
            # new keys would wipe other addresses' rate limits and lockouts.
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        },
        "fragments": _fragments,
        "renditions": _fragments,  # the same memory (LocMemCache shares by LOCATION)
    }

# Page cache for logged-out readers, in front of Django (docs/architecture.md, "Page cache"):
# shared by the workers through files under VAR_DIR, or through Redis when REDIS_URL is set.
PAGECACHE_ENABLED = os.environ.get("PAGECACHE", "1").strip() != "0"
PAGECACHE_DIR = VAR_DIR / "pagecache"
PAGECACHE_REDIS_URL = os.environ.get("REDIS_URL", "").strip()
PAGECACHE_KEY_PREFIX = "dearly:pagecache"
PAGECACHE_MAX_AGE = 60  # browsers and CDNs revalidate after a minute (ETag: a cheap 304)
PAGECACHE_TTL = 3600  # an upper bound for what changes with time alone (comments closing)
PAGECACHE_MAX_ENTRIES = 5000  # shared store; the oldest are dropped first
PAGECACHE_LOCAL_BYTES = 16 * 1024 * 1024  # per worker process
PAGECACHE_MAX_BODY = 1024 * 1024
# Search results are not stored: every ?q= would be a new entry, and a flood of them would push
# the real pages out.
PAGECACHE_SKIP_PREFIXES = [
    "/admin/", "/accounts/", "/ask/", "/comments/", "/documents/", "/static/", "/media/",
    "/search/",
]  # fmt: skip
# Besides the session, messages and language cookies: requests carrying these are never served
# from the cache.
PAGECACHE_PRIVATE_COOKIES = ["mfa_trusted"]
# A CDN or Varnish in front (optional): the URLs a change refreshes are purged there too.
# https://docs.wagtail.org/en/stable/reference/contrib/frontendcache.html
WAGTAILFRONTENDCACHE = {}
if os.environ.get("FRONTEND_CACHE_PURGE_URL", "").strip():
    WAGTAILFRONTENDCACHE["http"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
        "LOCATION": os.environ["FRONTEND_CACHE_PURGE_URL"].strip(),
    }
if os.environ.get("CLOUDFLARE_ZONE_ID", "").strip():
    WAGTAILFRONTENDCACHE["cloudflare"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
        "BEARER_TOKEN": os.environ.get("CLOUDFLARE_BEARER_TOKEN", "").strip(),
        "ZONEID": os.environ["CLOUDFLARE_ZONE_ID"].strip(),
    }
if WAGTAILFRONTENDCACHE:
    INSTALLED_APPS.append("wagtail.contrib.frontend_cache")


WAGTAIL_SITE_NAME = "Dearly"
# The site's public address: every absolute link in an email is built from it, never from the
# request's Host header (which the client chooses).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").strip().rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAIL_ALLOW_UNICODE_SLUGS = False
TAGGIT_CASE_INSENSITIVE = True


def email_settings(url):
    """EMAIL_URL (smtp://, smtp+tls://, submission:// or smtps://, with user:password@) as
    (backend, host, port, user, password, use_tls, use_ssl)."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtp+tls", "submission", "smtps"):
        raise ImproperlyConfigured(
            "EMAIL_URL must be an smtp://, smtp+tls://, submission:// or smtps:// address "
            "(see .env.example)."
        )
    return (
        "django.core.mail.backends.smtp.EmailBackend",
        parts.hostname or "localhost",
        parts.port or 587,
        unquote(parts.username or ""),
        unquote(parts.password or ""),
        parts.scheme in ("smtp+tls", "submission"),
        parts.scheme == "smtps",
    )


# The newsletter: messages per second at most (0: as fast as the server takes them), and how
# long a sender's claim on a batch holds before another sender takes it over (dearly.newsletter
# .sending; longer than a batch of 50 takes at the slowest rate).
NEWSLETTER_RATE = float(os.environ.get("NEWSLETTER_RATE") or 0)
NEWSLETTER_CLAIM_SECONDS = float(os.environ.get("NEWSLETTER_CLAIM_SECONDS") or 600)
NEWSLETTER_UNSUBSCRIBE_MAILBOX = os.environ.get("NEWSLETTER_UNSUBSCRIBE_MAILBOX", "").strip()
# The shared secret of the bounce and complaint webhook (/subscribe/webhook/); unset: no webhook.
NEWSLETTER_WEBHOOK_SECRET = os.environ.get("NEWSLETTER_WEBHOOK_SECRET", "").strip()

# Imports run from the admin (docs/moving-in.md, "From the admin"): where uploaded exports wait
# until their import ends (shared with the task worker when it runs on another machine), and
# the largest upload accepted, in MB (a bigger export: `manage.py import_…` on the server).
IMPORT_DIR = Path(os.environ.get("IMPORT_DIR", "").strip() or VAR_DIR / "imports")
_import_max_mb = os.environ.get("IMPORT_MAX_UPLOAD_MB", "").strip() or "512"
if not _import_max_mb.isdigit() or int(_import_max_mb) == 0:
    raise ImproperlyConfigured(
        f"IMPORT_MAX_UPLOAD_MB must be a whole number of megabytes, not {_import_max_mb!r} "
        "(see .env.example)."
    )
IMPORT_MAX_UPLOAD_SIZE = int(_import_max_mb) * 1024 * 1024

# Without EMAIL_URL, mail is written to files under var/outbox/ (read them there).
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = VAR_DIR / "outbox"
if os.environ.get("EMAIL_URL", "").strip():
    (
        EMAIL_BACKEND,
        EMAIL_HOST,
        EMAIL_PORT,
        EMAIL_HOST_USER,
        EMAIL_HOST_PASSWORD,
        EMAIL_USE_TLS,
        EMAIL_USE_SSL,
    ) = email_settings(os.environ["EMAIL_URL"].strip())


def mail_domain(site_url):
    """The domain of the site's own mail: SITE_URL's host without "www." (an IP address as an
    address literal, RFC 5321 4.1.3)."""
    host = (urlsplit(site_url).hostname or "localhost").removeprefix("www.")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host
    return f"[{host}]"


# Who emails come from. Unset: noreply@ at SITE_URL's domain, shown under the column's name
# ("Dear Dr. Mimi" <noreply@advice.example.com>, dearly.core.mail); a value that names itself
# ("Dr. Mimi <letters@advice.example.com>") is used as it is.
DEFAULT_FROM_EMAIL = (
    os.environ.get("DEFAULT_FROM_EMAIL", "").strip() or f"noreply@{mail_domain(SITE_URL)}"
)

# Security headers for every environment (production.py adds HTTPS-only ones).
# https://docs.djangoproject.com/en/5.2/ref/middleware/#module-django.middleware.security
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp 4): no inline scripts or styles on the public site. The
# JSON-LD <script type="application/ld+json"> is a data block, never executed, so needs no nonce.
# https://django-csp.readthedocs.io/en/latest/configuration.html
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "frame-src": ["'self'", "https:"],  # video embeds in articles
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Replaces those directives under /admin/ (dearly.core.security): Wagtail 8's admin still uses
# inline scripts and styles (https://github.com/wagtail/wagtail/issues/1288), and its live
# preview frames pages from the same origin.
CONTENT_SECURITY_POLICY_ADMIN = {
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "connect-src": ["'self'", "https://releases.wagtail.org"],  # the dashboard's upgrade notice
    "frame-ancestors": ["'self'"],
}
# No Gravatar in the admin: it would send a hash of each editor's email to a third party.
WAGTAIL_GRAVATAR_PROVIDER_URL = None


def networks_from_env(name):
    """Comma-separated CIDRs from the environment, checked now: a typo stops the start."""
    values = [v.strip() for v in os.environ.get(name, "").split(",") if v.strip()]
    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {value!r} is not an IP network; write comma-separated CIDRs such as "
                "192.0.2.0/24,2001:db8::/32 (see .env.example)."
            ) from None
    return values


# Only these networks reach /admin/ (unset: anyone who can log in as staff).
ADMIN_ALLOWED_NETWORKS = networks_from_env("ADMIN_ALLOWED_NETWORKS")
# Reverse proxies of ours in front of the app (0: none). Only then are X-Forwarded-Proto and the
# proxies' part of X-Forwarded-For believed; allauth's rate limits read the same number.
TRUSTED_PROXY_COUNT = os.environ.get("TRUSTED_PROXY_COUNT", "").strip() or "0"
if not TRUSTED_PROXY_COUNT.isdigit():
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be a whole number (0: no proxy).")
TRUSTED_PROXY_COUNT = int(TRUSTED_PROXY_COUNT)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # Which server worker keeps the schedule (once at start, and when another takes over).
    "loggers": {"dearly.ops.scheduler": {"level": "INFO"}},
}
