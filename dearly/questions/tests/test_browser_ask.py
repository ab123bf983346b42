"""A reader asks Dr. Mimi in a real browser: similar letters while typing, the preview, the
status page and the receipt; axe-core and the phone layout on every step."""

import re

from django.core import mail

import pytest
from playwright.sync_api import expect

from dearly.questions.models import Question
from dearly.testing import DESKTOP, PHONE, screenshot, serious_axe_violations, visit

pytestmark = pytest.mark.browser

QUESTION = (
    "I never finished my accounting degree and the tuition is too much for my salary. "
    "Could my employer pay for it?\n\nI have been here four years and I do not want them to "
    "think I am leaving."
)


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def check_page(page, name):
    """axe-core clean at desktop width, and no sideways scrolling at 375 px."""
    assert serious_axe_violations(page) == [], name
    screenshot(page, name, DESKTOP)
    page.set_viewport_size(PHONE)
    assert no_horizontal_scroll(page), name
    screenshot(page, name, PHONE)
    page.set_viewport_size(DESKTOP)


def test_a_reader_asks_sees_similar_letters_previews_sends_and_gets_the_receipt(page, site):
    page.set_viewport_size(DESKTOP)
    visit(page, site, "/")
    page.get_by_role("link", name="Ask Dr. Mimi").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask Dr. Mimi")
    similar = page.locator("#ask-similar-results")
    expect(page.get_by_role("heading", name="Has this been answered already?")).to_be_visible()
    check_page(page, "ask-form")

    # Similar letters appear while the reader types (ask.js), in the live region.
    page.get_by_label("Your question").press_sequentially(QUESTION[:120], delay=5)
    expect(similar.get_by_role("link", name=re.compile("Dear Dr. Mimi – Poor"))).to_be_visible()
    expect(similar).to_have_attribute("aria-live", "polite")
    page.get_by_label("Your question").fill(QUESTION)
    page.get_by_label("Pen name").fill("Still Studying")
    page.get_by_label("Your email (optional)").fill("student@example.com")
    page.get_by_label(re.compile("Dr. Mimi may publish my letter")).check()
    screenshot(page, "ask-form-filled", DESKTOP)
    page.get_by_role("button", name="Continue").click()

    # The preview: the letter as it would read, the similar letters, Send and Edit.
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your letter")
    letter = page.get_by_role("region", name="Your letter")
    expect(letter).to_contain_text("Dear Dr. Mimi,")
    expect(letter).to_contain_text("—Still Studying")
    expect(letter.locator("p")).to_have_count(4)  # greeting, two paragraphs, sign-off
    expect(
        page.locator(".similar-list").get_by_role("link", name=re.compile("Poor"))
    ).to_be_visible()
    check_page(page, "ask-preview")

    # Edit goes back to the form with everything kept; the similar letters show at once.
    page.get_by_role("button", name="Edit").click()
    expect(page.get_by_label("Your question")).to_have_value(re.compile(r"^I never finished"))
    expect(page.get_by_label("Pen name")).to_have_value("Still Studying")
    expect(similar.get_by_role("link", name=re.compile("Dear Dr. Mimi – Poor"))).to_be_visible()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Send my letter").dblclick()  # an impatient double click

    # The status page, with the thank-you note and the private link.
    expect(page).to_have_url(re.compile(r"/ask/status/[A-Za-z0-9_-]{32}/$"))
    expect(page.get_by_text("Thank you. Your letter is on its way to Dr. Mimi.")).to_be_visible()
    expect(page.locator(".ask-url")).to_have_text(page.url)
    expect(page.locator("[aria-current=step]")).to_contain_text("Received")
    check_page(page, "ask-status")

    question = Question.objects.get(pen_name="Still Studying")  # the demo has one of its own
    assert question.text == QUESTION and question.pen_name == "Still Studying"
    [receipt] = [m for m in mail.outbox if m.to == ["student@example.com"]]
    assert page.url.replace(site, "") in receipt.body


def test_withdrawing_in_the_browser(page, site):
    page.set_viewport_size(DESKTOP)
    token, token_hash = Question.new_token()
    Question.objects.create(
        text="A question long enough to be a letter.",
        pen_name="Shy",
        token_hash=token_hash,
        consent=True,
    )
    visit(page, site, f"/ask/status/{token}/")
    page.get_by_role("link", name="Withdraw my question").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Withdraw your letter?")
    check_page(page, "ask-withdraw")
    page.get_by_role("button", name="Yes, withdraw and delete it").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your letter has been withdrawn")
    assert not Question.objects.filter(pen_name="Shy").exists()
    response = page.goto(f"{site}/ask/status/{token}/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("We could not find this letter")
    check_page(page, "ask-status-not-found")


def test_the_status_page_sends_no_token_onward_and_its_forms_still_work(page, site):
    """The Referer of anything the status page leads to carries no token, and a logged-in
    reader can still log out from it (a POST that Django's CSRF check would refuse under
    Referrer-Policy: no-referrer, which makes Chromium send Origin: null)."""
    from django.contrib.auth import get_user_model

    from allauth.account.models import EmailAddress

    from dearly.articles.models import LetterPage

    page.set_viewport_size(DESKTOP)
    user = get_user_model().objects.create_user(
        "zed", email="zed@example.com", password="a long passphrase 1"
    )
    EmailAddress.objects.create(user=user, email="zed@example.com", primary=True, verified=True)
    page.goto(f"{site}/accounts/login/")
    page.get_by_label("Email").fill("zed@example.com")
    page.get_by_label("Password").fill("a long passphrase 1")
    page.get_by_role("button", name="Log in").click()
    letter = LetterPage.objects.published().get(slug="dear-dr-mimi-poor")
    token, token_hash = Question.new_token()
    Question.objects.create(
        text="A question long enough to be a letter.",
        pen_name="Zed",
        token_hash=token_hash,
        consent=True,
        status=Question.Status.PUBLISHED,
        letter=letter,
    )
    visit(page, site, f"/ask/status/{token}/")
    with page.expect_request(lambda r: r.url.endswith(letter.url)) as opened:
        page.get_by_role("link", name=re.compile("Read the answer")).click()
    referer = opened.value.headers.get("referer", "")
    assert token not in referer and "/ask/" not in referer

    visit(page, site, f"/ask/status/{token}/")
    with page.expect_response(lambda r: "/accounts/logout/" in r.url) as logged_out:
        page.get_by_role("button", name="Log out").click()
    assert logged_out.value.status in (200, 302)
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
