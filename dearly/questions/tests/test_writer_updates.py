"""A published writer's updates: sent from the status page through the ask form's checks,
consent and preview (once per preview), refused before publication and after a take-down,
rate-limited, answered from the inbox beside the letter, and emailed about when published."""

from django.core import mail
from django.test import Client

import pytest

from dearly.articles.models import LetterUpdatePage
from dearly.questions import services, writer
from dearly.questions.models import Consent, Question, WriterUpdate
from dearly.questions.tests.test_inbox import make_staff
from dearly.questions.tests.test_status import EMAIL, IP, make_question
from dearly.testing import make_letter

pytestmark = pytest.mark.django_db

UPDATE = "I did what you suggested and asked for a review of my pay. I got the rise in March."


@pytest.fixture
def published(site_tree):
    """A question whose letter is published, and the token of its status link."""
    letter = make_letter(
        site_tree["letters"], title="Dear Dr. Mimi – Underpaid", pen_name="Underpaid"
    )
    question, token = make_question("published", letter=letter)
    return question, token


@pytest.fixture
def editor_client(django_user_model, site_tree):
    """A member of Wagtail's Editors group, which may answer questions out of the box."""
    client = Client()
    client.force_login(make_staff(django_user_model, "ed", "Editors"))
    return client


def update_url(token, action=""):
    return f"/ask/status/{token}/update/{action + '/' if action else ''}"


def update_data(**overrides):
    return {"update": UPDATE, "consent": "on", "website": "", **overrides}


def send(client, token, submission=None, **overrides):
    data = update_data(**overrides)
    data["submission"] = submission or services.new_submission(writer.UPDATE_SALT)
    return client.post(update_url(token, "send"), data)


# The happy path


def test_the_status_page_offers_an_update_once_the_letter_is_published(client, published):
    _, token = published
    html = client.get(f"/ask/status/{token}/").content.decode()
    assert f'href="{update_url(token)}">Send an update</a>' in html


@pytest.mark.parametrize("status", ["new", "shortlisted", "answered", "declined"])
def test_no_update_is_offered_before_publication(client, site_tree, status):
    _, token = make_question(status)
    assert "Send an update" not in client.get(f"/ask/status/{token}/").content.decode()


def test_form_preview_and_send_store_the_update_once_with_its_consent(client, published):
    question, token = published
    form = client.get(update_url(token))
    assert form.status_code == 200 and "no-store" in form["Cache-Control"]
    assert "Dr. Mimi may publish my update with my letter" in form.content.decode()
    preview = client.post(update_url(token), update_data())
    html = preview.content.decode()
    assert preview.status_code == 200 and "<h1>Check your update</h1>" in html
    assert UPDATE in html and "—Underpaid</p>" in html
    assert WriterUpdate.objects.count() == 0  # a preview stores nothing
    submission = preview.context["submission"]
    first = send(client, token, submission)
    again = send(client, token, submission)  # a double click
    assert first.status_code == again.status_code == 303
    assert first["Location"] == f"/ask/status/{token}/"
    [update] = WriterUpdate.objects.all()
    assert update.question == question and update.text == UPDATE and update.status == "new"
    record = Consent.objects.get(update=update)
    assert record.text == (
        "Dr. Mimi may publish my update with my letter, edited for length and to remove "
        "identifying details."
    )
    assert record.ip_hash and IP not in record.ip_hash and record.ip_hash != IP
    status = client.get(first["Location"]).content.decode()
    assert "Thank you. Your update is on its way to Dr. Mimi." in status
    assert "with Dr. Mimi." in status  # the update's state, listed


def test_edit_goes_back_to_the_form_with_the_text(client, published):
    _, token = published
    submission = services.new_submission(writer.UPDATE_SALT)
    response = client.post(
        update_url(token), {**update_data(), "edit": "1", "submission": submission}
    )
    assert response.status_code == 200 and "<h1>Send an update</h1>" in response.content.decode()
    assert UPDATE in response.content.decode()


# Refused and broken


