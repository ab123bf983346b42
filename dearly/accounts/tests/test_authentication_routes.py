"""Exactly one way to log in: allauth's, with email verification, two-factor authentication and
rate limits. The routes are not listed by hand: every URL pattern the resolver knows is tried,
so a route added later (ours, Wagtail's, a library's) is covered without touching this file."""

import base64
import itertools
import re
import time
from html.parser import HTMLParser
from importlib import import_module
from urllib.parse import urljoin

from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.utils.regex_helper import normalize

from wagtail.models import PageViewRestriction

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value

from dearly.core.tests.helpers import make_password_protected_document, make_password_protected_page
from dearly.testing import make_article

from .helpers import PASSWORD, make_account

pytestmark = [pytest.mark.django_db, pytest.mark.sweeps]

LOGIN = "/accounts/login/"
SECOND_FACTOR = "/accounts/2fa/authenticate/"
# More than the loosest limit on a password form (allauth's "login": 30 a minute per address).
GUESSES = 35
# Tried for a route's parameters after the plausible values the `routes` fixture names.
GENERIC_VALUES = ("1", "x", "2024", "01", "a-b", "00000000-0000-4000-8000-000000000000")  # a uuid


# The route walk


def _leaf_patterns(patterns, prefix=""):
    for pattern in patterns:
        regex = prefix + pattern.pattern.regex.pattern.removeprefix("^")
        if isinstance(pattern, URLResolver):
            yield from _leaf_patterns(pattern.url_patterns, regex)
        else:
            yield regex, pattern


def _example_path(regex, pattern, plausible):
    """A path that reaches `pattern`; None when every path it matches is answered by an
    earlier pattern (shadowed: not reachable); "" when no value fits its parameters."""
    shadowed = False
    for template, params in normalize(regex):
        choices = [(*plausible.get(name, ()), *GENERIC_VALUES) for name in params]
        for values in itertools.product(*choices):
            path = "/" + template % dict(zip(params, map(str, values), strict=True))
            try:
                if resolve(path).func is pattern.callback:
                    return path
            except Resolver404:
                continue
            shadowed = shadowed or re.match(regex, path[1:]) is not None
    return None if shadowed else ""


def example_paths(plausible):
    """A path for every reachable URL pattern, its parameters filled by name from `plausible`
    (positional groups are named _0, _1, …) or with generic values. A pattern no value fits
    fails here, so that nobody adds a route this test silently skips."""
    paths = []
    for regex, pattern in _leaf_patterns(get_resolver().url_patterns):
        path = _example_path(regex, pattern, plausible)
        assert path != "", f"no path reaches {regex!r}: give its parameters plausible values"
        if path:
            paths.append(path)
    return list(dict.fromkeys(paths))


class _Forms(HTMLParser):
    """A page's forms as (action, {name: value}, names of its password fields, names of those
    that check a password rather than set a new one)."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "form":
            self._form = (attrs.get("action") or "", {}, [], [])
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        _, fields, secret, checked = self._form
        kind = attrs.get("type")
        if tag == "option" and self._select:
            if "selected" in attrs or not fields[self._select]:
                fields[self._select] = attrs.get("value", "")
        elif not name:
            return
        elif tag == "input" and (kind not in ("checkbox", "radio") or "checked" in attrs):
            fields[name] = attrs.get("value") or ""
            if kind == "password":
                secret.append(name)
                if attrs.get("autocomplete") != "new-password":
                    checked.append(name)
        elif tag in ("textarea", "select"):
            fields[name] = ""
            self._select = name if tag == "select" else None

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def password_checking_forms(path, html):
    """(action, fields, password fields) of each form on the page that checks a password."""
    parser = _Forms()
    parser.feed(html)
    return [
        (urljoin(path, action), fields, secret)
        for action, fields, secret, checked in parser.forms
        if checked
    ]


# What the walk posts, and who


def credentials(user, password=PASSWORD):
    """The user's email and password under every field name a login form might use."""
    fields = dict.fromkeys(("login", "username", "email", "user", "identifier"), user.email)
    secrets = ("password", "password1", "password2", "oldpassword", "old_password", "pass")
    return {**fields, **dict.fromkeys(secrets, password), "remember": "on", "code": "000000"}


