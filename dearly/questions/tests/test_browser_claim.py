"""A letter writer claims their published letter in a real browser: from the status page to the
login and back, the confirmation, a comment with the "Letter writer" badge; then drops the
claim from the profile page. axe-core on each step; the badge at a phone's width."""

import re

import pytest
from playwright.sync_api import expect

from dearly.accounts.tests.helpers import PASSWORD, make_account
from dearly.articles.models import LetterPage
from dearly.questions.models import Question
from dearly.testing import DESKTOP, PHONE, screenshot, serious_axe_violations, visit

pytestmark = pytest.mark.browser


def test_a_writer_claims_their_letter_comments_with_the_badge_and_drops_it(page, site):
    letter = LetterPage.objects.get(slug="dear-dr-mimi-poor")
    token, token_hash = Question.new_token()
    Question.objects.create(
        text="A letter.", pen_name="Poor", status="published", letter=letter, token_hash=token_hash
    )
    writer = make_account(display_name="Poor at last", email="poor.writer@example.com")

    page.set_viewport_size(DESKTOP)
    visit(page, site, f"/ask/status/{token}/")
    expect(page.get_by_role("heading", name="Comment as the letter writer")).to_be_visible()
    page.get_by_role("link", name="Claim my letter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Claim your letter")
    assert serious_axe_violations(page) == []
    page.locator("#main").get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill(writer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # Back on the claim page, logged in: one button claims it.
    expect(page).to_have_url(re.compile(rf"/ask/status/{token}/claim/$"))
    expect(page.locator("#main form")).to_contain_text("You are logged in as Poor at last.")
    page.get_by_role("button", name="Claim my letter for this account").click()
    expect(page).to_have_url(re.compile(re.escape(letter.url) + "#respond$"))
    expect(page.get_by_text("Your letter is claimed.")).to_be_visible()

    page.get_by_role("textbox", name=re.compile("^Comment")).fill(
        "It is really me. Thank you all for the kind advice."
    )
    page.get_by_role("button", name="Post Comment").click()
    # Their first comment waits for a moderator; they see it, with the badge.
    mine = page.get_by_role("article", name="Comment by Poor at last, verified letter writer")
    expect(mine).to_contain_text("Your comment is awaiting moderation.")
    expect(mine.locator(".comment-badge")).to_be_visible()
    assert "poor.writer@example.com" not in page.content()
    assert serious_axe_violations(page) == []
    mine.scroll_into_view_if_needed()
    page.set_viewport_size(PHONE)
    expect(mine.locator(".comment-badge")).to_be_visible()
    screenshot(page, "letter-writer-badge", PHONE)
    page.set_viewport_size(DESKTOP)

    # The profile page lists the claim; dropping it takes the badge away at once.
    visit(page, site, "/accounts/profile/")
    expect(page.get_by_role("heading", name="Your letters")).to_be_visible()
    assert serious_axe_violations(page) == []
    page.get_by_role("button", name=re.compile("Drop the claim")).click()
    expect(page.get_by_text("The claim was dropped.")).to_be_visible()
    visit(page, site, letter.url)
    expect(page.get_by_role("article", name="Comment by Poor at last")).to_be_visible()
    expect(page.locator(".comment-badge")).to_have_count(0)