@pytest.mark.parametrize("status", ["new", "shortlisted", "answered", "declined"])
def test_an_update_for_a_letter_not_yet_published_is_refused(client, site_tree, status):
    _, token = make_question(status)
    for response in (client.get(update_url(token)), send(client, token)):
        assert response.status_code == 409
        assert "once your letter is published" in response.content.decode()
    assert WriterUpdate.objects.count() == 0


def test_an_update_for_a_letter_unpublished_since_is_refused(client, published):
    question, token = published
    question.letter.unpublish()
    assert send(client, token).status_code == 409
    assert WriterUpdate.objects.count() == 0


@pytest.mark.parametrize("token", ["forged-token", "x" * 101])
def test_an_update_through_a_forged_token_is_a_404(client, published, token):
    for response in (client.get(update_url(token)), send(client, token)):
        assert response.status_code == 404
        assert "We could not find this letter" in response.content.decode()
    assert WriterUpdate.objects.count() == 0


def test_a_token_with_a_nul_is_refused_before_any_lookup(client, published):
    for response in (client.get(update_url("a\x00b")), send(client, "a\x00b")):
        assert response.status_code == 400
    assert WriterUpdate.objects.count() == 0


def test_an_update_through_a_withdrawn_token_is_a_404(client, site_tree):
    _, token = make_question("new")
    assert client.post(f"/ask/status/{token}/withdraw/", {"confirm": "yes"}).status_code == 200
    assert send(client, token).status_code == 404
    assert WriterUpdate.objects.count() == 0 and Question.objects.count() == 0


def test_an_ask_forms_preview_cannot_send_an_update(client, published):
    _, token = published
    response = send(client, token, submission=services.new_submission())  # the ask form's salt
    assert response.status_code == 400 and "This preview has expired" in response.content.decode()
    assert WriterUpdate.objects.count() == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x" * 5001, "Your update is 5,001 characters long; please keep it to 5,000."),
        ("Short.", "Your update is 6 characters long; please write at least 30"),
        ("", "Please write your update."),
        (UPDATE + "\x00", "Your update contains a character that cannot be stored."),
    ],
)
def test_bad_update_text_gets_a_clear_message_and_stores_nothing(client, published, text, message):
    _, token = published
    for response in (
        client.post(update_url(token), update_data(update=text)),
        send(client, token, update=text),
    ):
        assert response.status_code == 400
        assert message in response.content.decode()
    assert (
        WriterUpdate.objects.count() == 0
        and Consent.objects.filter(update__isnull=False).count() == 0
    )


def test_an_update_without_consent_or_with_the_honeypot_is_refused(client, published):
    _, token = published
    refused = send(client, token, consent="")
    assert refused.status_code == 400 and "Please agree" in refused.content.decode()
    bot = send(client, token, website="http://spam.example")
    assert bot.status_code == 400 and "Your update was not sent" in bot.content.decode()
    assert WriterUpdate.objects.count() == 0


def test_updates_only_take_post_and_csrf(published):
    _, token = published
    client = Client(enforce_csrf_checks=True)
    assert client.get(update_url(token, "send")).status_code == 405
    assert Client().put(update_url(token)).status_code == 405
    response = client.post(
        update_url(token, "send"),
        {**update_data(), "submission": services.new_submission(writer.UPDATE_SALT)},
    )
    assert response.status_code == 403
    assert WriterUpdate.objects.count() == 0


def test_fifty_updates_a_minute_are_cut_off_with_a_clear_429(client, published):
    _, token = published
    responses = [send(client, token, update=f"{UPDATE} Number {n}.") for n in range(50)]
    codes = [response.status_code for response in responses]
    assert codes == [303] * 5 + [429] * 45
    refused = responses[-1].content.decode()
    assert "Your update has not been sent" in refused and "Please wait a few minutes" in refused
    assert 'name="submission"' in refused  # kept, ready to send again
    assert WriterUpdate.objects.count() == 5


def test_the_daily_limit_is_per_letter_whatever_the_address(site_tree, published, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "send_update": "3/d/key"}
    _, token = published
    codes = [
        send(Client(REMOTE_ADDR=f"203.0.113.{n}"), token, update=f"{UPDATE} {n}.").status_code
        for n in range(4)
    ]
    assert codes == [303, 303, 303, 429]


