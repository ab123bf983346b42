"""A page's query count must not grow with the number of posts it lists or relates."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from dearly.testing import make_article, make_letter, make_letter_update, make_topic

# With the search index on, /search/ lists results (and related posts find similar words).
pytestmark = [pytest.mark.django_db, pytest.mark.search_indexes]

URLS = [
    "/",
    "/guides/",
    "/letters/",
    "/topics/career/",
    "/tags/advice/",
    "/authors/mimi/",
    "/2025/",
    "/feed/",
    "/feed/atom/",
    "/feed/letters/",
    "/letters/updates/",
    "/feed/letters/updates/",
    "/topics/career/feed/",
    "/search/?q=advice",
    "/sitemap.xml",
    "MAIN_ARTICLE",
    "MAIN_LETTER",
]


def build(site_tree, n, author):
    import datetime

    from dearly.articles.models import Topic

    topic = Topic.objects.filter(slug="career").first() or make_topic("Career")
    date = datetime.datetime(2025, 5, 1, tzinfo=datetime.UTC)
    common = {"topics": [topic], "tags": ["advice"], "author": author, "date": date}
    for i in range(n):
        make_article(site_tree["guides"], title=f"Advice guide {i}", **common)
        make_letter(site_tree["letters"], title=f"Advice letter {i}", **common)
    article = make_article(site_tree["guides"], title="Main advice", **common)
    letter = make_letter(site_tree["letters"], title="Main advice letter", **common)
    for i in range(n):  # the writer's updates, shown under the letter and listed
        make_letter_update(letter, title=f"Advice update {i}", date=date)
    return {"MAIN_ARTICLE": article.url, "MAIN_LETTER": letter.url}


def count_queries(client, url):
    client.get(url)  # warm Wagtail's per-process caches (site root paths)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_listed_or_related_items(
    client, site_tree, django_user_model
):
    author = django_user_model.objects.create(username="mimi", display_name="Dr. Mimi")
    mains = build(site_tree, 3, author)
    few = {url: count_queries(client, mains.get(url, url)) for url in URLS}

    # Same pages again with more content than a page shows (8 posts; 6 related are shown).
    from wagtail.models import Page

    Page.objects.filter(depth__gt=3).delete()
    mains = build(site_tree, 8, author)
    many = {url: count_queries(client, mains.get(url, url)) for url in URLS}
    assert many == few
