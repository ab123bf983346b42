import re
from html.parser import HTMLParser

from django.contrib.syndication.views import Feed

import feedparser
import pytest

from dearly.articles.models import Topic
from dearly.articles.urls import urlpatterns
from dearly.testing import make_article, make_letter, make_letter_update, make_topic

pytestmark = pytest.mark.django_db


def parse(response):
    assert response.status_code == 200
    feed = feedparser.parse(
        response.content, response_headers={"content-type": response["Content-Type"]}
    )
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


class _Rendered(HTMLParser):
    """What a feed reader shows for an HTML text construct: its elements and its text."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.tags, self.text = [], []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def shown(detail):
    """(elements, text) a reader gets from a feedparser text construct, unsanitised."""
    if detail.type in ("text/html", "application/xhtml+xml"):
        rendered = _Rendered(detail.value)
        return set(rendered.tags), "".join(rendered.text)
    return set(), detail.value


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
    assert shown(guide.summary_detail)[1] == "A short introduction. Café talk & more"


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


# Hostile text: readers' letters, pen names and titles must reach a feed reader as text.

SCRIPT = '<script>alert("x")</script>'
IMG = "<img src=x onerror=alert(1)>"
HOSTILE_TITLE = f"{SCRIPT} & {IMG}"
ESCAPED_IN_RICH_TEXT = "<p>&lt;script&gt;alert(2)&lt;/script&gt; &lt;b&gt;bold&lt;/b&gt;</p>"
LIVE_TAGS = {"script", "img", "iframe", "svg", "object", "embed", "style", "b"}


@pytest.fixture
def hostile_posts(site_tree):
    topic = Topic.objects.create(name=f"Topic {IMG}", slug="hostile", description=SCRIPT)
    posts = [
        make_article(
            site_tree["guides"],
            title=HOSTILE_TITLE,
            intro=IMG,
            topics=[topic],
            body=[("paragraph", ESCAPED_IN_RICH_TEXT)],
        ),
        make_letter(
            site_tree["letters"],
            title=f"Dear Dr. Mimi – {IMG}",
            pen_name=IMG,
            topics=[topic],
            question="<p>&lt;script&gt;alert(3)&lt;/script&gt; Is &lt;b&gt; a tag?</p>",
        ),
        make_letter(
            site_tree["letters"], title="Excerpted", topics=[topic], excerpt=f"{SCRIPT} A&B"
        ),
    ]
    updated = posts[1]
    posts.append(
        make_letter_update(
            updated,
            title=f"Update: {IMG}",
            text="<p>&lt;script&gt;alert(4)&lt;/script&gt; It went well.</p>",
            pen_name=IMG,
        )
    )
    return posts


def feed_urls():
    """Every feed the articles app serves, with the hostile topic's slug where one is needed."""
    return [
        str(pattern.pattern).replace("<slug:slug>", "hostile")
        for pattern in urlpatterns
        if isinstance(pattern.callback, Feed)
    ]


def test_the_hostile_text_test_finds_every_feed():
    assert len(feed_urls()) == 8  # RSS and Atom: site-wide, letters, writers' updates, per topic


@pytest.mark.parametrize("url", feed_urls())
def test_hostile_text_reaches_feed_readers_as_text_never_as_markup(client, hostile_posts, url):
    response = client.get(f"/{url}")
    assert not re.search(r"<(script|img)\b", response.content.decode(), re.IGNORECASE)  # in XML
    feed = feedparser.parse(
        response.content,
        response_headers={"content-type": response["Content-Type"]},
        sanitize_html=False,  # what a reader that trusts the feed would render
    )
    assert not feed.bozo, feed.get("bozo_exception")
    entries = {e.link.removeprefix("http://testserver"): e for e in feed.entries}
    guide, letter, excerpted, update = (entries.get(p.url) for p in hostile_posts)
    if update:
        assert shown(update.title_detail)[1] == f"Update: {IMG}"
        assert shown(update.summary_detail)[1] == "<script>alert(4)</script> It went well."
    if "updates" in url:
        assert update and not (guide or letter or excerpted)
        return
    assert letter and excerpted and (guide or "letters" in url)
    details = [feed.feed.title_detail, feed.feed.subtitle_detail]
    details += [d for e in feed.entries for d in (e.title_detail, e.summary_detail)]
    for detail in details:
        tags, _ = shown(detail)
        assert not tags & LIVE_TAGS, (detail.type, detail.value)
    if guide:
        assert shown(guide.title_detail)[1] == HOSTILE_TITLE
        assert shown(guide.summary_detail)[1] == f"{IMG} <script>alert(2)</script> <b>bold</b>"
    assert shown(letter.title_detail)[1] == f"Dear Dr. Mimi – {IMG}"
    assert shown(letter.summary_detail)[1].startswith("<script>alert(3)</script> Is <b> a tag?")
    assert shown(excerpted.summary_detail)[1] == f"{SCRIPT} A&B"
    if "topics" in url:
        assert shown(feed.feed.title_detail)[1].endswith(f": Topic {IMG}")
        assert shown(feed.feed.subtitle_detail)[1] == SCRIPT


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/"])
def test_a_featured_image_goes_with_its_item_as_an_enclosure(client, site_tree, settings, url):
    from dearly.articles.tests.test_layout import make_image

    settings.SITE_URL = "https://column.example"
    pictured = make_letter(site_tree["letters"], title="Pictured")
    pictured.featured_image = make_image("Enclosed")
    pictured.save_revision().publish()
    plain = make_article(site_tree["guides"], title="Plain")
    entries = {e.title: e for e in parse(client.get(url)).entries}
    enclosures = entries[pictured.title].enclosures
    assert len(enclosures) == 1 and enclosures[0].type == "image/jpeg"
    assert enclosures[0].href.startswith("https://column.example/media/images/Enclosed")
    assert int(enclosures[0].length) > 1000  # the rendition's real size in bytes
    assert entries[plain.title].enclosures == []
