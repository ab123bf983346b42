"""The scale-out settings come from the environment: S3 media with MEDIA_*, Redis with REDIS_URL,
the task queue with TASKS_BACKEND; a wrong value stops the start with a one-line reason.

No S3 server runs here (moto is not in the lock), so media are checked at the settings and
storage level: the S3 storage is built with the given values and makes the public URLs."""

import json
import os
import subprocess
import sys

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

import pytest

from dearly.settings.base import s3_media_storage

MEDIA = {
    "MEDIA_BUCKET": "dearly-media",
    "MEDIA_ENDPOINT_URL": "https://s3.eu-central-003.backblazeb2.example",
    "MEDIA_REGION": "eu-central-003",
    "MEDIA_ACCESS_KEY_ID": "key-id",
    "MEDIA_SECRET_ACCESS_KEY": "not-a-real-secret",
    "MEDIA_PUBLIC_URL": "https://media.advice.example/dearly/",
}


def django_process(code, settings_module="dearly.settings.production", **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("MEDIA_", "REDIS_URL"))}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={
            **base,
            "DJANGO_SETTINGS_MODULE": settings_module,
            "SECRET_KEY": "x" * 50,
            "ALLOWED_HOSTS": "advice.example",
            "DATABASE_URL": "postgres://dearly@127.0.0.1:1/dearly",  # never connected to
            "SITE_URL": "https://advice.example",
            "EMAIL_URL": "smtp+tls://mailer:secret@smtp.advice.example:587",  # never connected to
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.servers
def test_production_settings_put_media_on_s3_cache_and_sessions_in_redis_tasks_in_the_database():
    code = """
import json, django
django.setup()
from django.conf import settings
from django.core.files.storage import storages
default_storage = storages['default']
from django_tasks import task_backends
print(json.dumps({
    "storage": type(default_storage).__module__ + "." + type(default_storage).__name__,
    "bucket": default_storage.bucket_name,
    "endpoint": default_storage.endpoint_url,
    "region": default_storage.region_name,
    "key": default_storage.access_key,
    "url": default_storage.url("images/desk.jpg"),
    "media_url": settings.MEDIA_URL,
    "cache": settings.CACHES["default"]["BACKEND"],
    "redis": settings.CACHES["default"]["LOCATION"],
    "sessions": settings.SESSION_ENGINE,
    "tasks": type(task_backends["default"]).__name__,
}))
"""
    result = django_process(
        code, REDIS_URL="redis://cache.internal:6379/2", TASKS_BACKEND="database", **MEDIA
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen == {
        "storage": "storages.backends.s3.S3Storage",
        "bucket": "dearly-media",
        "endpoint": "https://s3.eu-central-003.backblazeb2.example",
        "region": "eu-central-003",
        "key": "key-id",
        "url": "https://media.advice.example/dearly/images/desk.jpg",
        "media_url": "https://media.advice.example/dearly/",
        "cache": "dearly.scaleout.cache.TolerantRedisCache",
        "redis": "redis://cache.internal:6379/2",
        "sessions": "django.contrib.sessions.backends.cached_db",
        "tasks": "DatabaseBackend",
    }


def test_without_media_settings_uploads_stay_on_local_disk():
    assert s3_media_storage({}) is None
    assert s3_media_storage({"MEDIA_ROOT": "/srv/dearly/media"}) is None


def test_credentials_are_optional_so_the_machine_role_can_provide_them():
    options = s3_media_storage({"MEDIA_BUCKET": "dearly-media"})["OPTIONS"]
    assert options["access_key"] is None and options["secret_key"] is None
    assert options["querystring_auth"] is False  # plain URLs: pages are cached for a while
    assert options["file_overwrite"] is False


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        (
            {"MEDIA_ENDPOINT_URL": "https://s3.example"},
            "MEDIA_ENDPOINT_URL set without MEDIA_BUCKET",
        ),
        ({"MEDIA_BUCKET": "b", "MEDIA_ACCESS_KEY_ID": "id"}, "Set both MEDIA_ACCESS_KEY_ID and"),
        ({"MEDIA_BUCKET": "b", "MEDIA_SECRET_ACCESS_KEY": "s"}, "Set both MEDIA_ACCESS_KEY_ID and"),
        ({"MEDIA_BUCKET": "b", "MEDIA_PUBLIC_URL": "media.example"}, "MEDIA_PUBLIC_URL must be"),
        ({"MEDIA_BUCKET": "b", "MEDIA_PUBLIC_URL": "javascript:alert(1)"}, "MEDIA_PUBLIC_URL must"),
        ({"MEDIA_BUCKET": "b", "MEDIA_ENDPOINT_URL": "ftp://files"}, "MEDIA_ENDPOINT_URL must be"),
    ],
)
def test_incomplete_or_malformed_media_settings_are_refused(env, reason):
    with pytest.raises(ImproperlyConfigured, match=reason):
        s3_media_storage(env)


@pytest.mark.servers
@pytest.mark.parametrize(
    ("env", "reason"),
    [
        ({"TASKS_BACKEND": "celery"}, "TASKS_BACKEND must be 'immediate' or 'database'"),
        ({"REDIS_URL": "memcached://127.0.0.1:11211"}, "REDIS_URL must start with redis://"),
        ({"MEDIA_REGION": "eu-west-1"}, "MEDIA_REGION set without MEDIA_BUCKET"),
    ],
)
def test_a_wrong_value_stops_manage_py_with_a_one_line_reason(env, reason):
    result = django_process(
        "from django.core.management import execute_from_command_line as run; run(['', 'check'])",
        **env,
    )
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: ")
    assert reason in last_line