# The inbox: the update beside the letter; Answer makes a draft update


def test_the_inbox_shows_the_update_beside_its_letter_and_answer_makes_a_draft(
    editor_client,
    published,
    django_capture_on_commit_callbacks,
):
    question, token = published
    update, _ = writer.store_update(question, "t1", text=UPDATE + " <b>bold?</b>")
    inbox = editor_client.get("/admin/questions/").content.decode()
    assert "1 new update from letter writers" in inbox
    listing = editor_client.get("/admin/questions/updates/").content.decode()
    assert f'href="/admin/questions/updates/{update.pk}/">Underpaid</a>' in listing
    detail = editor_client.get(f"/admin/questions/updates/{update.pk}/").content.decode()
    assert "The letter it follows" in detail and "Dear Dr. Mimi – Underpaid" in detail
    assert "How do I ask for help at work?" in detail  # the letter's question, beside it
    assert "&lt;b&gt;bold?&lt;/b&gt;" in detail

    response = editor_client.post(f"/admin/questions/updates/{update.pk}/answer/")
    page = LetterUpdatePage.objects.get()
    assert response.status_code == 303 and response["Location"] == f"/admin/pages/{page.pk}/edit/"
    assert not page.live and page.letter_id == question.letter_id
    assert page.title == "Update: Dear Dr. Mimi – Underpaid" and page.pen_name == "Underpaid"
    assert "&lt;b&gt;bold?&lt;/b&gt;" in page.text
    again = editor_client.post(f"/admin/questions/updates/{update.pk}/answer/")
    assert again["Location"] == response["Location"] and LetterUpdatePage.objects.count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    update.refresh_from_db()
    assert update.status == "published"
    [email] = mail.outbox
    assert email.to == [EMAIL] and email.subject == f"Your update has been published: {page.title}"
    assert page.full_url in email.body
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()  # published again: no second email
    assert len(mail.outbox) == 1
    status = Client().get(f"/ask/status/{token}/").content.decode()
    assert f'<a href="{page.url}">published</a>' in status
    letter_html = Client().get(question.letter.url).content.decode()
    assert "Update from the letter writer" in letter_html


def test_declining_an_update_sends_nothing_and_tells_the_status_page(
    editor_client,
    published,
):
    question, token = published
    update, _ = writer.store_update(question, "t2", text=UPDATE)
    assert editor_client.post(f"/admin/questions/updates/{update.pk}/decline/").status_code == 303
    update.refresh_from_db()
    assert update.status == "declined" and mail.outbox == []
    again = editor_client.post(f"/admin/questions/updates/{update.pk}/decline/", follow=True)
    assert "Only new updates can be declined" in again.content.decode()
    refused = editor_client.post(f"/admin/questions/updates/{update.pk}/answer/", follow=True)
    assert "was declined, so it cannot be answered" in refused.content.decode()
    assert "Dr. Mimi will not publish it" in Client().get(f"/ask/status/{token}/").content.decode()


def test_update_pages_in_the_inbox_need_the_permission(
    django_user_model,
    published,
    editor_client,
):
    question, _ = published
    update, _ = writer.store_update(question, "t3", text=UPDATE)
    outsider = Client()
    outsider.force_login(make_staff(django_user_model, "outsider"))
    for path in ("/admin/questions/updates/", f"/admin/questions/updates/{update.pk}/"):
        assert outsider.get(path).status_code in (302, 403)
    for action in ("answer", "decline"):
        response = outsider.post(f"/admin/questions/updates/{update.pk}/{action}/")
        assert response.status_code in (302, 403)
        assert (
            editor_client.get(f"/admin/questions/updates/{update.pk}/{action}/").status_code == 405
        )
    update.refresh_from_db()
    assert update.status == "new" and LetterUpdatePage.objects.count() == 0
    assert editor_client.get("/admin/questions/updates/999999999/").status_code == 404
    assert editor_client.get("/admin/questions/updates/?status=%00&p=abc").status_code == 200
