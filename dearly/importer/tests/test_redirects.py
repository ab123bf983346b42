"""Every old WordPress address answers 301 with its new home; hostile ids never a 500."""

from wagtail.models import Page

import pytest

from dearly.articles.models import Topic
from dearly.importer.models import ImportedObject

from .conftest import run_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported_site(site_tree, data):
    run_import(data / "site-1.2.xml", data / "multi-part-1.xml", data / "multi-part-2.xml")
    return site_tree


def new_url(kind, wp_id):
    row = ImportedObject.objects.get(kind=kind, key=str(wp_id))
    return Page.objects.get(pk=row.object_id).url


def assert_moved(client, old, new):
    response = client.get(old)
    assert (response.status_code, response.get("Location")) == (301, new), old


def test_each_kind_of_old_url_answers_301(client, imported_site):
    letter = new_url("post", 101)
    assert_moved(client, "/2024/03/my-sister-borrowed-my-wedding-dress/", letter)
    assert_moved(client, "/2024/03/sister-dress/", letter)  # _wp_old_slug
    assert_moved(client, "/2024/03/wedding-dress-sister/", letter)
    assert_moved(client, "/?p=101", letter)
    assert_moved(client, "/?page_id=301", new_url("page", 301))
    family = Topic.objects.get(slug="family")
    siblings = Topic.objects.get(slug="siblings")
    assert_moved(client, "/category/family/siblings/", siblings.get_absolute_url())
    assert_moved(client, "/category/family/", family.get_absolute_url())
    assert_moved(client, "/category/family/feed/", family.get_absolute_url() + "feed/")
    assert_moved(client, "/tag/holidays/", "/tags/holidays/")
    assert_moved(client, "/tag/holidays/feed/", "/tags/holidays/")
    assert_moved(client, "/author/mimi/", "/authors/mimi/")
    assert_moved(client, "/feed/rss2/", "/feed/")
    assert_moved(client, "/comments/feed/", "/feed/")
    assert client.get("/feed/").status_code == 200  # the same address: our own feed answers
    followed = client.get("/2024/03/sister-dress/", follow=True)
    assert followed.status_code == 200
    assert "Hemmed In" in followed.content.decode()


def test_query_ids_of_unpublished_posts_do_not_leak(client, imported_site):
    response = client.get("/?p=102")  # a draft: the home page, no hint of it
    assert response.status_code == 200
    assert "leftovers" not in response.content.decode()


@pytest.mark.parametrize(
    "query",
    ["p=abc", "p=-1", "p=0", "p=" + "9" * 40, "page_id=1e9", "p=%00", "p=١٢", "p=&p=101", "p"],
)
def test_hostile_query_ids_get_the_home_page(client, imported_site, query):
    response = client.get(f"/?{query}")
    assert response.status_code in (200, 301, 404)
    if response.status_code == 301:
        assert response["Location"] == new_url("post", 101)


def test_attachment_addresses_lead_to_the_post_without_media(client, imported_site):
    letter = new_url("post", 101)
    assert_moved(client, "/2024/03/my-sister-borrowed-my-wedding-dress/dress-sketch/", letter)
    # without --media-dir there is no file here: ?attachment_id= answers with the original
    response = client.get("/?attachment_id=110")
    assert response.status_code == 301
    assert response["Location"].endswith("/wp-content/uploads/2024/03/dress-sketch.jpg")
