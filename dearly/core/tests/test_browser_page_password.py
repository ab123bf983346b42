"""The password prompt of a private page in a real browser: the site's layout at phone and
desktop width, axe-core, a wrong password's error, then the page. Screenshots land in
test-results/screenshots/ (page-password-*.png). Same tools and skips as test_browser.py."""

import json

from wagtail.models import Page

import pytest
from playwright.sync_api import expect

from dearly.testing import DESKTOP, PHONE, screenshot, serious_axe_violations, visit

from .helpers import PAGE_PASSWORD, make_password_protected_page

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_password_prompt_in_the_site_layout_then_the_page(page, site, size):
    private, _ = make_password_protected_page(Page.objects.get(slug="guides"))
    page.set_viewport_size(size)
    visit(page, site, private.url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Password required")
    expect(page.locator(".site-header")).to_be_visible()
    screenshot(page, "page-password", size)
    problems = {"prompt": serious_axe_violations(page)}

    page.get_by_label("Password").fill("not it")
    page.get_by_role("button", name="Open").click()
    expect(page.get_by_role("alert")).to_contain_text("password you have entered is not correct")
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "page-password-wrong", size)
    problems["wrong password"] = serious_axe_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    assert not any(problems.values()), json.dumps(problems, indent=2)

    page.get_by_label("Password").fill(PAGE_PASSWORD)
    page.get_by_role("button", name="Open").click()
    expect(page).to_have_url(site + private.url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Members only")
