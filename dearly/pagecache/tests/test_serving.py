"""The page cache in front of Django: what is served from it, with which headers, and what
always goes to Django."""

import socket
from io import StringIO

import pytest

from dearly.testing import make_article

from .helpers import Reader


@pytest.fixture
def reader(site_tree):
    return Reader()


@pytest.fixture
def guide(site_tree):
    return make_article(site_tree["guides"], title="Asking for a raise", slug="raise")


PATH = "/guides/raise/"


def test_second_anonymous_request_is_served_without_running_django(
    reader, guide, django_assert_num_queries
):
    first = reader.get(PATH)
    assert first.status_code == 200
    assert first.cache == "miss"
    assert "Asking for a raise" in first.text
    assert reader.django_runs == 1

    with django_assert_num_queries(0):
        second = reader.get(PATH)
    assert second.status_code == 200
    assert second.cache == "hit"
    assert second.body == first.body
    assert reader.django_runs == 1  # Django's handler never started
    assert second.headers["etag"] == first.headers["etag"]
    assert second.headers["content-length"] == str(len(first.body))


def test_cached_response_says_how_long_browsers_may_keep_it(reader, guide):
    reader.get(PATH)
    hit = reader.get(PATH)
    assert hit.headers["cache-control"] == "max-age=60, must-revalidate"
    assert hit.headers["etag"].startswith('"')
    assert hit.headers["last-modified"].endswith(" GMT")
    assert "set-cookie" not in hit.headers


def test_head_is_answered_from_the_cache_without_a_body(reader, guide):
    first = reader.get(PATH)
    head = reader.get(PATH, method="HEAD")
    assert head.cache == "hit"
    assert head.body == b""
    assert head.headers["content-length"] == str(len(first.body))


