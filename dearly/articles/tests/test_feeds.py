import feedparser
import pytest

from dearly.testing import make_article, make_letter, make_topic

pytestmark = pytest.mark.django_db


def parse(response):
    assert response.status_code == 200
    feed = feedparser.parse(
        response.content, response_headers={"content-type": response["Content-Type"]}
    )
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


@pytest.fixture
def posts(site_tree):
    topic = make_topic("Career")
    return {
        "guide": make_article(
            site_tree["guides"],
            title="Guide & <friends>",
            topics=[topic],
            body=[("paragraph", "<p>Caf&eacute; talk &amp; more</p>")],
        ),
        "letter": make_letter(site_tree["letters"], title="Dear Dr. Mimi – Feedy"),
        "draft": make_letter(site_tree["letters"], title="Draft letter", live=False),
    }


def test_rss_feed_lists_public_posts_with_clean_excerpts(client, posts):
    feed = parse(client.get("/feed/"))
    assert feed.version == "rss20"
    titles = [e.title for e in feed.entries]
    assert "Guide & <friends>" in titles and "Dear Dr. Mimi – Feedy" in titles
    assert "Draft letter" not in titles
    guide = next(e for e in feed.entries if e.title.startswith("Guide"))
    assert guide.link == f"http://testserver{posts['guide'].url}"
    assert guide.published_parsed is not None
    assert guide.summary == "A short introduction. Café talk & more"


def test_atom_feed_parses(client, posts):
    feed = parse(client.get("/feed/atom/"))
    assert feed.version == "atom10"
    assert len(feed.entries) == 2
    assert all(e.id and e.link and e.updated_parsed for e in feed.entries)


def test_letters_feed_has_only_letters(client, posts):
    for url in ("/feed/letters/", "/feed/letters/atom/"):
        titles = [e.title for e in parse(client.get(url)).entries]
        assert titles == ["Dear Dr. Mimi – Feedy"], url


def test_topic_feed_has_only_that_topic(client, posts):
    for url in ("/topics/career/feed/", "/topics/career/feed/atom/"):
        titles = [e.title for e in parse(client.get(url)).entries]
        assert titles == ["Guide & <friends>"], url


def test_pages_advertise_their_feeds(client, posts):
    html = client.get("/").content.decode()
    assert 'type="application/rss+xml"' in html and 'href="/feed/"' in html
    assert 'type="application/atom+xml"' in html and 'href="/feed/atom/"' in html
