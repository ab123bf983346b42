import copy
import datetime

import pytest

from dearly.testing import make_article, make_letter, make_site_tree, make_topic

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def _many_letters(module_db):
    """Three pages of letters, built once for the module (the tests only read them)."""
    with module_db.unblocked():
        letters = make_site_tree()["letters"]
        return [make_letter(letters, title=f"Letter {n:02d}") for n in range(30)]


@pytest.fixture
def many_letters(db, _many_letters):
    return copy.deepcopy(_many_letters)


@pytest.mark.parametrize("page_number", ["abc", "-1", "0", "99999", "1.5", "%00", "' OR 1=1"])
def test_bad_page_numbers_never_fail(client, many_letters, page_number):
    response = client.get("/letters/", {"page": page_number})
    assert response.status_code == 200
    assert "Letter" in response.content.decode()


def test_column_index_paginates_newest_first(client, many_letters):
    first = client.get("/letters/").content.decode()
    second = client.get("/letters/", {"page": 2}).content.decode()
    assert "Letter 00" in first and "Letter 29" not in first
    assert "Letter 29" in client.get("/letters/", {"page": 3}).content.decode()
    assert "Page 2 of 3" in second and 'rel="prev"' in second and 'rel="next"' in second


def test_topic_lists_its_own_and_its_subtopics_posts(client, site_tree):
    career = make_topic("Career")
    promotions = make_topic("Promotions", parent=career)
    other = make_topic("Wellbeing")
    make_article(site_tree["guides"], title="About careers", topics=[career])
    make_letter(site_tree["letters"], title="About promotions", topics=[promotions])
    make_article(site_tree["guides"], title="About sleep", topics=[other])
    html = client.get("/topics/career/").content.decode()
    assert "About careers" in html and "About promotions" in html and "About sleep" not in html
    sub = client.get("/topics/promotions/").content.decode()
    assert "About promotions" in sub and "About careers" not in sub
    assert 'href="/topics/career/"' in sub  # breadcrumb back to the parent


def test_topic_cycle_does_not_hang_or_fail(client, site_tree):
    a = make_topic("Alpha")
    b = make_topic("Beta", parent=a)
    a.parent = b
    a.save()
    assert client.get("/topics/alpha/").status_code == 200


def test_tag_and_author_pages(client, site_tree, django_user_model):
    author = django_user_model.objects.create(username="mimi", display_name="Dr. Mimi")
    make_article(site_tree["guides"], title="Tagged guide", tags=["feedback"], author=author)
    make_article(site_tree["guides"], title="Untagged guide")
    html = client.get("/tags/feedback/").content.decode()
    assert "Tagged guide" in html and "Untagged guide" not in html
    author_html = client.get("/authors/mimi/").content.decode()
    assert "Dr. Mimi" in author_html and "Tagged guide" in author_html
    assert "Untagged guide" not in author_html


def test_date_archives(client, site_tree):
    make_article(
        site_tree["guides"],
        title="March guide",
        date=datetime.datetime(2025, 3, 4, tzinfo=datetime.UTC),
    )
    make_letter(
        site_tree["letters"],
        title="June letter",
        date=datetime.datetime(2025, 6, 1, tzinfo=datetime.UTC),
    )
    year = client.get("/2025/").content.decode()
    assert "March guide" in year and "June letter" in year
    month = client.get("/2025/03/").content.decode()
    assert "March guide" in month and "June letter" not in month
    assert "Posts from March 2025" in month


def test_date_archives_reach_the_first_and_last_years_python_can_hold(client, site_tree):
    make_article(
        site_tree["guides"], title="Year one", date=datetime.datetime(1, 1, 1, tzinfo=datetime.UTC)
    )
    make_article(
        site_tree["guides"],
        title="Year 9999",
        date=datetime.datetime(9999, 12, 31, 23, 59, tzinfo=datetime.UTC),
    )
    assert "Year one" in client.get("/0001/01/").content.decode()
    assert "Year 9999" in client.get("/9999/").content.decode()
    assert "Year 9999" in client.get("/9999/12/").content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/2025/13/",
        "/2025/00/",
        "/0/",
        "/0000/",
        "/0000/01/",
        "/0000/00/",
        "/0000/13/",
        "/0001/",
        "/0001/01/",
        "/9999/",
        "/9999/12/",
        "/9999/13/",
        "/1999/",
        "/2025/02/",
        "/99999/",
        "/99999999999999999999/",
        "/topics/nope/",
        "/tags/nope/",
        "/authors/nobody/",
        "/topics/nope/feed/",
    ],
)
def test_unknown_listings_are_404_not_500(client, site_tree, url):
    assert client.get(url).status_code == 404


def test_drafts_never_appear_in_listings(client, site_tree):
    topic = make_topic("Career")
    make_article(site_tree["guides"], title="Secret draft", live=False, topics=[topic])
    for url in ("/", "/guides/", "/topics/career/", "/feed/"):
        assert "Secret draft" not in client.get(url).content.decode(), url
