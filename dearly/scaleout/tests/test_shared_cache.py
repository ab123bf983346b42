"""The default cache is shared by every worker process, with an atomic add (allauth's rate limits
and lockouts rely on both): a database table on one machine, Redis with REDIS_URL. Fragments
keyed by version tokens stay in process memory on one machine, so pages never read or write
that table."""

import json

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from dearly.comments.tests.helpers import make_reader
from dearly.testing import make_article, make_letter

from .test_settings import django_process

embedded = pytest.mark.skipif(
    bool(settings.REDIS_URL), reason="the embedded default (REDIS_URL makes every cache Redis)"
)


def cache_table():
    return connection.ops.quote_name(caches["default"]._table)


@embedded
@pytest.mark.django_db(transaction=True)
def test_migrate_makes_the_cache_table_wherever_a_database_is_set_up():
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {cache_table()}")
    try:
        call_command("migrate", verbosity=0)  # what `make run`, upgrades and bench sites run
        assert cache.add("lock", True) and not cache.add("lock", True)
    finally:
        call_command("createcachetable", verbosity=0)


@embedded
@pytest.mark.django_db
def test_rate_limit_counters_go_to_the_shared_table(client, site_tree):
    assert isinstance(caches["default"], DatabaseCache)
    client.post("/accounts/login/", {"login": "nobody@example.com", "password": "wrong"})
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT cache_key FROM {cache_table()}")  # noqa: S608  # our table
        keys = [key for (key,) in cursor.fetchall()]
    assert any(":login_failed:" in key for key in keys), keys


@embedded
@pytest.mark.django_db
def test_pages_never_read_or_write_the_cache_table(client, site_tree):
    guide = make_article(site_tree["guides"], title="Asking for a raise")
    letter = make_letter(site_tree["letters"], pen_name="Restless")
    logged_in = type(client)()
    logged_in.force_login(make_reader("wren"))
    paths = ["/", "/guides/", guide.url, letter.url, "/feed/", "/sitemap.xml"]
    for http in (client, logged_in):
        for path in paths:
            http.get(path)  # fills the fragment caches
            with CaptureQueriesContext(connection) as queries:
                assert http.get(path).status_code == 200, path
            table = caches["default"]._table
            touched = [q["sql"] for q in queries.captured_queries if table in q["sql"]]
            assert touched == [], (path, touched)


@pytest.mark.servers
def test_with_redis_every_cache_is_redis_and_without_it_only_fragments_are_per_process():
    code = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps({alias: c["BACKEND"] for alias, c in settings.CACHES.items()}))
"""
    seen = {}
    for name, env in [("redis", {"REDIS_URL": "redis://cache.internal:6379/2"}), ("one", {})]:
        result = django_process(code, **env)
        assert result.returncode == 0, result.stderr
        seen[name] = json.loads(result.stdout)
    redis = "dearly.scaleout.cache.TolerantRedisCache"
    assert seen["redis"] == {"default": redis, "fragments": redis, "renditions": redis}
    memory = "django.core.cache.backends.locmem.LocMemCache"
    assert seen["one"] == {
        "default": "dearly.scaleout.cache.SharedDatabaseCache",
        "fragments": memory,
        "renditions": memory,
    }
