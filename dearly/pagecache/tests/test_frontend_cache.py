"""With a CDN configured (Wagtail's frontend cache), a change purges there every URL the page
cache holds that shows it."""

from wagtail.contrib.frontend_cache.backends import BaseBackend

import pytest

from dearly.testing import make_article

from .helpers import Reader

PURGED = []


class RecordingBackend(BaseBackend):
    """A CDN that writes down what it was asked to purge."""

    def purge(self, url):
        PURGED.append(url)


@pytest.fixture
def cdn(settings):
    settings.WAGTAILFRONTENDCACHE = {
        "test": {"BACKEND": "dearly.pagecache.tests.test_frontend_cache.RecordingBackend"}
    }
    PURGED.clear()
    yield PURGED
    PURGED.clear()


def test_publishing_purges_the_page_and_the_listings_that_show_it(
    site_tree, cdn, django_capture_on_commit_callbacks
):
    guide = make_article(site_tree["guides"], title="Asking for a raise", slug="raise")
    reader = Reader()
    for path in ["/guides/raise/", "/guides/", "/feed/"]:
        reader.get(path)
    cdn.clear()
    with django_capture_on_commit_callbacks(execute=True):
        guide.title = "Asking for a pay rise"
        guide.save_revision().publish()
    for url in [
        "http://testserver/guides/raise/",
        "http://testserver/guides/",
        "http://testserver/feed/",
    ]:
        assert url in cdn


def test_without_a_cdn_nothing_is_purged(site_tree, settings, django_capture_on_commit_callbacks):
    assert settings.WAGTAILFRONTENDCACHE == {}
    guide = make_article(site_tree["guides"], title="Asking for a raise", slug="raise")
    Reader().get("/guides/raise/")
    with django_capture_on_commit_callbacks(execute=True):
        guide.save_revision().publish()
    assert PURGED == []
