"""The Content-Security-Policy in Chromium: the public pages, a letter with its comments for a
logged-in editor (comment form and Wagtail's user bar), /ask/ with its similar-letters script,
and the admin, all without a single CSP violation, and their JavaScript still working."""

import re

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from dearly.articles.models import LetterPage
from dearly.testing import DESKTOP, visit

pytestmark = pytest.mark.browser

# Runs before any page script (outside the page's CSP): keeps every violation the page reports.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(
    `${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`
  );
});
"""


class Violations:
    """CSP violations seen by a page: securitypolicyviolation events and console reports."""

    def __init__(self, page):
        self.page, self.console = page, []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.console.append(message.text)

    def after(self, what):
        found = self.console + self.page.evaluate("window.__cspViolations || []")
        self.console = []
        assert not found, f"{what}: {found}"


def test_no_csp_violations_and_the_scripts_still_work(page, site, django_user_model):
    page.set_viewport_size(DESKTOP)
    csp = Violations(page)

    response = visit(page, site, "/")
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    csp.after("home")
    visit(page, site, "/guides/when-you-are-turned-down/")
    expect(page.locator(".step-list > li")).to_have_count(6)
    csp.after("article")

    # /ask/: ask.js runs under the strict policy and fetches similar letters as the reader types.
    visit(page, site, "/ask/")
    page.get_by_label("Your question").press_sequentially(
        "I am poor and my salary is too low to pay for my degree. Can my employer help?",
        delay=5,
    )
    similar = page.locator("#ask-similar-results")
    expect(similar.get_by_role("link", name=re.compile("Dear Dr. Mimi"))).not_to_have_count(0)
    csp.after("ask")

    # A letter with comments, logged in as an editor: the comment form and the user bar.
    editor = django_user_model.objects.create_superuser(
        "chief", "chief@example.com", "a long editor passphrase", display_name="Chief"
    )
    EmailAddress.objects.create(user=editor, email=editor.email, primary=True, verified=True)
    page.goto(f"{site}/accounts/login/")
    page.get_by_label("Email").fill(editor.email)
    page.get_by_label("Password").fill("a long editor passphrase")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    csp.after("login")

    visit(page, site, "/letters/dear-dr-mimi-poor/")
    expect(page.get_by_role("heading", name="Leave a Reply")).to_be_visible()
    expect(page.get_by_role("textbox", name=re.compile("^Comment"))).to_be_visible()
    expect(page.locator(".comment").first).to_be_visible()
    page.locator("[data-wagtail-userbar-trigger]").click()  # in the user bar's shadow DOM
    expect(page.get_by_role("menuitem", name=re.compile("Edit this page"))).to_be_visible()
    csp.after("letter (logged in)")

    # The admin's own (looser) policy: the dashboard and the page editor still run.
    response = visit(page, site, "/admin/")
    assert "frame-ancestors 'self'" in response.headers["content-security-policy"]
    expect(page.locator("[data-wagtail-sidebar] a, #wagtail-sidebar a").first).to_be_visible()
    csp.after("admin dashboard")
    letter = LetterPage.objects.get(slug="dear-dr-mimi-poor")
    visit(page, site, f"/admin/pages/{letter.pk}/edit/")
    expect(page.locator(".Draftail-Editor").first).to_be_visible()
    csp.after("admin page editor")
