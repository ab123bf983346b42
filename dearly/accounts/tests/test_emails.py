"""allauth's emails: every link points at SITE_URL whatever Host the request came with, and the
sign-up email quotes nothing the person signing up chose."""

import re

from django.core import mail

import pytest

from .helpers import PASSWORD, make_account

pytestmark = pytest.mark.django_db

SITE_URL = "https://advice.example.com"
HOSTILE_HOSTS = ["localhost:31337", "evil.example", "advice.example.com.evil.example:8443"]


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE_URL


def links_in(message):
    return re.findall(r"https?://\S+", message.body)


def assert_links_only_to_the_site(message, host):
    links = links_in(message)
    assert links, message.body
    # The account's links, and the sign-off's link to the site's home page.
    assert all(
        link.startswith(f"{SITE_URL}/accounts/") or link == f"{SITE_URL}/" for link in links
    ), links
    assert host not in message.body and host not in message.subject


def sign_up(client, host, email="new@example.com", display_name="Ann"):
    return client.post(
        "/accounts/signup/",
        {
            "display_name": display_name,
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        HTTP_HOST=host,
    )


@pytest.mark.parametrize("host", HOSTILE_HOSTS)
def test_password_reset_link_is_built_from_site_url_not_the_host_header(client, host):
    user = make_account()
    response = client.post("/accounts/password/reset/", {"email": user.email}, HTTP_HOST=host)
    assert response.status_code == 302
    [message] = mail.outbox
    assert_links_only_to_the_site(message, host)
    assert links_in(message)[0].startswith(f"{SITE_URL}/accounts/password/reset/key/")


@pytest.mark.parametrize("host", HOSTILE_HOSTS)
def test_password_reset_for_an_unknown_address_links_to_site_url(client, host):
    client.post("/accounts/password/reset/", {"email": "nobody@example.com"}, HTTP_HOST=host)
    [message] = mail.outbox
    assert_links_only_to_the_site(message, host)


@pytest.mark.parametrize("host", HOSTILE_HOSTS)
def test_signup_verification_link_is_built_from_site_url_not_the_host_header(client, host):
    response = sign_up(client, host)
    assert response.status_code == 302
    [message] = mail.outbox
    assert_links_only_to_the_site(message, host)
    assert links_in(message)[0].startswith(f"{SITE_URL}/accounts/confirm-email/")


def test_signup_with_a_taken_address_mails_the_owner_a_site_url_link(client):
    make_account(email="taken@example.com")
    sign_up(client, "localhost:31337", email="taken@example.com")
    [message] = mail.outbox
    assert message.to == ["taken@example.com"]
    assert_links_only_to_the_site(message, "localhost:31337")


def test_verification_link_from_a_hostile_host_still_confirms_on_the_site(client):
    sign_up(client, "localhost:31337")
    path = links_in(mail.outbox[0])[0].removeprefix(SITE_URL)
    response = client.post(path)
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


SPAM_NAMES = [
    "Visit evil.example to claim your prize",
    "Call +1 555 0100 now",
    "<a href=https://evil.example>prize</a>",
]


@pytest.mark.parametrize("name", SPAM_NAMES)
def test_signup_email_to_any_address_quotes_nothing_the_person_signing_up_chose(client, name):
    """Anyone can sign up with a stranger's address: the display name would be their message."""
    sign_up(client, "testserver", email="victim@example.com", display_name=name)
    [message] = mail.outbox
    assert message.to == ["victim@example.com"]
    texts = [message.subject, message.body] + [body for body, _ in message.alternatives]
    for text in texts:
        assert name not in text
        assert "evil.example" not in text and "555" not in text
    assert f"{SITE_URL}/accounts/confirm-email/" in message.body


def test_adding_an_address_on_the_account_page_does_not_quote_the_display_name(client):
    user = make_account(display_name="Visit evil.example to claim your prize")
    client.force_login(user)
    response = client.post(
        "/accounts/email/", {"action_add": "", "email": "second@example.com"}, HTTP_HOST="evil"
    )
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["second@example.com"]
    assert "evil.example" not in message.body
    assert_links_only_to_the_site(message, "evil")
