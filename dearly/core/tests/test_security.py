"""Hardening: production settings, security headers and the Content-Security-Policy, the admin's
network allow-list, login and password-reset rate limits, and the error pages (DEBUG off)."""

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser

from django.conf import settings
from django.core import mail
from django.template import loader
from django.test import Client

import pytest

from dearly.accounts.tests.helpers import PASSWORD, make_account
from dearly.core.security import client_ip, parse_networks
from dearly.testing import REPO, make_article, make_letter

pytestmark = pytest.mark.django_db

SITE_DESIGN = ('class="site-header"', "css/site.css")


def in_site_design(html):
    return all(marker in html for marker in SITE_DESIGN)


def run_manage(*args, **env):
    """manage.py in a fresh process with the given environment (settings are read at start)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env(tmp_path, **extra):
    return {
        "DJANGO_SETTINGS_MODULE": "dearly.settings.production",
        "SECRET_KEY": "x7Gq2-not-a-real-key-but-long-and-random-enough-9fK3pLw0zR5tYb8nM1vC",
        "ALLOWED_HOSTS": "advice.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path}/check.sqlite3",
        "SITE_URL": "https://advice.example.com",
        "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.com:587",
        **extra,
    }


# Production settings


@pytest.mark.servers
def test_production_settings_pass_the_deploy_check_without_warnings(tmp_path):
    env = production_env(tmp_path, TRUSTED_PROXY_COUNT="1", ADMIN_ALLOWED_NETWORKS="10.0.0.0/8")
    run = run_manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no issues" in run.stdout


def production_settings(tmp_path, **extra):
    """Import the production settings module in a fresh process; its values as a dict."""
    code = (
        "import json, dearly.settings.production as s; "
        "print(json.dumps({k: v for k, v in vars(s).items() if k.isupper()}, default=str))"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={**base, **production_env(tmp_path, **extra)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return run, (json.loads(run.stdout) if run.returncode == 0 else None)


@pytest.mark.servers
def test_forwarded_proto_is_believed_only_behind_a_declared_proxy(tmp_path):
    run, values = production_settings(tmp_path)
    assert run.returncode == 0, run.stderr
    assert values.get("SECURE_PROXY_SSL_HEADER") is None
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SECURE_HSTS_PRELOAD"] and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["ADMIN_ALLOWED_NETWORKS"] == []

    _, proxied = production_settings(
        tmp_path,
        TRUSTED_PROXY_COUNT="1",
        SECURE_HSTS_PRELOAD="0",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="0",
        ADMIN_ALLOWED_NETWORKS=" 10.0.0.0/8 , 2001:db8::/32",
    )
    assert proxied["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert proxied["ALLAUTH_TRUSTED_PROXY_COUNT"] == 1
    assert not proxied["SECURE_HSTS_PRELOAD"] and not proxied["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert proxied["ADMIN_ALLOWED_NETWORKS"] == ["10.0.0.0/8", "2001:db8::/32"]


@pytest.mark.servers
@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("ADMIN_ALLOWED_NETWORKS", "10.0.0.0/8,10.0.0.0/33", "'10.0.0.0/33' is not an IP network"),
        ("ADMIN_ALLOWED_NETWORKS", "office", "'office' is not an IP network"),
        ("TRUSTED_PROXY_COUNT", "yes", "TRUSTED_PROXY_COUNT must be a whole number"),
    ],
)
def test_a_malformed_network_setting_stops_the_start_with_a_clear_reason(
    tmp_path, name, value, message
):
    run, _ = production_settings(tmp_path, **{name: value})
    assert run.returncode != 0
    assert "ImproperlyConfigured" in run.stderr and message in run.stderr


# Headers and the Content-Security-Policy


def policy(response):
    parts = [part.split() for part in response["Content-Security-Policy"].split(";")]
    return {part[0]: part[1:] for part in parts if part}


def test_public_pages_send_a_strict_policy_and_the_security_headers(client, site_tree):
    response = client.get("/")
    assert response.status_code == 200
    csp = policy(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_media_on_another_origin_is_allowed_where_images_load(settings, client, site_tree):
    settings.MEDIA_URL = "https://dearly-media.s3.example.com/media/"
    csp = policy(client.get("/"))
    assert csp["img-src"] == ["'self'", "data:", "https://dearly-media.s3.example.com"]
    assert csp["script-src"] == ["'self'"]


def test_the_admin_gets_its_own_looser_policy(client):
    client.force_login(make_account(is_staff=True, is_superuser=True))
    response = client.get("/admin/")
    assert response.status_code == 200
    csp = policy(response)
    assert "'unsafe-inline'" in csp["script-src"]
    assert csp["frame-ancestors"] == ["'self'"]  # the editor's live preview
    assert csp["object-src"] == ["'none'"]


class InlineCode(HTMLParser):
    """Inline scripts (not JSON data blocks), on*= handlers and style attributes."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        # JSON data blocks (JSON-LD, allauth's settings for its email page) are never run.
        data_block = attrs.get("type") in ("application/ld+json", "application/json")
        if tag == "script" and "src" not in attrs and not data_block:
            self.found.append(f"<script> without src: {attrs}")
        self.found += [f"<{tag} {name}=…>" for name in attrs if name.startswith("on")]
        if "style" in attrs:
            self.found.append(f"<{tag} style=…>")
        if tag == "style":
            self.found.append("<style> element")


