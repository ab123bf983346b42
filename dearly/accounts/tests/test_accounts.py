"""Reader accounts: signup, login, password reset, profile, deleting an account, header links."""

import re
from urllib.parse import quote

from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.utils.html import escape

import pytest
from allauth.account.models import EmailAddress

from dearly.comments.models import Comment
from dearly.testing import make_article

from .helpers import PASSWORD, make_account

pytestmark = pytest.mark.django_db

NOINDEX = '<meta name="robots" content="noindex">'


def log_in(client, user, **extra):
    return client.post("/accounts/login/", {"login": user.email, "password": PASSWORD, **extra})


def link_in(message):
    return re.search(r"http://testserver(/accounts/\S+/)", message.body).group(1)


def is_logged_in(client):
    return "_auth_user_id" in client.session


@pytest.fixture
def article(site_tree):
    return make_article(site_tree["guides"], title="How to say no")


@pytest.fixture
def respond_url(article):
    """Where the comment area's "logged in" link sends a reader back to."""
    return f"{article.url}#respond"


# Signing up


def test_login_page_tells_where_to_sign_up_and_offers_password_reset(client):
    response = client.get("/accounts/login/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/accounts/signup/"' in html and "Sign up" in html
    assert 'href="/accounts/password/reset/">Forgot your password?</a>' in html
    assert '<label for="id_login">Email</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert 'role="alert"' not in html and "field-error" not in html
    assert NOINDEX in html


def test_signup_asks_display_name_email_and_password_twice_in_that_order(client):
    html = client.get("/accounts/signup/").content.decode().split("<main", 1)[1]
    html = html.split("</main>", 1)[0]  # not the footer's "Get new letters by email" box
    names = re.findall(r'<input[^>]* name="(\w+)"', html)
    assert [n for n in names if n != "csrfmiddlewaretoken"] == [
        "display_name",
        "email",
        "password1",
        "password2",
    ]
    assert 'id="id_display_name_helptext"' in html
    assert 'aria-describedby="id_display_name_helptext"' in html


def test_signup_verification_link_logs_in_and_returns_to_the_comment_form(client, respond_url):
    encoded_next = quote(respond_url, safe="/")  # as comments/area.html writes it: …%23respond
    assert "%23respond" in encoded_next

    login_page = client.get(f"/accounts/login/?next={encoded_next}").content.decode()
    assert f'href="/accounts/signup/?next={quote(respond_url, safe="")}"' in login_page
    signup_page = client.get(f"/accounts/signup/?next={encoded_next}").content.decode()
    assert f'name="next" value="{respond_url}"' in signup_page

    response = client.post(
        "/accounts/signup/",
        {
            "display_name": "  Worried   in Leeds ",
            "email": "worried@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "next": respond_url,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert not is_logged_in(client)
    user = get_user_model().objects.get(email="worried@example.com")
    assert user.display_name == "Worried in Leeds"
    assert not EmailAddress.objects.get(user=user).verified

    sent = client.get("/accounts/confirm-email/")
    assert "worried@example.com" in sent.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["worried@example.com"]
    link = link_in(mail.outbox[0])

    confirm_page = client.get(link)
    assert confirm_page.status_code == 200 and NOINDEX in confirm_page.content.decode()
    response = client.post(link)
    assert response.status_code == 302
    assert response["Location"] == respond_url
    assert is_logged_in(client)
    assert EmailAddress.objects.get(user=user).verified
    html = client.get(respond_url.split("#")[0]).content.decode()
    assert "posting as Worried in Leeds" in html


def test_signup_refuses_mismatched_passwords(client):
    html = client.post(
        "/accounts/signup/",
        {
            "display_name": "Bea",
            "email": "bea@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD + "x",
        },
    ).content.decode()
    assert "You must type the same password each time." in html
    assert 'role="alert"' in html and 'aria-invalid="true"' in html
    assert not get_user_model().objects.filter(email="bea@example.com").exists()
    assert mail.outbox == []


def test_signup_with_a_taken_email_does_not_reveal_the_account(client):
    """allauth's enumeration prevention: same answer, and the owner gets an email instead."""
    make_account(email="taken@example.com")
    response = client.post(
        "/accounts/signup/",
        {
            "display_name": "Bea",
            "email": "taken@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"
    assert get_user_model().objects.filter(email="taken@example.com").count() == 1
    assert [m.to for m in mail.outbox] == [["taken@example.com"]]


# Logging in


def test_login_by_email_returns_to_next(client, respond_url):
    user = make_account()
    page = client.get(f"/accounts/login/?next={quote(respond_url, safe='/')}").content.decode()
    assert f'name="next" value="{respond_url}"' in page
    response = log_in(client, user, next=respond_url)
    assert response.status_code == 302 and response["Location"] == respond_url
    assert is_logged_in(client)


def test_login_email_is_case_insensitive(client):
    user = make_account(email="case@example.com")
    response = client.post("/accounts/login/", {"login": "Case@Example.COM", "password": PASSWORD})
    assert response.status_code == 302 and is_logged_in(client)
    assert user.pk == int(client.session["_auth_user_id"])


def test_login_without_next_goes_home_and_offsite_next_is_ignored(client):
    user = make_account()
    assert log_in(client, user)["Location"] == "/"
    client.post("/accounts/logout/")
    assert log_in(client, user, next="https://evil.example/")["Location"] == "/"


def test_editors_log_in_on_the_same_page_and_land_in_the_admin(client):
    editor = make_account(is_staff=True, is_superuser=True)
    assert client.get("/admin/")["Location"] == "/accounts/login/?next=/admin/"
    assert log_in(client, editor, next="/admin/")["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_wrong_password_says_so_and_does_not_log_in(client):
    user = make_account()
    response = client.post("/accounts/login/", {"login": user.email, "password": "wrong"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in html
    assert 'class="form-errors" role="alert"' in html
    assert not is_logged_in(client)


def test_unverified_account_cannot_log_in_and_is_sent_to_verification(client):
    user = make_account(verified=False)
    response = log_in(client, user)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert not is_logged_in(client)
    assert len(mail.outbox) == 1 and "/accounts/confirm-email/" in mail.outbox[0].body


def test_many_failed_logins_are_rate_limited_with_429(client):
    user = make_account()
    statuses = [
        client.post("/accounts/login/", {"login": user.email, "password": f"guess{i}"}).status_code
        for i in range(35)
    ]
    assert statuses[0] == 200
    assert 429 in statuses
    limited = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert limited.status_code == 429
    assert "Too many attempts" in limited.content.decode()
    assert NOINDEX in limited.content.decode()
    assert not is_logged_in(client)


def test_failed_logins_for_one_address_are_refused_after_five(client):
    user = make_account()
    for i in range(5):
        client.post("/accounts/login/", {"login": user.email, "password": f"guess{i}"})
    html = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert "Too many failed login attempts" in html.content.decode()
    assert not is_logged_in(client)


def test_the_lockout_holds_whatever_host_port_or_address_the_tries_come_from(client):
    user = make_account()
    for i in range(5):
        client.post(
            "/accounts/login/",
            {"login": user.email.upper(), "password": f"guess{i}"},
            HTTP_HOST=f"localhost:{1000 + i}",
            REMOTE_ADDR=f"192.0.2.{i + 1}",
        )
    html = client.post(
        "/accounts/login/",
        {"login": user.email, "password": PASSWORD},
        HTTP_HOST="localhost:2000",
        REMOTE_ADDR="198.51.100.7",
    )
    assert "Too many failed login attempts" in html.content.decode()
    assert not is_logged_in(client)


def test_logout_is_a_post(client):
    user = make_account()
    client.force_login(user)
    client.get("/accounts/logout/")  # a confirmation page, not a logout
    assert is_logged_in(client)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and not is_logged_in(client)


# Password reset


def test_password_reset_email_lets_the_reader_choose_a_new_password(client):
    user = make_account()
    response = client.post("/accounts/password/reset/", {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]
    link = link_in(mail.outbox[0])
    assert "/accounts/password/reset/key/" in link

    form_url = client.get(link)["Location"]  # allauth moves the key out of the URL
    new_password = "another-long-passphrase"
    response = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)


# Profile


def test_profile_needs_login(client):
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/profile/"


def test_accounts_root_leads_to_profile(client):
    client.force_login(make_account())
    assert client.get("/accounts/")["Location"] == "/accounts/profile/"


def test_reader_changes_display_name_and_reply_emails(client):
    user = make_account(display_name="Ann")
    client.force_login(user)
    html = client.get("/accounts/profile/").content.decode()
    assert 'value="Ann"' in html and user.email in html
    assert 'href="/accounts/email/"' in html and 'href="/accounts/password/change/"' in html
    assert 'href="/accounts/2fa/"' not in html  # two-factor is offered to staff
    assert 'href="/accounts/delete/"' in html

    response = client.post("/accounts/profile/", {"display_name": "Ann from Hull"}, follow=True)
    user.refresh_from_db()
    assert user.display_name == "Ann from Hull"
    assert user.notify_replies is False  # an unticked checkbox is not sent
    assert "Your settings were saved." in response.content.decode()


def test_staff_profile_links_to_two_factor_setup(client):
    editor = make_account(is_staff=True)
    client.force_login(editor)
    html = client.get("/accounts/profile/").content.decode()
    assert 'href="/accounts/2fa/"' in html
    assert 'href="/accounts/delete/"' not in html


def test_staff_can_open_two_factor_setup(client):
    editor = make_account(is_staff=True)
    log_in(client, editor)
    index = client.get("/accounts/2fa/")
    assert index.status_code == 200
    assert "Authenticator App" in index.content.decode()
    assert NOINDEX in index.content.decode()
    # Turning two-factor on asks for the password again (allauth's reauthentication).
    asked = client.get("/accounts/2fa/totp/activate/")
    assert asked["Location"].startswith("/accounts/reauthenticate/")
    back = client.post(asked["Location"], {"password": PASSWORD})
    assert back["Location"] == "/accounts/2fa/totp/activate/"
    activate = client.get("/accounts/2fa/totp/activate/")
    assert activate.status_code == 200
    html = activate.content.decode()
    assert 'name="code"' in html and '<label for="id_code">' in html


def test_profile_page_queries_are_few(client, django_assert_max_num_queries):
    client.force_login(make_account())
    client.get("/accounts/profile/")  # the site layout is cached from the first request on
    # Session and user; the rest is the site layout (site, settings, topics, footer, user bar).
    with django_assert_max_num_queries(12):
        assert client.get("/accounts/profile/").status_code == 200


# Hostile display names

REJECTED_NAMES = {
    "too long": "x" * 200,
    "null byte": "Ann\x00",
    "bell": "Ann\x07",
    "private use": "Ann\ue000",
    "only spaces": "     ",
    "empty": "",
    "email address": "ann@example.com",
}
ESCAPED_NAMES = {
    "script": "<script>alert(1)</script>",
    "javascript url": "javascript:alert(1)",
    "img onerror": '<img src=x onerror="alert(1)">',
    "entities": "Tom &amp; Jerry &#60;b&#62;",
}


@pytest.mark.parametrize("name", REJECTED_NAMES.values(), ids=REJECTED_NAMES.keys())
def test_hostile_display_names_are_rejected_on_the_profile(client, name):
    user = make_account(display_name="Ann")
    client.force_login(user)
    response = client.post("/accounts/profile/", {"display_name": name, "notify_replies": "on"})
    assert response.status_code == 200
    assert (
        'class="field-error" id="id_display_name_error" role="alert"' in response.content.decode()
    )
    user.refresh_from_db()
    assert user.display_name == "Ann"


@pytest.mark.parametrize("name", REJECTED_NAMES.values(), ids=REJECTED_NAMES.keys())
def test_hostile_display_names_are_rejected_at_signup(client, name):
    client.post(
        "/accounts/signup/",
        {
            "display_name": name,
            "email": "new@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert not get_user_model().objects.filter(email="new@example.com").exists()
    assert mail.outbox == []


@pytest.mark.parametrize("name", ESCAPED_NAMES.values(), ids=ESCAPED_NAMES.keys())
def test_markup_in_display_names_is_kept_as_text_and_never_rendered_as_html(client, article, name):
    user = make_account(display_name="Ann")
    client.force_login(user)
    client.post("/accounts/profile/", {"display_name": name})
    user.refresh_from_db()
    assert user.display_name == name  # stored as typed: it is text, not HTML
    Comment.objects.create(page=article, author=user, body="Hello.", status="approved")

    for url in ("/accounts/profile/", article.url):
        html = client.get(url).content.decode()
        assert escape(name) in html
        if "<" in name or "&" in name:
            assert name not in html
    thread = Client().get(article.url).content.decode()
    assert escape(name) in thread
    assert "<script>alert" not in thread and "<img src=x" not in thread
    assert 'href="javascript:' not in thread


def test_login_message_uses_the_display_name_escaped(client):
    user = make_account(display_name="<b>Ann</b>")
    response = log_in(client, user, next="/accounts/profile/")
    html = client.get(response["Location"]).content.decode()
    assert "You are logged in as &lt;b&gt;Ann&lt;/b&gt;." in html
    assert f"as {user.username}" not in html


# Deleting an account


@pytest.fixture
def commenter(article):
    user = make_account(display_name="Ann Commenter")
    Comment.objects.create(
        page=article,
        author=user,
        body="This helped me.",
        status="approved",
        ip_address="203.0.113.9",
    )
    return user


def test_get_on_delete_shows_a_confirmation_and_deletes_nothing(client, commenter):
    client.force_login(commenter)
    response = client.get("/accounts/delete/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Deleted reader" in html and '<label for="id_password">' in html
    assert NOINDEX in html
    assert get_user_model().objects.filter(pk=commenter.pk).exists()


def test_deleting_account_keeps_comments_as_deleted_reader_and_removes_email_and_ip(
    client, article, commenter
):
    client.force_login(commenter)
    response = client.post("/accounts/delete/", {"password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert not is_logged_in(client)
    assert not get_user_model().objects.filter(pk=commenter.pk).exists()
    assert not EmailAddress.objects.filter(email=commenter.email).exists()

    comment = Comment.objects.get(body="This helped me.")
    assert comment.author is None and comment.ip_address is None
    assert comment.display_name == "Deleted reader"
    thread = Client().get(article.url).content.decode()
    assert "This helped me." in thread and "Deleted reader" in thread
    assert "Ann Commenter" not in thread

    home = client.get("/").content.decode()
    assert "Your account was deleted." in home
    assert client.get("/accounts/profile/").status_code == 302


def test_delete_needs_the_current_password(client, commenter):
    client.force_login(commenter)
    response = client.post("/accounts/delete/", {"password": "not-it"})
    assert response.status_code == 200
    assert "That is not your current password." in response.content.decode()
    assert get_user_model().objects.filter(pk=commenter.pk).exists()
    assert Comment.objects.get(author=commenter).ip_address == "203.0.113.9"


def test_delete_without_csrf_token_is_rejected(commenter):
    client = Client(enforce_csrf_checks=True)
    client.force_login(commenter)
    response = client.post("/accounts/delete/", {"password": PASSWORD})
    assert response.status_code == 403
    assert get_user_model().objects.filter(pk=commenter.pk).exists()


def test_delete_needs_login(client):
    response = client.post("/accounts/delete/", {"password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["is_staff", "is_superuser"])
def test_staff_cannot_delete_themselves_here(client, role):
    editor = make_account(**{role: True})
    client.force_login(editor)
    for response in (
        client.get("/accounts/delete/"),
        client.post("/accounts/delete/", {"password": PASSWORD}),
    ):
        assert response.status_code == 403
        assert "cannot be deleted here" in response.content.decode()
    assert get_user_model().objects.filter(pk=editor.pk).exists()


# Every account page


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/accounts/profile/",
        "/accounts/delete/",
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/logout/",
    ],
)
def test_account_pages_are_noindex_and_in_the_site_layout(client, url):
    if url not in ("/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"):
        client.force_login(make_account())
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert NOINDEX in html
    assert '<link rel="stylesheet" href="/static/css/site.css">' in html
    assert '<main id="main">' in html and 'class="wrap page-body narrow"' in html
    assert 'rel="canonical"' not in html


# Header links


def header(html):
    return re.search(r'<header class="site-header">.*?</header>', html, re.S).group(0)


def test_anonymous_header_offers_login_and_signup_and_is_the_same_for_everyone(article):
    first, second = Client(), Client()
    html = first.get(article.url).content.decode()
    head = header(html)
    assert f'href="/accounts/login/?next={article.url}">Log in</a>' in head
    assert f'href="/accounts/signup/?next={article.url}">Sign up</a>' in head
    assert "Log out" not in head and "csrfmiddlewaretoken" not in head
    assert head == header(second.get(article.url).content.decode())


def test_logged_in_header_offers_account_and_a_logout_form(client, article):
    client.force_login(make_account(display_name="Ann"))
    head = header(client.get(article.url).content.decode())
    assert 'href="/accounts/profile/">Account</a>' in head
    assert '<form method="post" action="/accounts/logout/">' in head
    assert 'name="csrfmiddlewaretoken"' in head
    assert "Log in" not in head and "Sign up" not in head


def test_signed_out_message_shows_on_the_home_page(client, site_tree):
    client.force_login(make_account())
    response = client.post("/accounts/logout/", follow=True)
    assert "You have signed out." in response.content.decode()


@pytest.mark.parametrize(
    "name", ["Dr. Mimi", "dr. mimi", "  Dr.   Mimi ", "Deleted reader", "Dearly"]
)
def test_readers_cannot_take_the_columnists_or_placeholder_names(name):
    from django.core.exceptions import ValidationError

    from dearly.accounts.forms import clean_display_name

    with pytest.raises(ValidationError, match="belongs to the column"):
        clean_display_name(name)
