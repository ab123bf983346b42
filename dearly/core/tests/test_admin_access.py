"""Who may open the Wagtail admin: editors do, logged-out visitors are sent to the one login
page, and a logged-in reader gets the site's 403 page instead of a redirect loop."""

from django.contrib.auth.models import Group
from django.test import Client

import pytest

from dearly.accounts.tests.helpers import make_account

pytestmark = pytest.mark.django_db


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("path", ["/admin/", "/admin/pages/", "/admin/comments/", "/admin/nope/"])
def test_a_logged_in_reader_gets_the_403_page_instead_of_a_redirect_loop(site_tree, path):
    response = logged_in(make_account("Ann")).get(path)
    html = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Not allowed</h1>" in html and 'class="site-header"' in html
    assert "column’s own network" not in html  # not the network allow-list's reason
    assert "logged in with a reader’s account" in html
    assert 'action="/accounts/logout/"' in html  # a way out, as a POST
    assert "no-cache" in response["Cache-Control"]


def test_a_reader_sent_to_the_admin_by_the_login_page_ends_on_the_403_page(site_tree):
    client = logged_in(make_account("Ann"))
    response = client.get("/admin/login/?next=/admin/", follow=True)
    assert [url for url, _ in response.redirect_chain] == [
        "/accounts/login/?next=/admin/",
        "/admin/",
    ]
    assert response.status_code == 403


def test_a_reader_who_reached_the_admin_can_log_out_there(site_tree):
    client = logged_in(make_account("Ann"))
    response = client.post("/admin/logout/")
    assert response.status_code == 302 and "_auth_user_id" not in client.session


@pytest.mark.parametrize("role", ["superuser", "Editors", "Moderators"])
def test_editors_still_open_the_admin_and_log_out_there(site_tree, role):
    if role == "superuser":
        editor = make_account(is_staff=True, is_superuser=True)
    else:
        editor = make_account(is_staff=True)
        editor.groups.add(Group.objects.get(name=role))
    client = logged_in(editor)
    assert client.get("/admin/").status_code == 200
    client.post("/admin/logout/")
    assert "_auth_user_id" not in client.session


def test_logged_out_visitors_are_still_sent_to_the_login_page(client):
    assert client.get("/admin/pages/")["Location"] == "/accounts/login/?next=/admin/pages/"


def test_staff_without_admin_access_get_the_403_page_too(site_tree):
    assert logged_in(make_account(is_staff=True)).get("/admin/").status_code == 403
