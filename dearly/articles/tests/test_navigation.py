"""Ways around the column: the header's sections, the home page's archive links, the kind labels,
numbered pagination, a letter's previous and next letters, and breadcrumbs."""

import datetime
import json
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wagtail.models import PageViewRestriction

import pytest

from dearly.articles.navigation import page_links, parent_url
from dearly.pagecache.tests.helpers import Reader
from dearly.testing import make_article, make_letter

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def main_nav(html):
    return html.split('aria-label="Main"', 1)[1].split("</nav>", 1)[0]


def ld_blocks(html):
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in found]


@pytest.fixture
def column(site_tree):
    now = timezone.now()
    return [
        make_letter(site_tree["letters"], title=f"Letter {n}", slug=f"l{n}", date=now - n * DAY)
        for n in (3, 2, 1)
    ]  # oldest first


@pytest.mark.parametrize(
    "path", ["/", "/guides/", "/letters/", "/ask/", "/subscribe/", "/accounts/login/", "/nowhere/"]
)
def test_every_page_links_to_the_letters_and_the_guides_in_its_header(client, site_tree, path):
    make_article(site_tree["guides"])
    html = client.get(path).content.decode()
    nav = main_nav(html)
    assert '<a href="/letters/"' in nav and ">Letters</a>" in nav
    assert '<a href="/guides/"' in nav and ">Guides</a>" in nav
    assert 'href="/ask/"' in nav and 'href="/subscribe/"' in nav and 'href="/search/"' in nav


def test_the_header_marks_the_section_a_reader_is_in(client, column):
    letters = main_nav(client.get("/letters/").content.decode())
    assert '<a href="/letters/" aria-current="page">' in letters
    inside = main_nav(client.get(column[0].url).content.decode())
    assert '<a href="/letters/" aria-current="true">' in inside
    assert '<a href="/guides/">' in inside


def test_home_sections_link_to_their_archives(client, site_tree, column):
    make_article(site_tree["guides"], title="A guide")
    html = client.get("/").content.decode()
    assert '<a href="/letters/">Latest letters</a>' in html
    assert '<a href="/guides/">Latest guides</a>' in html
    assert re.search(r'<a class="more-link" href="/letters/">More letters', html)
    assert re.search(r'<a class="more-link" href="/guides/">More guides', html)
    # Each listed post's kind label leads to its archive.
    assert '<a class="kind-link" href="/letters/">Letter</a>' in html
    assert '<a class="kind-link" href="/guides/">Guide</a>' in html


def test_home_without_sections_has_no_dead_archive_links(client, site_tree):
    site_tree["letters"].unpublish()
    site_tree["guides"].unpublish()
    html = client.get("/").content.decode()
    assert "More letters" not in html and "More guides" not in html
    assert 'href="/letters/"' not in html and 'href="/guides/"' not in html


def test_listing_pages_are_numbered_with_prev_and_next(client, site_tree):
    now = timezone.now()
    for n in range(40):  # four pages of twelve
        make_letter(site_tree["letters"], title=f"Letter {n:02d}", date=now - n * DAY)
    html = client.get("/letters/", {"page": 2}).content.decode()
    pagination = html.split('class="pagination"', 1)[1].split("</nav>", 1)[0]
    assert '<a class="page-step" rel="prev" href="/letters/">← Newer</a>' in pagination
    assert '<a class="page-step" rel="next" href="/letters/?page=3">Older →</a>' in pagination
    current = 'href="/letters/?page=2" aria-current="page" aria-label="Page 2 of 4">2</a>'
    assert current in pagination
    assert 'href="/letters/" aria-label="Page 1">1</a>' in pagination
    assert 'href="/letters/?page=4" aria-label="Page 4">4</a>' in pagination
    first = client.get("/letters/").content.decode()
    assert 'rel="prev"' not in first and 'rel="next" href="/letters/?page=2"' in first


def test_long_listings_elide_page_numbers():
    class Posts:
        number = 15

        class paginator:
            num_pages = 30
            ELLIPSIS = "…"

            @staticmethod
            def get_elided_page_range(number, on_each_side, on_ends):
                from django.core.paginator import Paginator

                return Paginator(range(300), 10).get_elided_page_range(
                    number, on_each_side=on_each_side, on_ends=on_ends
                )

        def has_previous(self):
            return True

        def has_next(self):
            return True

        def previous_page_number(self):
            return 14

        def next_page_number(self):
            return 16

    links = page_links(Posts(), "/letters/", query="pay & <b>")
    shown = [link.get("number", "…") for link in links["pages"]]
    assert shown == [1, "…", 14, 15, 16, "…", 30]
    assert links["next"] == "/letters/?q=pay+%26+%3Cb%3E&page=16"
    assert links["pages"][0]["url"] == "/letters/?q=pay+%26+%3Cb%3E"


@pytest.mark.parametrize("value", ["abc", "-1", "0", "99999", "1.5", "%00", "' OR 1=1", "２"])
def test_bad_page_numbers_show_a_real_page_with_sound_links(client, site_tree, value):
    for n in range(15):
        make_letter(site_tree["letters"], title=f"Letter {n:02d}")
    response = client.get("/letters/", {"page": value})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-current="page" aria-label="Page ' in html
    assert value not in html.split('class="pagination"', 1)[1] or value in ("0", "1.5")


