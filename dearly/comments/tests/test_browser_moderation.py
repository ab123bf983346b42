"""Moderation in a real browser, on a phone and a desktop: the queue's cards fit the screen,
Approve is one click, a reply shows what it answers, and a ban asks first. The dashboard says
what waits."""

import re

import pytest
from playwright.sync_api import expect

from dearly.articles.models import ArticlePage
from dearly.comments.models import Comment
from dearly.testing import (
    DESKTOP,
    PHONE,
    admin_overflow,
    admin_screenshot,
    log_in_to_the_admin,
    serious_axe_violations,
)

from .helpers import make_comment, make_reader

pytestmark = pytest.mark.browser

LONG_URL = "https://example.com/" + "a-very-long-path-segment-" * 8


def test_moderate_on_a_phone_and_a_desktop(page, site):
    guide = ArticlePage.objects.get(slug="when-you-are-turned-down")
    pat = make_reader("pat", display_name="Pat")
    vic = make_reader("vic", display_name="Vic")
    question = make_comment(guide, pat, "Does step two work when the manager never answers?")
    reply = make_comment(
        guide,
        vic,
        f"It never works, and here is my site about it: {LONG_URL}",
        status="pending",
        parent=question,
    )
    chief = make_reader("chief", email="chief@example.com", is_staff=True, is_superuser=True)
    log_in_to_the_admin(page, site, chief, "pw")

    # The dashboard: what waits, at both widths.
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        page.goto(f"{site}/admin/")
        panel = page.get_by_role("region", name="Waiting for you")
        expect(
            panel.get_by_role("link", name=re.compile(r"Comments awaiting moderation: \d+"))
        ).to_be_visible()
        newest = panel.get_by_role("link", name=re.compile("^Vic on “When You Are Turned Down"))
        expect(newest).to_be_visible()
        admin_screenshot(page, "admin-dashboard", size)
        assert admin_overflow(page) == []

    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        page.goto(f"{site}/admin/comments/?state=all")
        row = page.locator(f"#moderate-{reply.pk}")
        expect(row).to_contain_text("In reply to Pat:")
        expect(row).to_contain_text("Does step two work when the manager never answers?")
        expect(row.get_by_role("button", name=f"Approve comment {reply.pk}")).to_be_visible()
        admin_screenshot(page, "admin-moderation", size)
        assert admin_overflow(page) == []
        box = row.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"]
        assert serious_axe_violations(page) == []

    # One click approves, on the phone.
    page.set_viewport_size(PHONE)
    page.goto(f"{site}/admin/comments/")
    page.get_by_role("button", name=f"Approve comment {reply.pk}").click()
    expect(page.get_by_text("Approved: the comment by Vic.")).to_be_visible()
    reply.refresh_from_db()
    assert reply.status == Comment.Status.APPROVED

    # A ban asks first; Cancel leaves Vic alone, the red button bans.
    page.goto(f"{site}/admin/comments/?state=all")
    row = page.locator(f"#moderate-{reply.pk}")
    row.get_by_role("link", name=re.compile("Ban from commenting")).click()
    expect(page.get_by_role("heading", name="Ban Vic from commenting?")).to_be_visible()
    admin_screenshot(page, "admin-ban-confirmation", PHONE)
    assert admin_overflow(page) == []
    page.get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(re.compile(r"/admin/comments/\?state=all$"))
    vic.refresh_from_db()
    assert not vic.banned_from_commenting
    row.get_by_role("link", name=re.compile("Ban from commenting")).click()
    page.get_by_role("button", name="Ban Vic from commenting").click()
    expect(page.get_by_text("Vic may no longer comment.")).to_be_visible()
    vic.refresh_from_db()
    assert vic.banned_from_commenting
