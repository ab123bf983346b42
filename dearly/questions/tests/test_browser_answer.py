"""The editor's side in a real browser: from the letters inbox to a published letter, through
the privacy check, and the writer's status page and email afterwards."""

import re

from django.core import mail

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from dearly.articles.models import LetterPage
from dearly.questions.models import Question
from dearly.testing import DESKTOP, screenshot

pytestmark = pytest.mark.browser

TEXT = (
    "My manager keeps moving my deadlines without telling me. Call me on 020 7946 0958 if "
    "you need more: I work at Acme Widgets Ltd."
)


def test_editor_answers_from_the_inbox_passes_the_privacy_check_and_publishes(
    page, site, django_user_model
):
    token, token_hash = Question.new_token()
    question = Question.objects.create(
        text=TEXT,
        pen_name="Moved Goalposts",
        email="writer@example.com",
        consent=True,
        token_hash=token_hash,
    )
    editor = django_user_model.objects.create_superuser(
        "chief", "chief@example.com", "a long editor passphrase", display_name="Chief"
    )
    EmailAddress.objects.create(user=editor, email=editor.email, primary=True, verified=True)

    page.set_viewport_size(DESKTOP)
    page.goto(f"{site}/accounts/login/?next=/admin/questions/")
    page.get_by_label("Email").fill("chief@example.com")
    page.get_by_label("Password").fill("a long editor passphrase")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/admin/questions/$"))
    page.get_by_role("link", name="Moved Goalposts").click()
    expect(page.get_by_text("writer@example.com")).to_be_visible()  # staff-only detail
    page.get_by_role("button", name="Answer: make a draft letter").click()

    # Wagtail's editor, with the draft prefilled and the privacy check beside it.
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/edit/"))
    expect(page.locator("mark", has_text="020 7946 0958").first).to_be_visible()
    expect(page.locator("mark", has_text="Acme").first).to_be_visible()
    screenshot(page, "editor-privacy-check", DESKTOP)
    answer = page.locator("[data-contentpath='answer'] [contenteditable='true']")
    answer.click()
    page.keyboard.type("Ask for a short weekly check-in where deadlines are agreed in writing.")
    page.locator("#id_pen_name").click()  # leaving the editor lets Draftail save its input
    expect(page.locator("input[name=answer]")).to_have_value(re.compile("weekly check-in"))

    # Signed by the columnist (the demo's letters are Dr. Mimi's), on the main tab.
    expect(page.locator("select[name=author] option:checked")).to_have_text("Dr. Mimi (mimi)")

    def publish():  # the footer's visible button, not one in its menu
        page.get_by_role("button", name="Publish", exact=True).click()

    publish()  # refused without the explicit confirmation
    expect(
        page.get_by_text("The privacy check lists likely identifying details").first
    ).to_be_visible()
    question.refresh_from_db()
    assert question.letter is not None and not question.letter.live

    # Ticking the box is a change: Wagtail autosaves the draft 500 ms later. Publishing while
    # that save is in flight sends the revision it replaced, and Wagtail asks whether to
    # overwrite "a newer version" (seen on a loaded machine); an editor would wait for it too.
    with page.expect_response(
        lambda r: r.request.method == "POST" and "/edit/" in r.url, timeout=30_000
    ):
        page.get_by_label("I have checked this letter for identifying details").check()
    publish()
    expect(page.get_by_text(re.compile("has been published")).first).to_be_visible()
    letter = LetterPage.objects.get(pk=question.letter.pk)
    for _ in range(50):  # the server's transaction may still be committing
        if letter.live:
            break
        page.wait_for_timeout(200)
        letter.refresh_from_db()
    question.refresh_from_db()
    assert letter.live and question.status == Question.Status.PUBLISHED
    assert letter.author.username == "mimi"

    # The writer's status page links to the letter, and their outbox has the news.
    page.goto(f"{site}/ask/status/{token}/")
    expect(page.get_by_role("link", name=letter.title)).to_be_visible()
    to_writer = [m for m in mail.outbox if m.to == ["writer@example.com"]]
    assert to_writer and "answered" in to_writer[-1].subject
    assert letter.url in to_writer[-1].body
