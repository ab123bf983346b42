"""A letter writer's updates (LetterUpdatePage): shown under the letter and linking back to it,
listed at /letters/updates/ with their own feeds, and refreshed in cached pages."""

import datetime

from django.core.exceptions import ValidationError

import feedparser
import pytest

from dearly.articles.models import LetterUpdatePage
from dearly.pagecache.tests.helpers import Reader
from dearly.testing import make_article, make_letter, make_letter_update

pytestmark = pytest.mark.django_db

MARCH_2027 = datetime.datetime(2027, 3, 9, 8, tzinfo=datetime.UTC)


@pytest.fixture
def letter(site_tree):
    return make_letter(
        site_tree["letters"], title="Dear Dr. Mimi – Overlooked", pen_name="Overlooked"
    )


def test_the_letter_shows_its_update_and_the_update_links_back(client, letter):
    update = make_letter_update(
        letter, text="<p>I was promoted in the spring &amp; I lead a team.</p>", date=MARCH_2027
    )
    html = client.get(letter.url).content.decode()
    assert "Update from the letter writer, <time" in html and ">March 2027</time>" in html
    assert f'<a href="{update.url}">Update from the letter writer' in html
    assert "I was promoted in the spring &amp; I lead a team." in html

    page = client.get(update.url).content.decode()
    assert f'An update to <a href="{letter.url}">Dear Dr. Mimi – Overlooked</a>' in page
    assert "<p>I was promoted in the spring &amp; I lead a team.</p>" in page
    assert "—Overlooked</p>" in page


def test_several_updates_are_listed_oldest_first_and_drafts_never(client, letter):
    make_letter_update(letter, text="<p>The first news.</p>", date=MARCH_2027)
    make_letter_update(letter, text="<p>Later news.</p>", date=MARCH_2027 + datetime.timedelta(300))
    make_letter_update(letter, text="<p>A draft nobody may read.</p>", live=False)
    html = client.get(letter.url).content.decode()
    assert "Updates from the letter writer" in html
    assert html.index("The first news.") < html.index("Later news.")
    assert "A draft nobody may read." not in html


def test_an_update_whose_letter_is_unpublished_does_not_link_to_it(client, letter):
    update = make_letter_update(letter)
    letter.unpublish()
    html = client.get(update.url).content.decode()
    assert "An update to" not in html and letter.url not in html


def test_updates_are_listed_at_letters_updates_with_their_own_feeds(client, site_tree, letter):
    update = make_letter_update(letter, title="Update: Overlooked", date=MARCH_2027)
    make_letter_update(letter, title="Update: still a draft", live=False)
    make_article(site_tree["guides"], title="A guide, not an update")
    html = client.get("/letters/updates/").content.decode()
    assert "<h1>Updates from letter writers</h1>" in html
    assert f'<a href="{update.url}">Update: Overlooked</a>' in html
    assert ">Update</a> · " in html  # the kind shown in the listing
    assert "still a draft" not in html and "A guide, not an update" not in html
    assert 'href="/feed/letters/updates/">Feed of the updates (RSS)</a>' in html

    for url in ("/feed/letters/updates/", "/feed/letters/updates/atom/"):
        feed = feedparser.parse(client.get(url).content)
        assert not feed.bozo
        assert [entry.title for entry in feed.entries] == ["Update: Overlooked"]
        assert feed.feed.title.endswith(": updates from letter writers")


def test_updates_appear_in_the_column_and_in_the_site_feed(client, letter):
    update = make_letter_update(letter, title="Update: Overlooked")
    assert (
        f'<a href="{update.url}">Update: Overlooked</a>' in client.get("/letters/").content.decode()
    )
    feed = feedparser.parse(client.get("/feed/").content)
    assert "Update: Overlooked" in [entry.title for entry in feed.entries]


def test_letters_updates_pages_never_fail_on_a_bad_page_number(client, letter):
    make_letter_update(letter)
    for page in ("abc", "-1", "99999", "1\x00"):
        assert client.get("/letters/updates/", {"page": page}).status_code == 200


@pytest.mark.parametrize("model", ["letter", "update"])
def test_no_post_in_the_column_may_take_the_slug_of_the_updates_list(letter, model):
    page = letter if model == "letter" else make_letter_update(letter)
    page.slug = "updates"
    with pytest.raises(ValidationError) as refused:
        page.full_clean()
    assert "address of a list in the column" in str(refused.value)


def test_a_published_update_refreshes_the_letter_in_the_page_cache(letter):
    reader = Reader()
    for _ in range(2):
        answer = reader.get(letter.url)
    assert answer.cache == "hit" and "Update from the letter writer" not in answer.text

    update = make_letter_update(letter, text="<p>News from the writer.</p>")
    answer = reader.get(letter.url)
    assert answer.cache == "miss" and "News from the writer." in answer.text

    update.unpublish()
    answer = reader.get(letter.url)
    assert "News from the writer." not in answer.text


def test_publishing_an_update_bumps_its_letter_tag(letter, monkeypatch):
    from dearly.core import invalidation

    bumped = []
    monkeypatch.setattr(invalidation, "_bump", lambda tags, purge=False: bumped.extend(tags))
    make_letter_update(letter)
    assert f"page:{letter.pk}" in bumped


def test_the_editor_only_adds_updates_to_the_column(site_tree, letter):
    assert LetterUpdatePage.can_exist_under(site_tree["letters"])
    assert not LetterUpdatePage.can_exist_under(letter)
    assert not LetterUpdatePage.can_exist_under(site_tree["guides"])


def test_an_update_signs_with_the_letters_byline(letter, django_user_model):
    editor = django_user_model.objects.create(username="editor")
    assert LetterUpdatePage.default_author(editor) == letter.default_author(editor)
