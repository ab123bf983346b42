"""Every change a reader can see refreshes each cached URL that shows it, on the next request."""

import pytest

from dearly.articles.models import ArticleIndexPage
from dearly.comments.services import moderate, remove_comment
from dearly.comments.tests.helpers import make_comment, make_reader
from dearly.core.models import ColumnSettings
from dearly.testing import make_article, make_topic

from .helpers import Reader

LISTINGS = ["/", "/guides/", "/feed/", "/feed/atom/", "/sitemap.xml"]


@pytest.fixture
def reader(site_tree):
    return Reader()


@pytest.fixture
def career(db):
    return make_topic("Career")


@pytest.fixture
def guide(site_tree, career):
    return make_article(
        site_tree["guides"], title="Asking for a raise", slug="raise", topics=[career]
    )


@pytest.fixture
def other(site_tree, career):
    return make_article(
        site_tree["guides"], title="Leaving a job well", slug="leaving", topics=[career]
    )


def warm(reader, *paths):
    """Each path is cached (a second request is a hit)."""
    for path in paths:
        reader.get(path)
        assert reader.get(path).cache == "hit", path


def test_publishing_an_edit_refreshes_the_page_listings_feeds_sitemap_and_related_posts(
    reader, guide, other
):
    warm(reader, "/guides/raise/", "/guides/leaving/", *LISTINGS)
    guide.title = "Asking for a pay rise"
    guide.save_revision().publish()

    page = reader.get("/guides/raise/")
    assert page.cache == "miss"
    assert "Asking for a pay rise" in page.text
    assert "Asking for a pay rise" in reader.get("/guides/leaving/").text  # its related posts
    for path in ["/", "/guides/", "/feed/", "/feed/atom/"]:
        answer = reader.get(path)
        assert answer.cache == "miss", path
        assert "Asking for a pay rise" in answer.text, path
    assert reader.get("/sitemap.xml").cache == "miss"


def test_a_newly_published_page_appears_everywhere_at_once(reader, site_tree, guide, career):
    warm(reader, "/guides/raise/", *LISTINGS)
    make_article(site_tree["guides"], title="Negotiating a title", slug="title", topics=[career])
    for path in ["/", "/guides/", "/feed/", "/guides/raise/"]:
        assert "Negotiating a title" in reader.get(path).text, path
    assert "/guides/title/" in reader.get("/sitemap.xml").text


def test_unpublishing_removes_the_page_everywhere(reader, guide, other):
    warm(reader, "/guides/raise/", "/guides/leaving/", *LISTINGS)
    guide.unpublish()
    assert reader.get("/guides/raise/").status_code == 404
    for path in [*LISTINGS, "/guides/leaving/"]:
        answer = reader.get(path)
        assert "Asking for a raise" not in answer.text, path
        assert "/guides/raise/" not in answer.text, path


def test_moving_a_page_refreshes_its_old_and_new_address(reader, site_tree, guide):
    essays = site_tree["home"].add_child(instance=ArticleIndexPage(title="Essays", slug="essays"))
    warm(reader, "/guides/raise/", "/guides/", "/essays/", "/sitemap.xml")
    guide.move(essays, pos="last-child")
    moved = reader.get("/guides/raise/")  # Wagtail's automatic redirect, not the cached page
    assert (moved.status_code, moved.headers["location"]) == (301, "/essays/raise/")
    assert "Asking for a raise" in reader.get("/essays/raise/").text
    assert "Asking for a raise" not in reader.get("/guides/").text
    assert "Asking for a raise" in reader.get("/essays/").text
    assert "/essays/raise/" in reader.get("/sitemap.xml").text


def test_deleting_a_page_refreshes_it_and_the_listings(reader, guide, other):
    warm(reader, "/guides/raise/", "/guides/leaving/", *LISTINGS)
    guide.delete()
    assert reader.get("/guides/raise/").status_code == 404
    for path in [*LISTINGS, "/guides/leaving/"]:
        assert "/guides/raise/" not in reader.get(path).text, path


def test_approving_and_removing_a_comment_refreshes_the_page_and_counts(reader, guide, other):
    ada = make_reader("ada")
    comment = make_comment(guide, ada, body="Ask in writing first.", status="pending")
    warm(reader, "/guides/raise/", "/guides/leaving/", "/guides/", "/")
    assert "Ask in writing first." not in reader.get("/guides/raise/").text

    moderate([comment], "approve")
    assert "Ask in writing first." in reader.get("/guides/raise/").text
    assert "1 comment" in reader.get("/guides/").text
    assert "1 comment" in reader.get("/guides/leaving/").text  # its related posts

    remove_comment(comment)
    assert "Ask in writing first." not in reader.get("/guides/raise/").text
    assert "1 comment" not in reader.get("/guides/").text


