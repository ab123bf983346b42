"""Account pages in a real browser: accessibility (axe-core), HTML validity, the phone layout,
and the way back to the comment form after logging in. Same tools and skips as
dearly/core/tests/test_browser.py."""

import json
import pathlib
import shutil
import subprocess
import tempfile

import pytest
from playwright.sync_api import expect

from dearly.testing import (
    DESKTOP,
    PHONE,
    VNU_JAR,
    screenshot,
    serious_axe_violations,
    visit,
)

from .helpers import PASSWORD, make_account

pytestmark = pytest.mark.browser
# Without the plugin (`-p no:playwright`) there is no `page` fixture: skip, do not error.
needs_playwright = pytest.mark.skipif(
    "not config.pluginmanager.has_plugin('playwright')", reason="Playwright plugin disabled"
)

ARTICLE = "/guides/when-you-are-turned-down/"
ANONYMOUS_PAGES = {
    "login": "/accounts/login/",
    "signup": "/accounts/signup/",
    "password-reset": "/accounts/password/reset/",
}
READER_PAGES = {
    "profile": "/accounts/profile/",
    "delete": "/accounts/delete/",
    "email": "/accounts/email/",
    "password-change": "/accounts/password/change/",
}


def log_in(page, site, user):
    visit(page, site, "/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def signup_with_mistakes(page, site):
    """A filled form the server refuses: errors next to the fields, announced as alerts."""
    visit(page, site, "/accounts/signup/")
    page.get_by_label("Display name").fill("me@example.com")
    page.get_by_label("Email").fill("new@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD + "x")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_load_state()


@needs_playwright
def test_account_pages_have_no_serious_axe_violations(page, site):
    page.set_viewport_size(DESKTOP)
    problems = {}

    def check(name):
        screenshot(page, f"account-{name}", DESKTOP)
        found = serious_axe_violations(page)
        if found:
            problems[name] = found

    for name, path in ANONYMOUS_PAGES.items():
        visit(page, site, path)
        check(name)
    signup_with_mistakes(page, site)
    expect(page.get_by_role("alert").first).to_be_visible()
    check("signup-errors")

    log_in(page, site, make_account(display_name="Browser Reader"))
    for name, path in READER_PAGES.items():
        visit(page, site, path)
        check(name)
    assert not problems, json.dumps(problems, indent=2)


@needs_playwright
def test_account_pages_fit_a_phone(page, site):
    page.set_viewport_size(PHONE)
    too_wide = {}

    def measure(name):
        screenshot(page, f"account-{name}", PHONE)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[name] = width

    for name, path in ANONYMOUS_PAGES.items():
        visit(page, site, path)
        measure(name)
    signup_with_mistakes(page, site)
    measure("signup-errors")
    log_in(page, site, make_account())
    for name, path in READER_PAGES.items():
        visit(page, site, path)
        measure(name)
    assert not too_wide, f"pages scroll sideways at {PHONE['width']} px: {too_wide}"


@needs_playwright
def test_reader_logs_in_from_the_comment_area_and_lands_on_the_form(page, site):
    reader = make_account(display_name="Returning Reader")
    page.set_viewport_size(DESKTOP)
    visit(page, site, ARTICLE)
    page.locator("#respond").get_by_role("link", name="logged in").click()
    page.get_by_label("Email").fill(reader.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(site + ARTICLE + "#respond")
    box = page.get_by_role("textbox", name="Comment (posting as Returning Reader)")
    expect(box).to_be_visible()
    expect(box).to_be_in_viewport()
    expect(page.get_by_role("navigation", name="Your account")).to_contain_text("Log out")

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(site + "/")
    expect(page.get_by_role("status")).to_contain_text("You have signed out.")
    expect(page.get_by_role("navigation", name="Your account")).to_contain_text("Log in")


def test_account_pages_are_valid_html(client, db):
    if not shutil.which("java"):
        pytest.skip("java not found (apt-get install openjdk-17-jre-headless)")
    if not VNU_JAR.exists():
        pytest.skip(f"Nu Html Checker not installed ({VNU_JAR} missing; run npm ci)")
    pages = {f"{name}.html": client.get(path) for name, path in ANONYMOUS_PAGES.items()}
    pages["signup-errors.html"] = client.post(
        "/accounts/signup/",
        {"display_name": "", "email": "x", "password1": "1", "password2": "2"},
    )
    pages["login-errors.html"] = client.post(
        "/accounts/login/", {"login": "nobody@example.com", "password": "wrong"}
    )
    client.force_login(make_account())
    pages.update({f"{name}.html": client.get(path) for name, path in READER_PAGES.items()})
    client.force_login(make_account(is_staff=True))
    pages["delete-refused.html"] = client.get("/accounts/delete/")
    pages["mfa.html"] = client.get("/accounts/2fa/")
    with tempfile.TemporaryDirectory() as tmp:
        for name, response in pages.items():
            assert response.status_code in (200, 403), f"{name}: {response.status_code}"
            (pathlib.Path(tmp) / name).write_bytes(response.content)
        run = subprocess.run(
            [
                *["java", "-jar", str(VNU_JAR), "--format", "json", "--stdout"],
                *["--errors-only", "--exit-zero-always", tmp],
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    errors = [
        f"{m.get('url', '').rsplit('/', 1)[-1]}:{m.get('lastLine')}: {m['message']}"
        f" [{m.get('extract', '').strip()}]"
        for m in json.loads(run.stdout)["messages"]
        if m["type"] in ("error", "non-document-error")
    ]
    assert not errors, "\n".join(errors)
