"""The header's Log in / Sign up links carry the page's path as ?next=, except where the path is
a secret: a question's status link must not travel into /accounts/login/?next=… (server logs,
the login page's own links, a shared screenshot)."""

import re
from urllib.parse import urlsplit

from django.core import signing

import pytest

from dearly.comments.views import UNSUBSCRIBE_SALT
from dearly.questions.models import Question

from .helpers import make_account

pytestmark = pytest.mark.django_db


def make_question():
    token, token_hash = Question.new_token()
    Question.objects.create(
        token_hash=token_hash,
        text="My manager keeps promising me a pay rise at every review, but it never arrives.",
        pen_name="Underpaid",
        consent=True,
    )
    return token


def links(html):
    return re.findall(r'(?:href|action)="([^"]*)"', html)


def assert_no_link_carries(html, secret, allowed_prefix):
    """Only links back into the secret's own pages may contain it."""
    for link in links(html):
        if secret in link:
            assert urlsplit(link).path.startswith(allowed_prefix) and "?" not in link, link
    assert 'href="/accounts/login/">Log in</a>' in html
    assert 'href="/accounts/signup/">Sign up</a>' in html


@pytest.mark.parametrize("page", ["", "withdraw/"])
def test_status_pages_never_put_the_token_into_login_or_signup_links(client, site_tree, page):
    token = make_question()
    response = client.get(f"/ask/status/{token}/{page}")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"/ask/status/{token}/" in html  # the writer's own link is still there
    assert_no_link_carries(html, token, f"/ask/status/{token}/")
    assert "next=" not in html


def test_a_mistyped_status_token_is_not_copied_into_links_either(client, site_tree):
    real = make_question()
    token = real[:-1] + ("y" if real.endswith("x") else "x")  # one in 64 tokens ends in "x"
    response = client.get(f"/ask/status/{token}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert_no_link_carries(html, token, "/nowhere/")
    assert "next=" not in html


def test_unsubscribe_page_does_not_copy_its_signed_token_into_links(client, site_tree):
    token = signing.dumps({"u": make_account().pk}, salt=UNSUBSCRIBE_SALT)
    html = client.get(f"/comments/unsubscribe/{token}/").content.decode()
    assert_no_link_carries(html, token, f"/comments/unsubscribe/{token}/")


def test_ordinary_pages_still_send_readers_back_after_logging_in(client, site_tree):
    html = client.get("/ask/").content.decode()
    assert 'href="/accounts/login/?next=/ask/">Log in</a>' in html
    assert 'href="/accounts/signup/?next=/ask/">Sign up</a>' in html
