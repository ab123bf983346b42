"""Attempts to poison the page cache or make it grow, and hosts that are not ours."""

import gzip

import pytest

from dearly.pagecache.store import get_store
from dearly.testing import make_article

from .helpers import Reader

PATH = "/guides/raise/"


@pytest.fixture
def guide(site_tree):
    return make_article(site_tree["guides"], title="Asking for a raise", slug="raise")


@pytest.fixture
def reader(settings, guide):
    settings.ALLOWED_HOSTS = ["dearly.example", "testserver"]
    return Reader()


def test_unknown_host_gets_400_and_never_the_cached_page(reader):
    assert reader.get(PATH, host="dearly.example").status_code == 200
    assert reader.get(PATH, host="dearly.example").cache == "hit"
    for host in ["evil.example", "dearly.example.evil.example", "", "dearly.example@evil"]:
        answer = reader.get(PATH, host=host)
        assert answer.status_code == 400, host
        assert answer.cache is None
        assert "Asking for a raise" not in answer.text
    assert get_store().count() == 1


def test_forwarded_host_cannot_poison_the_cache(reader):
    poisoned = reader.get(PATH, host="dearly.example", headers={"X-Forwarded-Host": "evil.example"})
    assert poisoned.status_code == 200
    assert "evil.example" not in poisoned.text
    plain = reader.get(PATH, host="dearly.example")
    assert plain.cache == "hit"
    assert plain.body == poisoned.body


def test_each_allowed_host_has_its_own_copy(reader):
    first = reader.get("/robots.txt", host="dearly.example")
    other = reader.get("/robots.txt", host="testserver")
    assert "http://dearly.example/sitemap.xml" in first.text
    assert "http://testserver/sitemap.xml" in other.text
    assert other.cache == "miss"


def test_tracking_parameters_are_dropped_before_django_sees_them(reader):
    tracked = reader.get(PATH, query="utm_source=%3Cscript%3Eevil&fbclid=1")
    assert tracked.status_code == 200
    assert "evil" not in tracked.text
    assert reader.get(PATH).cache == "hit"
    assert reader.get(PATH, query="utm_campaign=spring").cache == "hit"


def test_unknown_parameters_bypass_the_cache(reader):
    reader.get(PATH)
    for query in ["replyto=5", "preview=1", "page=2&x=%3Cscript%3E", "%70age=1", "a" * 600]:
        answer = reader.get(PATH, query=query)
        assert answer.status_code == 200, query
        assert answer.cache is None, query
    assert get_store().count() == 1


def test_search_words_are_part_of_the_key(reader):
    first = reader.get("/search/", query="q=raise")
    other = reader.get("/search/", query="q=%3Cscript%3Ealert(1)%3C/script%3E")
    assert other.cache == "miss"
    assert "<script>alert" not in other.text
    assert reader.get("/search/", query="q=raise").body == first.body


def test_accept_encoding_never_changes_what_is_stored(reader):
    gzipped = reader.get(PATH, headers={"Accept-Encoding": "gzip, br"})
    assert "content-encoding" not in gzipped.headers
    plain = reader.get(PATH, headers={"Accept-Encoding": "identity"})
    assert plain.cache == "hit"
    assert plain.body == gzipped.body


def test_a_compressed_response_is_not_stored(settings, guide):
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.MIDDLEWARE = ["django.middleware.gzip.GZipMiddleware", *settings.MIDDLEWARE]
    reader = Reader()
    first = reader.get(PATH, headers={"Accept-Encoding": "gzip"})
    assert first.headers["content-encoding"] == "gzip"
    assert b"Asking for a raise" in gzip.decompress(first.body)
    assert first.cache is None
    plain = reader.get(PATH)  # uncompressed: fit for every reader, so stored
    assert (plain.cache, "content-encoding" in plain.headers) == ("miss", False)
    again = reader.get(PATH, headers={"Accept-Encoding": "gzip"})
    assert (again.cache, again.body) == ("hit", plain.body)


def test_basic_auth_requests_go_to_django(reader):
    reader.get(PATH)
    assert reader.get(PATH, headers={"Authorization": "Basic eDp5"}).cache is None


def test_ten_thousand_query_strings_on_one_page_keep_the_cache_bounded(settings, guide):
    settings.PAGECACHE_MAX_ENTRIES = 100
    settings.PAGECACHE_LOCAL_BYTES = 50_000
    from dearly.pagecache.store import reset_store

    reset_store()
    reader = Reader()
    store = reader.app.store
    for n in range(10_000):  # all one entry: the tracking parameters are dropped
        assert reader.get("/robots.txt", query=f"utm_source=s{n}").status_code == 200
    assert reader.django_runs == 1
    for n in range(600):  # each a page number: stored, but only the newest are kept
        assert reader.get("/robots.txt", query=f"page={n}").status_code == 200
    assert store.count() <= settings.PAGECACHE_MAX_ENTRIES + store.TRIM_EVERY
    assert reader.app.local_size <= settings.PAGECACHE_LOCAL_BYTES
    assert reader.get("/robots.txt", query="page=599").cache == "hit"
    reset_store()