def test_matching_etag_or_date_gets_304_on_a_hit_and_on_a_miss(reader, guide):
    first = reader.get(PATH)
    etag, modified = first.headers["etag"], first.headers["last-modified"]

    hit = reader.get(PATH, headers={"If-None-Match": etag})
    assert (hit.status_code, hit.body, hit.cache) == (304, b"", "hit")
    assert hit.headers["etag"] == etag
    assert reader.get(PATH, headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304
    assert reader.get(PATH, headers={"If-Modified-Since": modified}).status_code == 304
    assert reader.get(PATH, headers={"If-None-Match": '"stale"'}).status_code == 200
    old_date = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert reader.get(PATH, headers={"If-Modified-Since": old_date}).status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
    both = {"If-None-Match": '"stale"', "If-Modified-Since": modified}
    assert reader.get(PATH, headers=both).status_code == 200

    fresh = Reader()  # another worker with nothing in memory, nothing stored yet
    from dearly.core.invalidation.store import get_store

    get_store().clear()
    miss = fresh.get(PATH, headers={"If-None-Match": etag})
    assert (miss.status_code, miss.cache) == (304, "miss")


@pytest.mark.parametrize(
    "cookie",
    ["sessionid=abc123", "csrftoken=x; sessionid=abc123", "messages=xyz", "mfa_trusted=1"],
)
def test_requests_with_a_session_or_messages_cookie_always_run_django(reader, guide, cookie):
    reader.get(PATH)
    answer = reader.get(PATH, headers={"Cookie": cookie})
    assert answer.status_code == 200
    assert answer.cache is None
    assert reader.django_runs == 2


def test_a_csrf_cookie_alone_is_not_a_session(reader, guide):
    reader.get(PATH)
    assert reader.get(PATH, headers={"Cookie": "csrftoken=abc; theme=dark"}).cache == "hit"


def test_logged_in_readers_never_get_the_anonymous_copy(client, reader, guide):
    from dearly.comments.tests.helpers import make_reader

    reader.get(PATH)
    client.force_login(make_reader("wren"))
    session = client.cookies["sessionid"].value
    answer = reader.get(PATH, headers={"Cookie": f"sessionid={session}"})
    assert answer.cache is None
    assert "Leave a Reply" in answer.text
    assert "You must be" not in answer.text  # the form, not the logged-out prompt


def test_post_is_never_cached_or_answered_from_the_cache(reader, guide):
    reader.get(PATH)
    answer = reader.get(PATH, method="POST", body=b"x=1")
    assert answer.cache is None
    assert reader.django_runs == 2


@pytest.mark.parametrize("path", ["/admin/", "/accounts/login/", "/ask/", "/comments/1/report/"])
def test_private_areas_are_never_cached(reader, guide, path):
    reader.get(path)
    again = reader.get(path)
    assert again.cache is None
    assert reader.django_runs == 2


def test_responses_that_set_a_cookie_are_not_stored(reader, guide, settings):
    # The login page sets the CSRF cookie; even outside the skipped prefixes it would not be kept.
    settings.PAGECACHE_SKIP_PREFIXES = []
    reader = Reader()
    first = reader.get("/accounts/login/")
    assert "csrftoken" in first.headers.get("set-cookie", "")
    assert first.cache is None
    assert reader.get("/accounts/login/").cache is None


def test_not_found_and_errors_are_not_stored(reader, guide):
    assert reader.get("/no-such-page/").status_code == 404
    assert reader.get("/no-such-page/").cache is None
    assert reader.django_runs == 2


def test_password_protected_page_is_never_shared(reader, guide):
    from wagtail.models import PageViewRestriction

    PageViewRestriction.objects.create(
        page=guide, restriction_type=PageViewRestriction.PASSWORD, password="pw"
    )
    first = reader.get(PATH)
    assert "Asking for a raise" not in first.text
    assert reader.get(PATH).cache is None


def test_feeds_sitemap_robots_and_listings_are_cached(reader, guide):
    for path, query in [
        ("/feed/", ""),
        ("/feed/atom/", ""),
        ("/sitemap.xml", ""),
        ("/robots.txt", ""),
        ("/guides/", ""),
        ("/", ""),
    ]:
        first = reader.get(path, query=query)
        assert first.status_code == 200, path
        assert first.cache == "miss", path
        assert reader.get(path, query=query).cache == "hit", path
    assert "max-age=86400" in reader.get("/robots.txt").headers["cache-control"]  # the view's own


def test_disabled_page_cache_leaves_django_alone(settings):
    from django.core.handlers.wsgi import WSGIHandler

    from dearly.pagecache.wsgi import wrap

    settings.PAGECACHE_ENABLED = False
    app = WSGIHandler()
    assert wrap(app) is app


def test_a_new_release_never_serves_pages_rendered_by_the_previous_one(reader, guide):
    reader.get(PATH)
    upgraded = Reader()  # another server, started after a deploy
    upgraded.app.release = "0123456789ab "
    assert upgraded.get(PATH).cache == "miss"
    assert reader.get(PATH).cache == "hit"


def test_clear_page_cache_command_empties_it_for_every_worker(reader, guide):
    from django.core.management import call_command

    reader.get(PATH)
    out = StringIO()
    call_command("clear_page_cache", stdout=out)
    assert out.getvalue() == "Page cache cleared.\n"
    assert reader.get(PATH).cache == "miss"  # the copy in this worker's memory too


def test_clear_page_cache_also_drops_fragments_after_a_change_no_signal_reported(reader, guide):
    from django.core.management import call_command

    from wagtail.models import Page

    assert "Asking for a raise" in reader.get(PATH).text  # the route and page are cached too
    Page.objects.filter(pk=guide.pk).update(title="Asking for a promotion")  # no signal
    call_command("clear_page_cache", stdout=StringIO())
    answer = reader.get(PATH)
    assert answer.cache == "miss"
    assert "Asking for a promotion" in answer.text


def test_clear_page_cache_shows_rows_changed_behind_the_signals_to_every_reader(reader, guide):
    """Comment threads and the logged-in page are fragments too; one command drops them all."""
    from django.core.management import call_command
    from django.test import Client

    from dearly.articles.models import ArticlePage
    from dearly.comments.models import Comment
    from dearly.comments.tests.helpers import make_comment, make_reader

    comment = make_comment(guide, make_reader("ann"), body="First thoughts.")
    member = Client()
    member.force_login(make_reader("bo"))
    for text in (reader.get(PATH).text, member.get(PATH).content.decode()):
        assert "First thoughts." in text and "A short introduction." in text
    Comment.objects.filter(pk=comment.pk).update(
        body="Second thoughts.", body_html="<p>Second thoughts.</p>"
    )
    ArticlePage.objects.filter(pk=guide.pk).update(intro="A longer introduction.")  # no signal
    call_command("clear_page_cache", stdout=StringIO())
    for text in (reader.get(PATH).text, member.get(PATH).content.decode()):
        assert "Second thoughts." in text and "A longer introduction." in text


def test_clear_page_cache_command_fails_with_a_reason_when_the_store_is_away(settings):
    from django.core.management import CommandError, call_command

    from dearly.core.invalidation.store import reset_store

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.PAGECACHE_REDIS_URL = f"redis://127.0.0.1:{port}/0"
    reset_store()
    try:
        with pytest.raises(CommandError, match="could not be cleared"):
            call_command("clear_page_cache")
    finally:
        reset_store()
