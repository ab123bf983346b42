"""Issue 15's "done when", in a real browser against the live server: a writer sends a letter,
sees it published, sends an update that is published under it, claims the letter, comments
with the "Letter writer" badge and asks for a take-down; the editor handles each step in the
letters inbox. Three browser contexts: the writer, the editor, and a reader who is not logged
in. axe-core, no sideways scrolling at 375 px and no CSP violation on the writer's pages."""

import re

from django.core import mail

import pytest
from playwright.sync_api import expect

from dearly.accounts.tests.helpers import PASSWORD, make_account
from dearly.articles.models import LetterPage, LetterUpdatePage
from dearly.comments.models import Comment
from dearly.comments.tests.helpers import make_comment
from dearly.core.tests.test_browser_csp import Violations
from dearly.questions.models import Question, WriterUpdate
from dearly.testing import (
    DESKTOP,
    PHONE,
    admin_overflow,
    admin_screenshot,
    log_in_to_the_admin,
    screenshot,
    serious_axe_violations,
    visit,
)

pytestmark = pytest.mark.browser

PEN_NAME = "Drummed Awake"
EMAIL = "drummed.awake@example.com"
QUESTION = (
    "My neighbour practises the drums every evening until midnight, and I start work at six. "
    "I have asked politely twice and nothing changed.\n\nHow do I ask a third time without "
    "starting a feud?"
)
ANSWER = "Ask for a quiet hour rather than silence, and put the agreed times in writing."
UPDATE = (
    "I asked for a quiet hour after ten, as you suggested, and offered to tell them when I "
    "was on early shifts. The drums now stop at ten on weekdays, and we wave at each other."
)
WRITER_COMMENT = "It is really me. Thank you all: the quiet hour worked better than I hoped."
UPDATE_COMMENT = "And the drums are still quiet after ten, a month on."


def wait_until(page, check, what):
    """The live server answers before its transaction has always committed: poll the database
    for what the browser was just told."""
    for _ in range(50):
        if check():
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"never happened: {what}")


def mail_to_writer():
    return [message for message in mail.outbox if message.to == [EMAIL]]


def check_writer_page(page, csp, name):
    """A writer's page: no serious axe-core finding and no CSP violation at desktop width, no
    sideways scrolling at 375 px; screenshots at both widths (test-results/screenshots/)."""
    assert serious_axe_violations(page) == [], name
    csp.after(name)
    screenshot(page, name, DESKTOP)
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
    assert serious_axe_violations(page) == [], f"{name} (phone)"
    screenshot(page, name, PHONE)
    page.set_viewport_size(DESKTOP)


def publish_in_the_editor(editor):
    """The page editor's visible Publish button (not the one in its menu). The texts above give
    the privacy check nothing to list, so it publishes at once."""
    expect(editor).to_have_url(re.compile(r"/admin/pages/\d+/edit/"))
    editor.get_by_role("button", name="Publish", exact=True).click()
    expect(editor.get_by_text(re.compile("has been published")).first).to_be_visible()


@pytest.fixture
def new_page(browser):
    """Pages in browser contexts of their own (their own cookies), closed after the test."""
    contexts = []

    def new():
        contexts.append(browser.new_context(viewport=DESKTOP))
        return contexts[-1].new_page()

    yield new
    for context in contexts:
        context.close()


