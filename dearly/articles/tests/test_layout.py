"""The page layout: a reading column with the sidebar (about the columnist, the ask and subscribe
calls, the most discussed letters, topics), featured images, and pages without the sidebar."""

import io
import re

from django.core.files.images import ImageFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.images.models import Image

import pytest
from PIL import Image as PILImage

from dearly.articles.sidebar import popular_letters
from dearly.comments.tests.helpers import make_comment, make_reader
from dearly.core.models import ColumnSettings
from dearly.testing import make_article, make_letter, make_topic

pytestmark = pytest.mark.django_db


def sidebar(html):
    return html.split('<aside class="sidebar"', 1)[1].split("</aside>", 1)[0]


def make_image(title="Picture", size=(1600, 1000)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (90, 120, 150)).save(buffer, "JPEG")
    return Image.objects.create(title=title, file=ImageFile(buffer, name=f"{title}.jpg"))


def test_reading_pages_have_the_sidebar(client, site_tree):
    letter = make_letter(site_tree["letters"])
    for url in ["/", "/letters/", letter.url, "/search/?q=work", "/nowhere/"]:
        html = client.get(url).content.decode()
        side = sidebar(html)
        assert "About Dr. Mimi" in side and 'href="/ask/"' in side, url
        assert 'action="/subscribe/"' in side, url
        assert "csrfmiddlewaretoken" not in side  # the same HTML for everyone, cached


@pytest.mark.parametrize(
    "url",
    ["/accounts/login/", "/accounts/signup/", "/ask/", "/subscribe/", "/accounts/password/reset/"],
)
def test_form_pages_leave_the_sidebar_out(client, site_tree, url):
    assert '<aside class="sidebar"' not in client.get(url).content.decode()


def test_the_sidebar_shows_the_columnists_bio_and_about_page(client, site_tree):
    from dearly.core.models import StandardPage

    about = site_tree["home"].add_child(instance=StandardPage(title="About", slug="about"))
    settings = ColumnSettings.for_site(site_tree["home"].get_site())
    settings.columnist_bio = "Twenty years of <answers>."
    settings.about_page = about
    settings.save()
    side = sidebar(client.get("/").content.decode())
    assert "Twenty years of &lt;answers&gt;." in side
    assert 'href="/about/">More about Dr. Mimi' in side
    about.unpublish()
    assert "More about" not in sidebar(client.get("/").content.decode())


def test_most_discussed_lists_published_letters_by_their_approved_comments(client, site_tree):
    quiet = make_letter(site_tree["letters"], title="Quiet letter")
    busy = make_letter(site_tree["letters"], title="Busy letter")
    hidden = make_letter(site_tree["letters"], title="Unpublished letter")
    guide = make_article(site_tree["guides"], title="Busy guide")
    reader = make_reader()
    for _ in range(3):
        make_comment(busy, reader)
        make_comment(hidden, reader)
        make_comment(guide, reader)
    make_comment(quiet, reader)
    make_comment(quiet, reader, status="pending")
    make_comment(quiet, reader, status="spam")
    hidden.unpublish()
    assert [(letter.title, n) for letter, n in popular_letters(None)] == [
        ("Busy letter", 3),
        ("Quiet letter", 1),
    ]
    side = sidebar(client.get("/").content.decode())
    assert side.index("Busy letter") < side.index("Quiet letter")
    assert "3 comments" in side and "1 comment" in side
    assert "Unpublished letter" not in side and "Busy guide" not in side


def test_the_sidebar_is_rendered_once_and_reused(client, site_tree):
    make_letter(site_tree["letters"])
    with CaptureQueriesContext(connection) as first:
        client.get("/")
    with CaptureQueriesContext(connection) as again:
        client.get("/")

    def most_discussed(ctx):  # the grouped count over every comment
        return [
            q
            for q in ctx.captured_queries
            if "comments_comment" in q["sql"] and "IN (" not in q["sql"]
        ]

    assert most_discussed(first) and not most_discussed(again)
    assert len(again.captured_queries) < len(first.captured_queries)


def test_the_sidebar_lists_topics_with_their_subtopics(client, site_tree):
    career = make_topic("Career")
    make_topic("Job search", parent=career)
    make_topic("Wellbeing")
    side = sidebar(client.get("/").content.decode())
    topics = side.split('class="topic-list"', 1)[1]
    assert re.search(
        r'href="/topics/career/">Career</a><ul><li><a href="/topics/job-search/"', topics
    )
    assert 'href="/topics/wellbeing/">Wellbeing</a>' in topics