def test_search_pagination_keeps_the_words_escaped(client, site_tree):
    from dearly.articles.listing import PER_PAGE
    from dearly.testing import search_indexes

    with search_indexes():
        for n in range(PER_PAGE + 2):
            make_letter(site_tree["letters"], title=f"Raise question {n}")
    html = client.get("/search/", {"q": 'raise "<'}).content.decode()
    assert f"{PER_PAGE + 2} results" in html
    assert 'href="/search/?q=raise+%22%3C&amp;page=2"' in html
    assert '"<' not in html.split("<main", 1)[1]


def test_a_letter_links_to_the_previous_and_next_letters(client, column):
    older, middle, newer = column
    html = client.get(middle.url).content.decode()
    nav = html.split('class="letter-nav"', 1)[1].split("</nav>", 1)[0]
    assert f'rel="prev" href="{older.url}"' in nav and "Letter 3" in nav
    assert f'rel="next" href="{newer.url}"' in nav and "Letter 1" in nav

    first = client.get(older.url).content.decode()
    assert 'rel="prev"' not in first.split('class="letter-nav"', 1)[1].split("</nav>")[0]
    last = client.get(newer.url).content.decode()
    assert 'rel="next"' not in last.split('class="letter-nav"', 1)[1].split("</nav>")[0]


def test_neighbours_skip_drafts_private_letters_and_guides(client, site_tree, column):
    _, middle, newer = column
    between = middle.date + datetime.timedelta(hours=1)
    make_letter(site_tree["letters"], title="Draft", slug="draft", date=between, live=False)
    private = make_letter(site_tree["letters"], title="Private", slug="private", date=between)
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    make_article(site_tree["guides"], title="A guide in between", date=between)
    _, after = middle.neighbours()
    assert after.pk == newer.pk


def test_letters_on_the_same_date_still_have_an_order(site_tree):
    date = timezone.now() - DAY
    a, b, c = (
        make_letter(site_tree["letters"], title=t, slug=t, date=date) for t in ("a", "b", "c")
    )
    assert [p and p.pk for p in b.neighbours()] == [a.pk, c.pk]
    assert [p and p.pk for p in a.neighbours()] == [None, b.pk]


def test_neighbours_cost_the_same_queries_however_many_letters(site_tree):
    def queries(n):
        now = timezone.now()
        letters = [
            make_letter(site_tree["letters"], date=now - i * DAY, slug=f"n{n}-{i}")
            for i in range(n)
        ]
        with CaptureQueriesContext(connection) as ctx:
            letters[n // 2].neighbours()
        return len(ctx.captured_queries)

    assert queries(3) == queries(30)


def test_a_new_letter_becomes_its_predecessors_next_in_cached_pages(site_tree, column):
    reader = Reader()
    latest = column[-1]
    for _ in range(2):
        answer = reader.get(latest.url)
    assert answer.cache == "hit" and 'rel="next"' not in answer.text

    newest = make_letter(
        site_tree["letters"], title="Brand new letter", slug="brand-new", date=timezone.now()
    )
    answer = reader.get(latest.url)
    assert answer.cache == "miss"
    assert f'rel="next" href="{newest.url}"' in answer.text and "Brand new letter" in answer.text

    newest.unpublish()
    answer = reader.get(latest.url)
    assert "Brand new letter" not in answer.text and 'rel="next"' not in answer.text


def test_a_new_letter_refreshes_the_cached_fragment_for_logged_in_readers(client, column):
    from dearly.comments.tests.helpers import make_reader

    client.force_login(make_reader())
    latest = column[-1]
    client.get(latest.url)  # cached skeleton
    newest = make_letter(
        latest.get_parent(), title="Newer still", slug="newer-still", date=timezone.now()
    )
    assert f'rel="next" href="{newest.url}"' in client.get(latest.url).content.decode()


def test_posts_have_breadcrumbs_marked_up_as_a_breadcrumb_list(client, site_tree, column):
    guide = make_article(site_tree["guides"], title='Saying "no" </script><b>', slug="no")
    html = client.get(guide.url).content.decode()
    trail = html.split('class="breadcrumb"', 1)[1].split("</nav>", 1)[0]
    assert '<a href="/">Home</a>' in trail and '<a href="/guides/">Guides</a>' in trail
    assert 'aria-current="page">Saying &quot;no&quot; &lt;/script&gt;&lt;b&gt;</span>' in trail
    crumbs = next(b for b in ld_blocks(html) if b["@type"] == "BreadcrumbList")
    items = crumbs["itemListElement"]
    assert [i["position"] for i in items] == [1, 2, 3]
    assert [i["name"] for i in items] == ["Home", "Guides", 'Saying "no" </script><b>']
    assert items[1]["item"].endswith("/guides/") and items[2]["item"].endswith("/guides/no/")

    letter = client.get(column[0].url).content.decode()
    crumbs = next(b for b in ld_blocks(letter) if b["@type"] == "BreadcrumbList")
    assert crumbs["itemListElement"][1]["name"] == "Letters"


def test_topic_pages_have_a_trail_home(client, site_tree):
    from dearly.testing import make_topic

    career = make_topic("Career")
    make_topic("Job search", parent=career)
    html = client.get("/topics/job-search/").content.decode()
    trail = html.split('class="breadcrumb"', 1)[1].split("</nav>", 1)[0]
    assert '<a href="/">Home</a>' in trail and '<a href="/topics/career/">Career</a>' in trail


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/letters/dear-x/", "/letters/"),
        ("/letters/dear-x", "/letters/"),
        ("/x/", "/"),
        ("http://h/letters/x/", "http://h/letters/"),
        ("http://h/x/", "http://h/"),
        ("", ""),
    ],
)
def test_parent_url(url, expected):
    assert parent_url(url) == expected
