"""What a CDN or proxy in front may keep: pages made for a logged-in reader (or setting a cookie)
say `Cache-Control: private` with no shared lifetime; logged-out pages stay shareable."""

from django.http import HttpResponse

import pytest

from dearly.comments.tests.helpers import make_reader
from dearly.pagecache.middleware import make_private
from dearly.testing import make_article, make_letter

from .helpers import Reader

PAGES = ["/", "/guides/", "/letters/", "/guides/raise/", "/letters/dear-restless/"]


@pytest.fixture
def posts(site_tree):
    make_article(site_tree["guides"], title="Asking for a raise", slug="raise")
    make_letter(site_tree["letters"], title="Dear Dr. Mimi – Restless", slug="dear-restless")


def directives(response):
    return {d.strip().split("=")[0] for d in response.get("Cache-Control", "").split(",")} - {""}


@pytest.mark.parametrize("path", PAGES)
def test_a_page_rendered_for_a_logged_in_reader_is_private(client, posts, path):
    client.force_login(make_reader("wren"))
    response = client.get(path)
    assert response.status_code == 200
    assert "Log out" in response.content.decode()
    assert "private" in directives(response)
    assert not {"public", "s-maxage"} & directives(response)


@pytest.mark.parametrize("path", PAGES)
def test_a_logged_out_page_stays_shareable(client, posts, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "private" not in directives(response)


def test_the_page_cache_stores_and_serves_logged_out_pages_as_before(posts):
    reader = Reader()
    for path in PAGES:
        reader.get(path)
        hit = reader.get(path)
        assert hit.cache == "hit", path
        assert hit.headers["cache-control"] == "max-age=60, must-revalidate", path


def test_a_response_setting_a_cookie_is_private(client, site_tree):
    response = client.get("/accounts/login/")  # sets the CSRF cookie
    assert "csrftoken" in response.cookies
    assert "private" in directives(response)


def test_a_shared_lifetime_is_dropped_from_a_private_response():
    response = HttpResponse()
    response["Cache-Control"] = "public, max-age=600, s-maxage=3600"
    make_private(response)
    assert directives(response) == {"private", "max-age"}
    assert "max-age=600" in response["Cache-Control"]