def test_a_pending_comment_leaves_the_cache_alone(reader, guide):
    warm(reader, "/guides/raise/")
    make_comment(guide, make_reader("bo"), body="Held for review.", status="pending")
    assert reader.get("/guides/raise/").cache == "hit"


def test_claiming_a_letter_and_dropping_the_claim_refresh_the_letter_and_its_update(
    reader, site_tree
):
    """The "Letter writer" badge is on the cached pages of the letter and its update at once,
    and off again at once."""
    from dearly.questions import claims
    from dearly.questions.models import LetterClaim, Question
    from dearly.testing import make_letter

    update = make_letter(site_tree["letters"], title="Update from Poor", slug="update")
    letter = make_letter(site_tree["letters"], title="Poor", slug="poor", update=update)
    _, token_hash = Question.new_token()
    question = Question.objects.create(
        text="A letter.", pen_name="Poor", status="published", letter=letter, token_hash=token_hash
    )
    writer = make_reader("poor")
    make_comment(letter, writer, body="It is me.")
    make_comment(update, writer, body="Me again.")
    paths = ["/letters/poor/", "/letters/update/"]
    warm(reader, *paths)
    claims.claim_letter(question, writer)
    for path in paths:
        answer = reader.get(path)
        assert answer.cache == "miss" and 'class="comment-badge"' in answer.text, path
    warm(reader, *paths)
    claims.drop_claim(LetterClaim.objects.get())
    for path in paths:
        answer = reader.get(path)
        assert answer.cache == "miss" and 'class="comment-badge"' not in answer.text, path


def test_renaming_a_topic_refreshes_the_navigation_on_every_page(reader, guide, career):
    warm(reader, "/guides/raise/", "/", "/topics/career/")
    career.name = "Careers and pay"
    career.save()
    for path in ["/guides/raise/", "/", "/topics/career/"]:
        assert "Careers and pay" in reader.get(path).text, path


def test_changing_the_site_settings_refreshes_every_page(reader, guide):
    reader.get("/guides/raise/")  # makes the settings with their defaults
    warm(reader, "/guides/raise/", "/")
    column = ColumnSettings.objects.get()
    column.tagline = "Straight talk about working life."
    column.save()
    for path in ["/guides/raise/", "/"]:
        assert "Straight talk about working life." in reader.get(path).text, path


def test_renaming_an_author_refreshes_their_posts(reader, site_tree):
    author = make_reader("mimi", display_name="Mimi M.")
    make_article(site_tree["guides"], title="Saying no", slug="no", author=author)
    warm(reader, "/guides/no/")
    author.display_name = "Dr. Mimi"
    author.save()
    assert "Dr. Mimi" in reader.get("/guides/no/").text


def test_logging_in_does_not_empty_the_cache(reader, guide):
    from django.contrib.auth.models import update_last_login

    warm(reader, "/guides/raise/")
    update_last_login(None, make_reader("cy"))
    assert reader.get("/guides/raise/").cache == "hit"


def test_a_response_rendered_from_old_rows_is_not_kept(reader, guide):
    """A change committed while a response is being rendered: it is not served afterwards."""
    from dearly.core.invalidation import invalidate

    app = reader.app
    original = app.app

    def change_during_render(environ, start_response):
        response = original(environ, start_response)
        invalidate(f"page:{guide.pk}")  # as if another process published meanwhile
        return response

    app.app = change_during_render
    reader.get("/guides/raise/")
    app.app = original
    assert reader.get("/guides/raise/").cache == "miss"
    assert reader.get("/guides/raise/").cache == "hit"


def test_editing_a_comment_refreshes_its_page_only(reader, guide, other):
    from dearly.comments.services import edit_comment

    ada = make_reader("ada")
    comment = make_comment(guide, ada, body="Ask in writing.")
    warm(reader, "/guides/raise/", "/guides/leaving/", "/guides/")
    edit_comment(comment, ada, "Ask in writing, and keep a copy.")
    assert "keep a copy" in reader.get("/guides/raise/").text
    assert reader.get("/guides/leaving/").cache == "hit"  # same counts in its related posts
    assert reader.get("/guides/").cache == "hit"
