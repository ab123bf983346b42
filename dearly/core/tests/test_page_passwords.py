"""Password-protected pages and documents (Wagtail's view restrictions): the right password
opens them, and guessing is stopped by allauth's rate limits with a 429 in the site's design."""

from django.test import Client

import pytest

from .helpers import PAGE_PASSWORD, make_password_protected_document, make_password_protected_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_page(site_tree):
    return make_password_protected_page(site_tree["guides"])


def form_url(restriction, page):
    return f"/_util/authenticate_with_password/{restriction.pk}/{page.pk}/"


def enter(client, url, password, return_url="/"):
    return client.post(url, {"password": password, "return_url": return_url})


def test_the_right_password_opens_the_page(client, private_page):
    page, restriction = private_page
    assert "Some helpful words." not in client.get(page.url).content.decode()
    assert (
        enter(client, form_url(restriction, page), PAGE_PASSWORD, page.url)["Location"] == page.url
    )
    assert "Some helpful words." in client.get(page.url).content.decode()


def prompt(client, private, wrong_password=False):
    """The password prompt of a private page or document: shown, or after a wrong password.
    Returns (response, the form's action)."""
    if private == "document":
        document, restriction = make_password_protected_document()
        url, action = document.url, f"/documents/authenticate_with_password/{restriction.pk}/"
    else:
        page, restriction = private
        url, action = page.url, form_url(restriction, page)
    return (enter(client, action, "wrong", url) if wrong_password else client.get(url)), action


@pytest.fixture(params=["page", "document"])
def private(request, site_tree):
    if request.param == "document":
        return "document"
    return make_password_protected_page(site_tree["guides"])


def test_the_password_prompt_is_in_the_site_design(client, private):
    response, action = prompt(client, private)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="site-header"' in html and "<h1>Password required</h1>" in html
    assert "<title>Password required · " in html
    assert '<meta name="robots" content="noindex">' in html
    assert 'rel="canonical"' not in html
    assert "Members only" not in html and "Notes" not in html  # a private title stays private
    assert f'action="{action}"' in html and 'name="csrfmiddlewaretoken"' in html
    assert '<label for="id_password">Password</label>' in html
    assert 'type="password" name="password"' in html
    assert "no-cache" in response["Cache-Control"]


def test_a_wrong_password_shows_an_error_in_the_site_design(client, private):
    response, action = prompt(client, private, wrong_password=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="site-header"' in html and 'rel="canonical"' not in html
    assert 'class="field-error" id="id_password_error" role="alert"' in html
    assert "The password you have entered is not correct." in html
    assert 'aria-invalid="true"' in html and f'action="{action}"' in html


def test_the_right_password_opens_the_document(client, settings, tmp_path):
    # Served from a file on disk, as in production (the test settings keep media in memory).
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    document, restriction = make_password_protected_document()
    url = f"/documents/authenticate_with_password/{restriction.pk}/"
    assert enter(client, url, PAGE_PASSWORD, document.url)["Location"] == document.url
    response = client.get(document.url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"notes"


def test_guessing_a_page_password_gets_a_429_in_the_site_design(client, private_page):
    page, restriction = private_page
    url = form_url(restriction, page)
    statuses = [enter(client, url, f"guess {n}").status_code for n in range(6)]
    assert statuses == [200] * 5 + [429]
    refused = enter(client, url, PAGE_PASSWORD, page.url)  # now even the right one
    html = refused.content.decode()
    assert refused.status_code == 429
    assert "<h1>Too many wrong passwords</h1>" in html and 'class="site-header"' in html
    assert '<meta name="robots" content="noindex">' in html
    assert "no-cache" in refused["Cache-Control"]
    assert "Some helpful words." not in client.get(page.url).content.decode()
    # Looking at the form is not a guess, and another address may still try.
    assert client.get(url).status_code == 200
    assert enter(Client(REMOTE_ADDR="198.51.100.7"), url, PAGE_PASSWORD).status_code == 302


def test_readers_who_know_the_password_are_never_counted(private_page):
    page, restriction = private_page
    for _ in range(12):
        assert enter(Client(), form_url(restriction, page), PAGE_PASSWORD).status_code == 302


def test_guesses_spread_over_many_addresses_are_stopped_per_page(private_page, site_tree):
    page, restriction = private_page
    statuses = [
        enter(
            Client(REMOTE_ADDR=f"203.0.113.{n % 250}"), form_url(restriction, page), "x"
        ).status_code
        for n in range(101)
    ]
    assert statuses[:100] == [200] * 100 and statuses[100] == 429
    # The limit is this password's: another private page still takes guesses from a new address.
    other, other_restriction = make_password_protected_page(site_tree["guides"])
    assert (
        enter(Client(REMOTE_ADDR="192.0.2.1"), form_url(other_restriction, other), "x").status_code
        == 200
    )


def test_guessing_a_document_password_gets_a_429(client):
    document, restriction = make_password_protected_document()
    url = f"/documents/authenticate_with_password/{restriction.pk}/"
    assert client.get(document.url).status_code == 200  # the password form
    statuses = [enter(client, url, f"guess {n}").status_code for n in range(6)]
    assert statuses == [200] * 5 + [429]
    assert enter(client, url, PAGE_PASSWORD, document.url).status_code == 429


@pytest.mark.parametrize(
    "url",
    [
        "/_util/authenticate_with_password/999999/999999/",
        "/_util/authenticate_with_password/99999999999999999999/1/",
        "/documents/authenticate_with_password/999999/",
    ],
)
def test_unknown_restrictions_are_404s_and_never_500s(client, url):
    assert enter(client, url, "x").status_code == 404
    assert client.get(url).status_code == 404
