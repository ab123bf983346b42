"""Logged-in readers get guides and letters from a cached skeleton (dearly.articles.reader_page)
and pages come from the route cache (dearly.core.routing): the same HTML as a full rendering,
and unpublishing, moving or restricting a page takes effect on the next request."""

import re

from django.contrib.auth.models import Group
from django.test import Client

from wagtail.models import PageViewRestriction

import pytest

from dearly.comments.tests.helpers import make_comment, make_reader
from dearly.testing import make_article, make_letter

pytestmark = pytest.mark.django_db


@pytest.fixture
def guide(site_tree):
    return make_article(site_tree["guides"], title="A guide for readers")


@pytest.fixture
def reader(guide):
    person = make_reader("ann", display_name="Ann <the reader>")
    make_comment(guide, person, "Ann commented before.")
    make_comment(guide, make_reader(), "Someone else commented.")
    return person


def logged_in(person):
    client = Client()
    client.force_login(person)
    return client


def same_page(html):
    return re.sub(r'value="[^"]{20,}"', 'value=""', html)  # CSRF tokens differ per request


def test_skeleton_page_equals_the_full_rendering(guide, reader):
    client = logged_in(reader)
    client.get(guide.url)
    fast = client.get(guide.url).content.decode()
    full = client.get(guide.url + "?replyto=none").content.decode()  # takes the full rendering
    assert same_page(fast) == same_page(full)
    assert "posting as Ann &lt;the reader&gt;" in fast
    assert "Log out" in fast and "Post Comment" in fast


def test_letter_page_equals_the_full_rendering(site_tree, reader):
    letter = make_letter(site_tree["letters"], title="Dear Dr. Mimi – Stuck")
    client = logged_in(reader)
    client.get(letter.url)
    fast = client.get(letter.url).content.decode()
    assert same_page(fast) == same_page(client.get(letter.url + "?replyto=0").content.decode())
    assert "Dear Stuck," in fast or "—Poor" in fast


def test_each_reader_gets_their_own_name_and_token(guide, reader):
    bob = make_reader("bob", display_name="Bob")
    ann_html = logged_in(reader).get(guide.url).content.decode()
    bob_html = logged_in(bob).get(guide.url).content.decode()
    assert (
        "posting as Bob" in bob_html
        and "Ann &lt;the reader&gt;" not in bob_html.split('id="respond"')[1]
    )
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    assert not set(token.findall(ann_html)) & set(token.findall(bob_html))


def test_a_message_after_posting_shows_next_to_the_form(guide, reader, settings):
    settings.ACCOUNT_RATE_LIMITS = {}
    client = logged_in(reader)
    client.get(guide.url)
    from dearly.comments.models import CommentSettings

    CommentSettings.objects.update_or_create(defaults={"hold_all_comments": True})
    client.post(f"/comments/post/{guide.pk}/", {"body": "Please hold this one."})
    html = client.get(guide.url).content.decode()
    assert "Your comment is awaiting moderation." in html
    assert "Please hold this one." in html  # only its author sees it
    assert "Please hold this one." not in Client().get(guide.url).content.decode()


def test_staff_see_the_user_bar_and_readers_do_not(guide, reader, django_user_model):
    editor = make_reader("ed", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    assert "wagtail-userbar" in logged_in(editor).get(guide.url).content.decode()
    assert "wagtail-userbar" not in logged_in(reader).get(guide.url).content.decode()
    # Granting admin access takes effect on the next request.
    client = logged_in(reader)
    client.get(guide.url)
    reader.groups.add(Group.objects.get(name="Editors"))
    assert "wagtail-userbar" in client.get(guide.url).content.decode()


@pytest.mark.parametrize("who", ["logged out", "logged in"])
def test_unpublished_page_is_gone_on_the_next_request(guide, reader, who):
    client = Client() if who == "logged out" else logged_in(reader)
    assert client.get(guide.url).status_code == 200
    guide.specific.unpublish()
    assert client.get(guide.url).status_code == 404


def test_moved_slug_answers_at_the_new_address_only(guide, reader):
    client = logged_in(reader)
    old = guide.url
    assert client.get(old).status_code == 200
    page = guide.specific
    page.slug = "a-renamed-guide"
    page.save_revision().publish()
    assert client.get(old).status_code == 404
    assert client.get("/guides/a-renamed-guide/").status_code == 200


@pytest.mark.parametrize("who", ["logged out", "logged in"])
def test_a_new_restriction_applies_on_the_next_request(guide, reader, who):
    client = Client() if who == "logged out" else logged_in(reader)
    assert client.get(guide.url).status_code == 200
    restriction = PageViewRestriction.objects.create(
        page=guide, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    response = client.get(guide.url)
    assert response.status_code == 200 and "Ann commented before." not in response.content.decode()
    restriction.delete()
    assert "Ann commented before." in client.get(guide.url).content.decode()


def test_hostile_paths_and_hosts_are_not_served_from_the_route_cache(guide, reader, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    client = logged_in(reader)
    assert client.get(guide.url).status_code == 200
    assert client.get(guide.url, HTTP_HOST="evil.example").status_code == 400
    assert client.get(guide.url + "nope/").status_code == 404
    assert client.get(guide.url.rstrip("/")).status_code in (301, 404)
