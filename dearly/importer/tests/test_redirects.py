"""Every old WordPress address answers 301 with its new home; hostile ids never a 500."""

from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page

import pytest

from dearly.articles.models import Topic
from dearly.core.models import StandardPage
from dearly.importer.models import ImportedObject

from .conftest import item_xml, run_import, write_export

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
    # Without --media-dir there is no file here: every address of the attachment leads to the
    # post it belonged to, never back to the old host.
    assert_moved(client, "/2024/03/my-sister-borrowed-my-wedding-dress/dress-sketch/", letter)
    assert_moved(client, "/?attachment_id=110", letter)
    assert_moved(client, "/?p=110", letter)
    assert_moved(client, "/wp-content/uploads/2024/03/dress-sketch.jpg", letter)


def test_an_unattached_attachment_without_its_file_never_sends_readers_to_the_old_host(
    client, site_tree, tmp_path
):
    photo = item_xml(9, "photo", post_type="attachment", status="inherit").replace(
        "</item>",
        "<wp:attachment_url>https://askmimi.example/wp-content/uploads/photo.jpg"
        "</wp:attachment_url></item>",
    )
    run_import(write_export(tmp_path / "photo.xml", photo))
    for old in ("/?attachment_id=9", "/?p=9"):
        response = client.get(old)
        assert response.status_code == 200, old  # the home page, as for an unknown id
    assert not Redirect.objects.filter(redirect_link__contains="askmimi.example").exists()


def test_an_old_address_a_page_of_the_site_has_stays_with_it_and_is_listed(
    client, site_tree, tmp_path
):
    about = site_tree["home"].add_child(instance=StandardPage(title="About Dearly", slug="about"))
    path = write_export(
        tmp_path / "pages.xml",
        item_xml(10, "About", post_type="page", link="https://askmimi.example/about/"),
        item_xml(11, "Letters", post_type="page", link="https://askmimi.example/letters/"),
        item_xml(12, "Search tips", post_type="page", link="https://askmimi.example/search/"),
        item_xml(
            13,
            "Shed",
            link="https://askmimi.example/2024/05/shed/",
            body='<p>Read <a href="https://askmimi.example/about/">about me</a>.</p>',
        ),
    )
    summary = run_import(path)
    assert "Old addresses kept by pages already on this site (not redirected): 3" in summary
    assert (
        "  - /about/: the page “About Dearly” keeps it; the imported “About” is at /about-2/"
        in (summary)
    )
    assert "  - /letters/: the page “Dear Dr. Mimi” keeps it; the imported “Letters” is at " in (
        summary
    )
    assert "  - /search/: a page of this site keeps it; the imported “Search tips” is at " in (
        summary
    )
    assert not Redirect.objects.filter(old_path__in=["/about", "/letters", "/search"]).exists()
    response = client.get("/about/")
    assert response.status_code == 200 and "About Dearly" in response.content.decode()
    imported_about = Page.objects.get(pk=ImportedObject.objects.get(key="10").object_id)
    assert imported_about.url == "/about-2/" and imported_about.pk != about.pk
    assert_moved(client, "/2024/05/shed/", new_url("post", 13))
    # The old text meant WordPress's About page: its link goes to that page's new address.
    shed = Page.objects.get(pk=ImportedObject.objects.get(key="13").object_id).specific
    assert '<a href="/about-2/">about me</a>' in shed.body.raw_data[0]["value"]


def test_old_links_with_doubled_slashes_redirect(client, site_tree, tmp_path):
    path = write_export(
        tmp_path / "slashes.xml",
        # The link comes before the post it leads to: it is resolved at the end of the import.
        item_xml(21, "Fence", body='<p>See <a href="https://askmimi.example//2024/05/shed/">'
                                   "the shed</a>.</p>"),
        item_xml(20, "Shed", link="https://askmimi.example//2024/05/shed/"),
    )  # fmt: skip
    run_import(path)
    shed = new_url("post", 20)
    assert_moved(client, "http://testserver//2024/05/shed/", "/2024/05/shed/")
    assert_moved(
        client, "http://testserver//2024//05/shed/?replytocom=3", "/2024/05/shed/?replytocom=3"
    )
    assert_moved(client, "/2024/05/shed/", shed)
    assert_moved(client, "/2024/05/shed/?replytocom=3", shed)
    fence = Page.objects.get(pk=ImportedObject.objects.get(key="21").object_id).specific
    shed_pk = ImportedObject.objects.get(key="20").object_id
    assert f'linktype="page" id="{shed_pk}"' in fence.body.raw_data[0]["value"]


@pytest.mark.parametrize(
    ("path", "location"),
    [("//evil.example/", "/evil.example/"), ("//%5Cevil.example/x", "/%5Cevil.example/x"),
     ("///", "/")],
)  # fmt: skip
def test_doubled_slashes_never_lead_off_the_site(client, site_tree, path, location):
    assert_moved(client, f"http://testserver{path}", location)
    assert client.post(f"http://testserver{path}").status_code == 404