def test_a_writer_goes_from_letter_to_update_badge_and_take_down(new_page, page, site):
    editor_account = make_account(
        display_name="Chief", email="chief@example.com", is_staff=True, is_superuser=True
    )
    writer_account = make_account(display_name="Night Drummer's Neighbour")
    other_reader = make_account(display_name="Pat")
    editor = new_page()
    reader = new_page()  # never logs in
    writer = page
    writer.set_viewport_size(DESKTOP)
    csp = Violations(writer)

    # 1. The writer asks: form, preview, send; the status page and the receipt.
    visit(writer, site, "/ask/")
    writer.get_by_label("Your question").fill(QUESTION)
    writer.get_by_label("Pen name").fill(PEN_NAME)
    writer.get_by_label("Your email (optional)").fill(EMAIL)
    writer.get_by_label(re.compile("Dr. Mimi may publish my letter")).check()
    writer.get_by_role("button", name="Continue").click()
    expect(writer.get_by_role("heading", level=1)).to_have_text("Check your letter")
    writer.get_by_role("button", name="Send my letter").click()
    expect(writer).to_have_url(re.compile(r"/ask/status/[A-Za-z0-9_-]{32}/$"))
    status_url = writer.url
    expect(writer.locator("[aria-current=step]")).to_contain_text("Received")
    csp.after("ask and status")
    [receipt] = mail_to_writer()
    assert status_url.replace(site, "") in receipt.body
    question = Question.objects.get(pen_name=PEN_NAME)

    # 2. The editor finds it in the inbox, answers it and publishes the letter.
    log_in_to_the_admin(editor, site, editor_account, PASSWORD)
    editor.goto(f"{site}/admin/questions/")
    editor.get_by_role("link", name=PEN_NAME).click()
    expect(editor.get_by_text(EMAIL)).to_be_visible()  # staff only
    editor.get_by_role("button", name="Answer: make a draft letter").click()
    expect(editor).to_have_url(re.compile(r"/admin/pages/\d+/edit/"))
    editor.locator("[data-contentpath='answer'] [contenteditable='true']").click()
    editor.keyboard.type(ANSWER)
    editor.locator("#id_pen_name").click()  # leaving Draftail lets it save its input
    expect(editor.locator("input[name=answer]")).to_have_value(re.compile("quiet hour"))
    publish_in_the_editor(editor)
    question.refresh_from_db()
    letter = LetterPage.objects.get(pk=question.letter_id)
    wait_until(writer, lambda: LetterPage.objects.get(pk=letter.pk).live, "the letter is live")
    letter.refresh_from_db()

    writer.goto(status_url)
    expect(writer.locator("[aria-current=step]")).to_contain_text("Published")
    expect(writer.get_by_role("link", name=f"Read the answer: {letter.title}")).to_be_visible()
    wait_until(writer, lambda: len(mail_to_writer()) == 2, "the writer is told")
    assert letter.url in mail_to_writer()[-1].body

    # 3. The writer sends an update from the status page: form, preview, send.
    check_writer_page(writer, csp, "writer-status-published")
    writer.get_by_role("link", name="Send an update").click()
    expect(writer.get_by_role("heading", level=1)).to_have_text("Send an update")
    writer.get_by_label(re.compile("^Your update")).fill(UPDATE)
    writer.get_by_label(re.compile("Dr. Mimi may publish my update")).check()
    check_writer_page(writer, csp, "writer-update-form")
    writer.get_by_role("button", name="Continue").click()
    expect(writer.get_by_role("heading", level=1)).to_have_text("Check your update")
    expect(writer.get_by_role("region", name="Your update")).to_contain_text(f"—{PEN_NAME}")
    check_writer_page(writer, csp, "writer-update-preview")
    writer.get_by_role("button", name="Send my update").click()
    expect(writer).to_have_url(status_url)
    expect(writer.get_by_text(re.compile("Your update is on its way"))).to_be_visible()
    expect(writer.locator(".ask-updates")).to_contain_text("with Dr. Mimi")

    # The editor sees it beside the letter, answers it and publishes the update.
    editor.goto(f"{site}/admin/questions/")
    expect(editor.get_by_text(re.compile(r"\d+ new updates? from letter writers"))).to_be_visible()
    editor.get_by_role("link", name="See updates and take-down requests").click()
    editor.get_by_role("link", name=PEN_NAME).click()
    beside = editor.locator(".update-beside")
    expect(beside.get_by_role("region", name="The update")).to_contain_text("quiet hour after ten")
    original = beside.get_by_role("region", name="The letter it follows")
    expect(original).to_contain_text("drums every evening")
    expect(original).to_contain_text(ANSWER)
    assert admin_overflow(editor) == []
    admin_screenshot(editor, "admin-update-beside-its-letter", DESKTOP)
    editor.get_by_role("button", name="Answer: make a draft update").click()
    publish_in_the_editor(editor)
    update = WriterUpdate.objects.get(question=question)
    wait_until(
        writer,
        lambda: LetterUpdatePage.objects.filter(pk=update.page_id, live=True).exists(),
        "the update is live",
    )
    update_page = LetterUpdatePage.objects.get(pk=update.page_id)

    # Readers find it under the letter (not again among the related posts), and it links back.
    visit(reader, site, letter.url)
    related = reader.get_by_role("region", name="Related posts")
    expect(related.get_by_role("link")).not_to_have_count(0)
    expect(related.get_by_role("link", name=update_page.title)).to_have_count(0)
    reader.get_by_role("link", name=re.compile("^Update from the letter writer, ")).click()
    expect(reader).to_have_url(site + update_page.url)
    expect(reader.get_by_role("region", name="The update")).to_contain_text("quiet hour")
    reader.get_by_role("link", name=letter.title).first.click()
    expect(reader).to_have_url(site + letter.url)
    wait_until(writer, lambda: len(mail_to_writer()) == 3, "the writer is told of the update")
    assert update_page.url in mail_to_writer()[-1].body
    writer.goto(status_url)
    expect(writer.locator(".ask-updates").get_by_role("link", name="published")).to_have_attribute(
        "href", update_page.url
    )

    # 4. The writer claims the letter for their reader account, and comments on the letter and
    # on the update.
    writer.get_by_role("link", name="Claim my letter").click()
    expect(writer.get_by_role("heading", level=1)).to_have_text("Claim your letter")
    check_writer_page(writer, csp, "writer-claim")
    writer.locator("#main").get_by_role("link", name="Log in").click()
    writer.get_by_label("Email").fill(writer_account.email)
    writer.get_by_label("Password").fill(PASSWORD)
    writer.get_by_role("button", name="Log in").click()
    expect(writer).to_have_url(re.compile(r"/claim/$"))
    check_writer_page(writer, csp, "writer-claim-logged-in")
    writer.get_by_role("button", name="Claim my letter for this account").click()
    expect(writer).to_have_url(site + letter.url + "#respond")
    expect(writer.get_by_text("Your letter is claimed.")).to_be_visible()
    for where, words in ((letter, WRITER_COMMENT), (update_page, UPDATE_COMMENT)):
        writer.goto(f"{site}{where.url}#respond")
        writer.get_by_role("textbox", name=re.compile("^Comment")).fill(words)
        writer.get_by_role("button", name="Post Comment").click()
        mine = writer.get_by_role("article", name=re.compile("verified letter writer$"))
        expect(mine).to_contain_text("Your comment is awaiting moderation.")
    csp.after("claim and comments")
    make_comment(letter, other_reader, "I am not the writer, but I had the same neighbour.")

    # The editor approves both in the comments queue (a first comment waits).
    for words in (WRITER_COMMENT, UPDATE_COMMENT):
        comment = Comment.objects.get(body=words)
        editor.goto(f"{site}/admin/comments/")
        editor.get_by_role("button", name=f"Approve comment {comment.pk}").click()
        expect(editor.get_by_text(re.compile("Approved: the comment by"))).to_be_visible()

    # A reader who is not logged in sees the badge on the writer's comments, not on Pat's.
    badge_name = f"Comment by {writer_account.display_name}, verified letter writer"
    for where, words in ((letter, WRITER_COMMENT), (update_page, UPDATE_COMMENT)):
        visit(reader, site, where.url)
        theirs = reader.get_by_role("article", name=badge_name)
        expect(theirs).to_contain_text(words)
        expect(theirs.locator(".comment-badge")).to_contain_text("Letter writer")
        assert writer_account.email not in reader.content()
    expect(reader.get_by_role("article", name="Comment by Pat")).to_have_count(0)  # the update
    visit(reader, site, letter.url)
    pats = reader.get_by_role("article", name="Comment by Pat", exact=True)
    expect(pats).to_contain_text("the same neighbour")
    expect(pats.locator(".comment-badge")).to_have_count(0)
    reader.set_viewport_size(PHONE)
    assert reader.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert serious_axe_violations(reader) == []
    screenshot(reader, "letter-with-update-and-badges", PHONE)

    # 5. The writer asks for a take-down, and confirms.
    writer.goto(status_url)
    writer.get_by_role("link", name="Ask for my letter to be taken down").click()
    expect(writer.get_by_role("heading", level=1)).to_have_text("Take your letter down?")
    check_writer_page(writer, csp, "writer-takedown")
    writer.get_by_role("button", name="Yes, take my letter down").click()
    expect(writer).to_have_url(status_url)
    expect(writer.get_by_text(re.compile("Your request is recorded."))).to_be_visible()
    expect(writer.locator(".ask-status-takedown")).to_contain_text("Take-down requested")

    # The editor sees it on the dashboard and in the inbox, and unpublishes in one click.
    editor.goto(f"{site}/admin/")
    waiting = editor.get_by_role("region", name="Waiting for you")
    expect(waiting.get_by_role("link", name="Take-down requests: 1")).to_be_visible()
    editor.goto(f"{site}/admin/questions/")
    expect(editor.get_by_text("1 take-down request")).to_be_visible()
    editor.goto(f"{site}/admin/")
    waiting.get_by_role("link", name=PEN_NAME).click()
    editor.get_by_role("button", name="Unpublish the letter now").click()
    expect(editor.get_by_text(re.compile("The letter is unpublished"))).to_be_visible()

    # Gone for readers; "Taken down" for the writer, and an email.
    for where in (letter, update_page):
        assert reader.goto(site + where.url).status == 404, where.url
    writer.goto(status_url)
    expect(writer.locator("[aria-current=step]")).to_contain_text("Taken down")
    expect(writer.locator(".ask-status-note")).to_contain_text("your letter was taken off the site")
    expect(writer.get_by_role("link", name="Send an update")).to_have_count(0)
    expect(writer.get_by_role("link", name=re.compile("Read the answer"))).to_have_count(0)
    check_writer_page(writer, csp, "writer-status-taken-down")
    wait_until(writer, lambda: len(mail_to_writer()) == 4, "the writer is told of the take-down")
    assert "taken down" in mail_to_writer()[-1].body