@pytest.mark.search_indexes  # the search results are part of what is checked
def test_public_pages_carry_no_inline_code(client, site_tree):
    article = make_article(site_tree["guides"], title="Saying no kindly")
    letter = make_letter(site_tree["letters"])
    problems = {}
    for path in ["/", article.url, letter.url, "/ask/", "/search/?q=kindly", "/accounts/login/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        parser = InlineCode()
        parser.feed(response.content.decode())
        if parser.found:
            problems[path] = parser.found
    assert not problems
    assert b'type="application/ld+json"' in client.get(article.url).content


def test_no_template_or_script_of_ours_has_inline_code():
    """Every template, including the ones the page tests above do not render."""
    problems = {}
    for path in sorted((REPO / "dearly").glob("**/templates/**/*.html")):
        if "email" in path.parent.parts:
            continue  # mail clients drop <style>: emails are styled inline (css-inline)
        parser = InlineCode()
        parser.feed(re.sub(r"{%.*?%}|{{.*?}}", "", path.read_text(), flags=re.S))
        if parser.found:
            problems[str(path.relative_to(REPO))] = parser.found
    for path in sorted((REPO / "dearly" / "static").glob("**/*.js")):
        if re.search(
            r"\beval\(|new Function\(|\.innerHTML\s*=|setAttribute\(\s*[\"']on", path.read_text()
        ):
            problems[str(path.relative_to(REPO))] = ["eval, innerHTML or an on* attribute"]
    assert not problems


def test_error_pages_carry_no_inline_code():
    parser = InlineCode()
    for name in ("500.html", "400.html"):
        parser.feed(loader.get_template(name).render())
    assert parser.found == []


# The admin's network allow-list


@pytest.fixture
def editor():
    return make_account(is_staff=True, is_superuser=True)


def admin_status(editor, **meta):
    client = Client(**meta)
    client.force_login(editor)
    return client.get("/admin/")


def test_admin_answers_from_an_allowed_network_and_refuses_others(settings, editor, site_tree):
    settings.ADMIN_ALLOWED_NETWORKS = ["10.0.0.0/8", "2001:db8::/32"]
    assert admin_status(editor, REMOTE_ADDR="10.1.2.3").status_code == 200
    assert admin_status(editor, REMOTE_ADDR="2001:db8::5").status_code == 200
    assert admin_status(editor, REMOTE_ADDR="::ffff:10.1.2.3").status_code == 200

    refused = admin_status(editor, REMOTE_ADDR="203.0.113.5")
    html = refused.content.decode()
    assert refused.status_code == 403
    assert in_site_design(html) and "only be opened from the column’s own network" in html
    assert "203.0.113.5" not in html
    assert "no-cache" in refused["Cache-Control"]
    assert "Content-Security-Policy" in refused
    # Anonymous visitors are refused too (not sent to the login page), and so is every
    # admin URL, while the public site answers as usual.
    assert Client(REMOTE_ADDR="203.0.113.5").get("/admin/pages/").status_code == 403
    assert Client(REMOTE_ADDR="203.0.113.5").get("/").status_code == 200


def test_a_spoofed_forwarded_for_is_ignored_without_a_trusted_proxy(settings, editor):
    settings.ADMIN_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    settings.TRUSTED_PROXY_COUNT = 0
    spoofed = admin_status(editor, REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="10.1.2.3")
    assert spoofed.status_code == 403


def test_behind_a_trusted_proxy_only_the_address_it_wrote_counts(settings, editor):
    settings.ADMIN_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    assert admin_status(editor, **proxy, HTTP_X_FORWARDED_FOR="10.1.2.3").status_code == 200
    # The client sent its own X-Forwarded-For; the proxy appended the real address.
    spoofed = admin_status(editor, **proxy, HTTP_X_FORWARDED_FOR="10.1.2.3, 203.0.113.5")
    assert spoofed.status_code == 403
    assert admin_status(editor, **proxy).status_code == 403  # did not come through the proxy
    assert admin_status(editor, **proxy, HTTP_X_FORWARDED_FOR="not-an-ip").status_code == 403


def test_client_ip_never_guesses(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 2
    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.1.1.1, 192.0.2.7, 10.0.0.2")
    assert str(client_ip(request)) == "192.0.2.7"
    assert client_ip(rf.get("/", HTTP_X_FORWARDED_FOR="10.0.0.2")) is None
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(rf.get("/", REMOTE_ADDR="")) is None


def test_comments_store_the_address_our_proxy_saw_never_a_spoofed_one(settings, site_tree):
    from dearly.comments.models import Comment
    from dearly.comments.tests.helpers import make_reader

    guide = make_article(site_tree["guides"])
    client = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.4")
    client.force_login(make_reader())
    settings.TRUSTED_PROXY_COUNT = 0
    client.post(f"/comments/post/{guide.pk}/", {"body": "Direct, with a made-up header."})
    settings.TRUSTED_PROXY_COUNT = 1
    client.post(f"/comments/post/{guide.pk}/", {"body": "Through our proxy."})
    stored = dict(Comment.objects.values_list("body", "ip_address"))
    assert stored == {
        "Direct, with a made-up header.": "127.0.0.1",
        "Through our proxy.": "198.51.100.4",
    }


def test_a_malformed_network_in_the_setting_is_refused_when_the_app_loads(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.ADMIN_ALLOWED_NETWORKS = ["10.0.0.0/8", "10.0.0.300/8"]
    with pytest.raises(ImproperlyConfigured, match=r"'10\.0\.0\.300/8' is not an IP network"):
        Client().get("/admin/")
    assert parse_networks(["192.0.2.9/24"])[0].compressed == "192.0.2.0/24"


# Rate limits


def test_hammering_login_gets_a_429_in_the_site_design_and_never_a_500(client, site_tree):
    user = make_account()
    # Credential stuffing: a different address each time, so only the per-IP limits can help.
    pages = [
        client.post("/accounts/login/", {"login": f"guess{i}@example.com", "password": "x"})
        for i in range(32)
    ]
    statuses = [page.status_code for page in pages]
    assert set(statuses) <= {200, 429}
    assert "Too many failed login attempts" in pages[10].content.decode()
    assert statuses[-1] == 429
    limited = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert limited.status_code == 429
    assert in_site_design(limited.content.decode())
    assert "Too many attempts" in limited.content.decode()
    assert "_auth_user_id" not in client.session


def test_hammering_password_reset_is_limited_and_sends_few_emails(client, site_tree):
    user = make_account()
    statuses = [
        client.post("/accounts/password/reset/", {"email": user.email}).status_code
        for _ in range(8)
    ]
    assert set(statuses) <= {200, 302, 429} and statuses[-1] == 429
    assert 1 <= len(mail.outbox) <= 3  # the victim's inbox is not flooded
    limited = client.post("/accounts/password/reset/", {"email": "someone@example.com"})
    assert limited.status_code == 429 and in_site_design(limited.content.decode())


# Error pages, with DEBUG off as in production


def test_debug_is_off_for_these_tests():
    assert settings.DEBUG is False


@pytest.mark.urls("dearly.core.tests.urls_errors")
def test_a_crashing_view_shows_our_500_page_without_details(site_tree):
    response = Client(raise_request_exception=False).get("/test-crash/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in html and in_site_design(html)
    assert "secret-internal-detail" not in html and "Traceback" not in html


def test_the_500_page_needs_no_database_or_context(django_assert_num_queries):
    with django_assert_num_queries(0):
        html = loader.get_template("500.html").render()
    assert "Something went wrong" in html


@pytest.mark.urls("dearly.core.tests.urls_errors")
def test_forbidden_and_suspicious_requests_get_our_403_and_400_pages(client, site_tree):
    forbidden = client.get("/test-forbidden/")
    assert forbidden.status_code == 403 and in_site_design(forbidden.content.decode())
    assert "secret-internal-detail" not in forbidden.content.decode()
    bad = client.get("/test-suspicious/")
    assert bad.status_code == 400 and "Bad request" in bad.content.decode()
    assert "secret-internal-detail" not in bad.content.decode()


def test_an_unknown_host_gets_our_400_page(settings, client, site_tree):
    settings.ALLOWED_HOSTS = ["advice.example.com"]
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()
    assert in_site_design(response.content.decode())


def test_a_missing_page_gets_our_404_page(client, site_tree):
    response = client.get("/no-such-letter/")
    assert response.status_code == 404
    html = response.content.decode()
    assert in_site_design(html) and "Page not found" in html


def test_a_form_without_csrf_token_explains_what_to_do(site_tree):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"login": "a@example.com", "password": "x"})
    html = response.content.decode()
    assert response.status_code == 403
    assert in_site_design(html)
    assert "Your form could not be sent" in html and "reload it" in html
    assert "CSRF verification failed" not in html
