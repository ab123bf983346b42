"""A reader follows the column by email in a real browser: the box at the foot of a letter,
the form, the confirmation link from the email, their own page, and one-click unsubscribe;
axe-core and the phone layout on every step."""

import re

from django.core import mail

import pytest
from playwright.sync_api import expect

from dearly.newsletter.models import Subscriber
from dearly.testing import DESKTOP, PHONE, screenshot, serious_axe_violations, visit

pytestmark = pytest.mark.browser


def check_page(page, name):
    assert serious_axe_violations(page) == [], name
    screenshot(page, name, DESKTOP)
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
    screenshot(page, name, PHONE)
    page.set_viewport_size(DESKTOP)


def test_a_reader_subscribes_from_a_letter_confirms_changes_and_leaves(page, site):
    page.set_viewport_size(DESKTOP)
    visit(page, site, "/letters/dear-dr-mimi-poor/")
    box = page.get_by_role("form", name="Get new letters in your inbox").first
    box.get_by_role("textbox").fill("follower@example.com")
    box.get_by_role("button", name="Subscribe").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Get new letters by email")
    expect(page.get_by_label("Your email address")).to_have_value("follower@example.com")
    check_page(page, "subscribe-form")
    page.get_by_label("A weekly digest").check()
    page.locator("main").get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    check_page(page, "subscribe-sent")

    (message,) = mail.outbox
    confirm = re.search(r"https?://\S+/subscribe/confirm/\S+/", message.body)[0]
    page.goto(confirm)
    check_page(page, "subscribe-confirm")
    page.get_by_role("button", name="Yes, subscribe me").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are subscribed")
    assert Subscriber.objects.get().state == "active"

    page.get_by_role("link", name="Change what you get").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your subscription")
    check_page(page, "subscribe-manage")
    page.get_by_label(re.compile("Every letter and guide")).check()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_text("Your choices are saved.")).to_be_visible()
    assert Subscriber.objects.get().frequency == "each"
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")
    check_page(page, "subscribe-unsubscribed")
    assert Subscriber.objects.get().state == "unsubscribed"
