"""The whole conversation in a real browser: sign up, verify, comment, moderate, reply."""

import re

from django.core import mail

import pytest
from playwright.sync_api import expect

from dearly.comments.models import Comment
from dearly.testing import DESKTOP, PHONE, screenshot, serious_axe_violations

from .helpers import make_comment, make_reader

pytestmark = pytest.mark.browser

ARTICLE = "/guides/when-you-are-turned-down/"


def log_in(page, site, email, password):
    page.goto(f"{site}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_sign_up_comment_moderate_and_reply(page, site, browser):
    page.set_viewport_size(DESKTOP)
    page.goto(site + ARTICLE)
    expect(page.get_by_role("heading", name="Leave a Reply")).to_be_visible()
    page.get_by_role("link", name="logged in").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))

    # Sign up (the login page links to it and keeps ?next=).
    page.locator("main").get_by_role("link", name=re.compile("sign up", re.I)).first.click()
    page.locator("input[name=display_name]").fill("Fern")
    page.locator("main input[name=email]").fill("fern@example.com")
    page.locator("input[name=password1]").fill("a long and lovely passphrase")
    page.locator("input[name=password2]").fill("a long and lovely passphrase")
    page.locator("form").get_by_role("button", name=re.compile("sign up", re.I)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")

    # The verification email, as the outbox has it; confirming logs in and returns to #respond.
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_role("button", name=re.compile("confirm", re.I)).click()
    expect(page).to_have_url(re.compile(re.escape(ARTICLE) + r"(#respond)?$"))

    # First comment: held, visible to its author only.
    page.get_by_role("textbox", name=re.compile("^Comment")).fill(
        "Thank you, step two is what I needed."
    )
    page.get_by_role("button", name="Post Comment").click()
    expect(page.get_by_text("Your comment is awaiting moderation.").first).to_be_visible()
    screenshot(page, "comment-pending", DESKTOP)
    assert serious_axe_violations(page) == []
    fern_comment = Comment.objects.get(author__email="fern@example.com")
    assert fern_comment.status == "pending"

    # A moderator approves it in the editor.
    make_reader("gail", email="gail@example.com", is_staff=True, is_superuser=True)
    staff = browser.new_context(viewport=DESKTOP).new_page()
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(
        user_id=Comment.objects.model.author.field.related_model.objects.get(username="gail").pk,
        email="gail@example.com",
        primary=True,
        verified=True,
    )
    log_in(staff, site, "gail@example.com", "pw")
    staff.goto(f"{site}/admin/comments/")
    staff.get_by_label(f"Select comment {fern_comment.pk}").check()
    staff.get_by_label("With the selected comments:").select_option("approve")
    staff.get_by_role("button", name="Apply").click()
    expect(staff.get_by_text("Approve: 1 comment.")).to_be_visible()
    fern_comment.refresh_from_db()
    assert fern_comment.status == "approved"

    # Another reader replies; Fern gets an email about it.
    hal = make_reader("hal", email="hal@example.com", display_name="Hal")
    EmailAddress.objects.create(user=hal, email=hal.email, primary=True, verified=True)
    make_comment(fern_comment.page, hal, "An earlier comment of Hal's")
    other = browser.new_context(viewport=PHONE).new_page()
    log_in(other, site, "hal@example.com", "pw")
    other.goto(site + ARTICLE)
    other.locator(f"#comment-{fern_comment.pk}").get_by_role("link", name="Reply").click()
    expect(other.get_by_text("Replying to Fern")).to_be_visible()
    other.get_by_role("textbox", name=re.compile("^Comment")).fill(
        "Same here, Fern. It worked for me too."
    )
    other.get_by_role("button", name="Post Comment").click()
    reply = Comment.objects.get(author=hal, parent=fern_comment)
    expect(other.locator(f"#comment-{reply.pk}")).to_contain_text("It worked for me too.")
    screenshot(other, "comment-thread", PHONE)
    assert other.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    to_fern = [m for m in mail.outbox if m.to == ["fern@example.com"]]
    assert to_fern and "Hal replied" in to_fern[-1].subject