def basic_auth(user):
    token = base64.b64encode(f"{user.email}:{PASSWORD}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


def is_logged_in(client):
    return "_auth_user_id" in client.session


def make_editor_with_two_factor(**fields):
    """An editor with an authenticator app (TOTP); returns (editor, its secret)."""
    editor = make_account("Dr. Mimi", is_staff=True, is_superuser=True, **fields)
    secret = generate_totp_secret()
    TOTP.activate(editor, secret)
    return editor, secret


def current_code(secret):
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


@pytest.fixture
def accounts(db):
    return {
        "unverified reader": make_account("Unverified", verified=False),
        "editor with two-factor": make_editor_with_two_factor()[0],
        "reader": make_account("Ann"),
    }


@pytest.fixture
def routes(site_tree):
    """Every route, with a password-protected page and document among the things it reaches
    (their forms lead the walk to the routes that check those passwords)."""
    page, _ = make_password_protected_page(site_tree["guides"])
    document, _ = make_password_protected_document()
    # Wagtail serves pages and documents through patterns with positional groups.
    return example_paths({"_0": [page.url.lstrip("/"), document.pk], "_1": [document.filename]})


# The walk


def test_the_walk_reaches_every_route_that_could_log_in(routes):
    for path in (
        LOGIN,
        SECOND_FACTOR,
        "/admin/login/",
        "/_util/login/",
        "/accounts/reauthenticate/",
        "/accounts/login/code/confirm/",
    ):
        assert path in routes
    for prefix in (
        "/_util/authenticate_with_password/",
        "/accounts/confirm-email/",
        "/accounts/password/reset/key/",
    ):
        assert any(path.startswith(prefix) for path in routes)


def test_the_credentials_the_walk_posts_do_log_in_a_verified_reader(accounts):
    client = Client()
    client.post(LOGIN, credentials(accounts["reader"]))
    assert is_logged_in(client)


@pytest.mark.parametrize("who", ["unverified reader", "editor with two-factor"])
def test_no_route_logs_in_without_a_verified_email_and_the_second_factor(routes, accounts, who):
    user = accounts[who]
    logged_in_by = []
    for path in routes:
        client = Client(raise_request_exception=False)
        response = client.post(path, credentials(user), **basic_auth(user))
        if is_logged_in(client):
            logged_in_by.append(path)
        elif path == LOGIN and who == "editor with two-factor":
            assert response["Location"] == SECOND_FACTOR  # the only step it may take
    assert logged_in_by == []


def test_no_route_completes_a_login_that_waits_for_the_second_factor(routes, accounts):
    editor = accounts["editor with two-factor"]
    waiting = Client()
    assert waiting.post(LOGIN, credentials(editor))["Location"] == SECOND_FACTOR
    store = import_module(settings.SESSION_ENGINE).SessionStore
    logged_in_by = []
    for path in routes:
        # A copy of the waiting session per route: one route ending it must not hide the next.
        session = store()
        session.update(dict(waiting.session.items()))
        session.create()
        client = Client(raise_request_exception=False)
        client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
        client.post(path, credentials(editor), **basic_auth(editor))
        if is_logged_in(client):
            logged_in_by.append(path)
    assert logged_in_by == []


def test_http_basic_credentials_open_no_route(routes, accounts):
    """Some frameworks (Django REST framework's defaults among them) authenticate each request
    by an Authorization header, without a session: no route may answer differently to one."""
    editor = accounts["editor with two-factor"]
    anonymous, with_credentials = (Client(raise_request_exception=False) for _ in range(2))
    opened = [
        path
        for path in routes
        if anonymous.get(path).status_code
        != with_credentials.get(path, **basic_auth(editor)).status_code
    ]
    assert opened == []


@pytest.mark.parametrize("who", ["anonymous", "reader", "editor with two-factor"])
def test_every_form_that_checks_a_password_stops_a_guesser_with_429(routes, accounts, who):
    client = Client(raise_request_exception=False)
    targets = {}
    for path in routes:
        if who != "anonymous" and not is_logged_in(client):
            # Again should a GET ever end the session (none may: dearly/core/tests/test_logout.py).
            client.force_login(accounts[who])
        response = client.get(path)
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            for action, fields, secret in password_checking_forms(path, response.content.decode()):
                targets.setdefault(action, (fields, secret))
    assert targets, "the walk found no form that checks a password"

    victim = accounts["reader"].email
    never_limited = []
    for action, (fields, secret) in targets.items():
        data = {**fields, **{name: victim for name in fields if re.search("login|email", name)}}
        for guess in range(GUESSES):
            if (
                client.post(action, {**data, **dict.fromkeys(secret, f"guess {guess}")}).status_code
                == 429
            ):
                break
        else:
            never_limited.append(action)
    assert never_limited == []


# The routes Wagtail adds, one by one


@pytest.mark.parametrize("wagtail_login", ["/admin/login/", "/_util/login/"])
@pytest.mark.parametrize(
    ("next_url", "login_page"),
    [
        ("/admin/pages/", "/accounts/login/?next=/admin/pages/"),
        ("/guides/members-only/", "/accounts/login/?next=/guides/members-only/"),
        ("", "/accounts/login/"),
        ("https://evil.example/", "/accounts/login/"),
        ("//evil.example/", "/accounts/login/"),
        ("javascript:alert(1)", "/accounts/login/"),
    ],
)
def test_wagtails_login_forms_lead_to_allauths_login_keeping_a_next_on_this_site(
    client, wagtail_login, next_url, login_page
):
    assert client.get(wagtail_login, {"next": next_url})["Location"] == login_page


def test_a_login_restricted_page_sends_readers_to_allauths_login(client, site_tree):
    page = make_article(site_tree["guides"], title="For readers with an account")
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    assert client.get(page.url)["Location"] == f"{LOGIN}?next={page.url}"


def test_wagtails_admin_password_reset_is_switched_off(client):
    editor = make_account(is_staff=True, is_superuser=True)
    assert client.get("/admin/password_reset/").status_code == 404
    assert client.post("/admin/password_reset/", {"email": editor.email}).status_code == 404
    assert mail.outbox == []


def test_the_admin_account_page_changes_neither_password_nor_login_email(client):
    editor = make_account(is_staff=True, is_superuser=True, email="mimi@example.com")
    client.force_login(editor)
    html = client.get("/admin/account/").content.decode()
    assert 'name="password-old_password"' not in html and 'name="name_email-email"' not in html
    client.post(
        "/admin/account/",
        {
            "password-old_password": PASSWORD,
            "password-new_password1": "another-long-passphrase",
            "password-new_password2": "another-long-passphrase",
            "name_email-email": "taken-over@example.com",
        },
    )
    editor.refresh_from_db()
    assert editor.check_password(PASSWORD) and editor.email == "mimi@example.com"


# allauth's own ways in: each still asks for the second factor


def test_confirming_an_email_still_asks_for_the_second_factor(client):
    editor, secret = make_editor_with_two_factor(verified=False)
    assert client.post(LOGIN, credentials(editor))["Location"] == "/accounts/confirm-email/"
    link = re.search(r"(/accounts/confirm-email/\S+/)", mail.outbox[0].body).group(1)
    assert client.post(link)["Location"] == SECOND_FACTOR
    assert not is_logged_in(client)
    client.post(SECOND_FACTOR, {"code": current_code(secret)})
    assert is_logged_in(client)


def test_a_password_reset_link_does_not_log_in(client):
    editor, _ = make_editor_with_two_factor()
    client.post("/accounts/password/reset/", {"email": editor.email})
    link = re.search(r"(/accounts/password/reset/key/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link)["Location"]
    new = "a-brand-new-passphrase"
    client.post(form, {"password1": new, "password2": new})
    assert not is_logged_in(client)
    assert client.post(LOGIN, credentials(editor, new))["Location"] == SECOND_FACTOR


def test_wrong_second_factor_codes_are_refused_after_five_even_the_right_one(client):
    editor, secret = make_editor_with_two_factor()
    client.post(LOGIN, credentials(editor))
    for guess in range(5):
        client.post(SECOND_FACTOR, {"code": f"{guess:06}"})
    response = client.post(SECOND_FACTOR, {"code": current_code(secret)})
    assert "Too many failed login attempts" in response.content.decode()
    assert not is_logged_in(client)
