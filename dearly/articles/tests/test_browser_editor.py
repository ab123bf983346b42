"""The guide editor in a real browser, as a WordPress or Ghost user expects it: author, topics,
tags and image on the main tab, Publish as the visible button, Save draft one click away."""

import re

import pytest
from playwright.sync_api import expect

from dearly.articles.models import ArticleIndexPage, ArticlePage
from dearly.testing import (
    DESKTOP,
    PHONE,
    admin_overflow,
    admin_screenshot,
    log_in_to_the_admin,
)

pytestmark = pytest.mark.browser


def test_write_and_publish_a_guide_from_the_main_tab(page, site, django_user_model):
    password = "a long editor passphrase"
    editor = django_user_model.objects.create_superuser(
        "chief", "chief@example.com", password, display_name="Chief"
    )
    log_in_to_the_admin(page, site, editor, password)
    guides = ArticleIndexPage.objects.get()
    add = f"{site}/admin/pages/add/articles/articlepage/{guides.pk}/"

    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        page.goto(add)
        byline = page.get_by_role("region", name="Author, topics and image")
        expect(byline.locator("select[name=author] option:checked")).to_have_text(
            "Chief (chief)"
        )  # a new guide is signed by whoever writes it
        expect(byline.get_by_role("checkbox", name="Career")).to_be_visible()
        expect(byline.get_by_role("button", name="Choose an image")).to_be_visible()
        byline.scroll_into_view_if_needed()
        admin_screenshot(page, "admin-editor-new-guide", size)
        # Wagtail's own buttons to comment on a field stick out on a phone, on every field.
        stock = ".w-field__comment-button"
        assert admin_overflow(page, f"#{byline.get_attribute('id')}", stock) == []
        # Publish is the footer's own button; Save draft waits behind the toggle beside it.
        expect(page.get_by_role("button", name="Publish", exact=True)).to_be_visible()
        expect(page.get_by_role("button", name="Save draft")).to_be_hidden()

    page.locator("#id_title").fill("Asking for a day off")
    page.locator("#id_intro").fill("Plan it, ask early, offer cover.")
    page.get_by_role("region", name="Author, topics and image").get_by_role(
        "checkbox", name="Career"
    ).check()
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Save draft").click()
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/edit/$"))
    expect(page.get_by_text(re.compile("created")).first).to_be_visible()
    guide = ArticlePage.objects.get(title="Asking for a day off")
    assert not guide.live

    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_text(re.compile("has been published")).first).to_be_visible()
    for _ in range(50):  # the server's transaction may still be committing
        guide.refresh_from_db()
        if guide.live:
            break
        page.wait_for_timeout(200)
    assert guide.live and guide.author == editor
    assert [topic.name for topic in guide.topics.all()] == ["Career"]
