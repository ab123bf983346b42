"""Logging out takes a POST with a CSRF token: a cross-site GET (an <img src>) or a forged form
signs nobody out. Every route is walked, so a logout route added later is covered too."""

from django.conf import settings
from django.test import Client

import pytest

from dearly.accounts.tests.helpers import make_account
from dearly.accounts.tests.test_authentication_routes import routes  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.sweeps]

# Every logout route the resolver knows: ours for Wagtail's admin (shadowing Wagtail's own
# wagtailadmin_logout at the same path) and allauth's account_logout.
LOGOUT_ROUTES = ["/admin/logout/", "/accounts/logout/"]


def signed_in_client(**kwargs):
    client = Client(raise_request_exception=False, **kwargs)
    client.force_login(make_account("Dr. Mimi", is_staff=True, is_superuser=True))
    return client


def still_signed_in(client):
    """The session cookie is still set and still names the user."""
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    return bool(cookie and cookie.value) and "_auth_user_id" in client.session


def test_the_walk_reaches_every_logout_route(routes):  # noqa: F811
    assert set(LOGOUT_ROUTES) <= set(routes)


@pytest.mark.parametrize("method", ["get", "head", "options"])
def test_no_route_signs_out_on_a_request_a_page_on_another_site_can_make(routes, method):  # noqa: F811
    client = signed_in_client()
    signed_out_by = []
    for path in routes:
        getattr(client, method)(path)
        if not still_signed_in(client):
            signed_out_by.append(path)
            client = signed_in_client()
    assert signed_out_by == []


@pytest.mark.parametrize("path", LOGOUT_ROUTES)
def test_a_get_to_a_logout_route_keeps_the_session(path):
    client = signed_in_client()
    response = client.get(path)
    assert response.status_code in (200, 405)
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert still_signed_in(client)


@pytest.mark.parametrize("path", LOGOUT_ROUTES)
def test_a_forged_logout_post_without_the_csrf_token_is_refused(path):
    client = signed_in_client(enforce_csrf_checks=True)
    assert client.post(path).status_code == 403
    assert still_signed_in(client)


@pytest.mark.parametrize("path", LOGOUT_ROUTES)
def test_a_logout_post_with_the_csrf_token_signs_out(path):
    client = signed_in_client(enforce_csrf_checks=True)
    client.get("/accounts/logout/")  # its confirmation form sets the CSRF cookie
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(path, {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert not still_signed_in(client)