def test_a_new_topic_reaches_the_sidebar_at_once(client, site_tree):
    client.get("/")
    make_topic("Negotiation")
    assert "Negotiation" in sidebar(client.get("/").content.decode())


# Featured images


def test_a_featured_image_shows_responsively_on_the_post_and_in_listings(client, site_tree):
    guide = make_article(site_tree["guides"], title="With a picture")
    guide.featured_image = make_image()
    guide.save_revision().publish()
    html = client.get(guide.url).content.decode()
    hero = html.split('<figure class="featured-image">', 1)[1].split("</figure>", 1)[0]
    assert 'type="image/webp"' in hero and 'fetchpriority="high"' in hero
    assert re.search(r'<img alt="" [^>]*height="\d+"[^>]*width="\d+"', hero)  # no layout shift
    assert "480w" in hero and "1440w" in hero
    listing = client.get("/guides/").content.decode()
    item = listing.split('class="post-item has-image"', 1)[1].split("</li>", 1)[0]
    assert 'class="post-thumb"' in item and 'loading="lazy"' in item and "192w" in item


def test_posts_without_a_featured_image_render_no_empty_figure(client, site_tree):
    guide = make_article(site_tree["guides"])
    assert "featured-image" not in client.get(guide.url).content.decode()
    assert "has-image" not in client.get("/guides/").content.decode()


def test_listing_queries_do_not_grow_with_featured_images(client, site_tree):
    def queries():
        client.get("/guides/")
        with CaptureQueriesContext(connection) as ctx:
            client.get("/guides/")
        return len(ctx.captured_queries)

    guides = [make_article(site_tree["guides"], title=f"Guide {n}") for n in range(2)]
    for guide in guides:
        guide.featured_image = make_image(f"p{guide.pk}")
        guide.save_revision().publish()
    few = queries()
    for n in range(4):
        guide = make_article(site_tree["guides"], title=f"More {n}")
        guide.featured_image = make_image(f"m{n}")
        guide.save_revision().publish()
    assert queries() == few


# The layout's frame


def test_the_footer_links_the_feeds_and_says_what_powers_the_site(client, site_tree):
    html = client.get("/").content.decode()
    footer = html.split('<footer class="site-footer">', 1)[1]
    for url in ("/subscribe/", "/feed/", "/feed/atom/", "/feed/letters/"):
        assert f'href="{url}"' in footer
    assert "Powered by Dearly" in footer


# Featured images outside the page: link previews and feeds


def meta(html, key):
    found = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', html)
    return found and found.group(1)


def test_a_featured_image_is_the_link_preview(client, site_tree, settings):
    settings.SITE_URL = "https://column.example"
    letter = make_letter(site_tree["letters"], title="Shared")
    image = make_image("Desk")
    image.description = 'A desk & a "lamp"'
    image.save()
    letter.featured_image = image
    letter.save_revision().publish()
    html = client.get(letter.url).content.decode()
    url = meta(html, "og:image")
    assert url.startswith("https://column.example/media/images/") and url.endswith(".jpg")
    assert (meta(html, "og:image:width"), meta(html, "og:image:height")) == ("1200", "630")
    assert meta(html, "og:image:alt") == "A desk &amp; a &quot;lamp&quot;"
    assert meta(html, "twitter:card") == "summary_large_image"
    assert meta(html, "twitter:image") == url
    name = url.removeprefix("https://column.example/media/")
    with default_storage.open(name) as file, PILImage.open(file) as shown:
        assert shown.format == "JPEG" and shown.size == (1200, 630)


def test_without_a_featured_image_the_preview_is_a_summary_card(client, site_tree):
    letter = make_letter(site_tree["letters"])
    html = client.get(letter.url).content.decode()
    assert meta(html, "og:image") is None and meta(html, "twitter:card") == "summary"


def test_a_missing_image_file_gives_no_preview_and_no_error(client, site_tree):
    guide = make_article(site_tree["guides"], title="Lost picture")
    guide.featured_image = make_image("Lost")
    guide.save_revision().publish()
    guide.featured_image.file.storage.delete(guide.featured_image.file.name)
    response = client.get(guide.url)
    assert response.status_code == 200
    assert meta(response.content.decode(), "og:image") is None
