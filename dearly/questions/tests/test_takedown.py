"""Consent that can be taken back: the consent record kept per letter, a published writer's
take-down request (confirmation, POST + CSRF, once), the editor's one-click unpublish, the
deadline the scheduler enforces, and what the writer sees. Nothing is ever deleted."""

import datetime
import io

from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

import pytest

from dearly.articles.models import LetterPage, LetterUpdatePage
from dearly.core.models import ColumnSettings
from dearly.ops import scheduler
from dearly.questions import consent, services, tasks, writer
from dearly.questions.models import Consent, Question, TakedownRequest
from dearly.questions.tests.test_inbox import make_staff
from dearly.questions.tests.test_status import EMAIL, IP, make_question
from dearly.testing import make_letter, make_letter_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(site_tree):
    letter = make_letter(
        site_tree["letters"], title="Dear Dr. Mimi – Recognised", pen_name="Recognised"
    )
    return make_question("published", letter=letter)


@pytest.fixture
def editor(django_user_model, site_tree):
    """A moderator: may answer questions and publish (Wagtail's Editors may not unpublish)."""
    return make_staff(django_user_model, "ed", "Moderators")


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client


def takedown_url(token):
    return f"/ask/status/{token}/takedown/"


# Consent records


def test_sending_a_letter_records_the_consent_text_time_and_a_keyed_ip_hash(client, site_tree):
    data = {
        "question": "My colleagues recognised me from my letter. What should I do now?",
        "pen_name": "Seen",
        "email": "",
        "consent": "on",
        "submission": services.new_submission(),
    }
    assert Client(REMOTE_ADDR=IP).post("/ask/send/", data).status_code == 303
    [record] = Consent.objects.all()
    assert record.text == (
        "Dr. Mimi may publish my letter, edited for length and to remove identifying details."
    )
    assert record.update is None and not record.recorded_afterwards
    assert record.agreed_at <= timezone.now()
    assert record.ip_hash == consent.ip_hash(IP) and len(record.ip_hash) == 64
    assert IP not in record.ip_hash and record.ip_hash != consent.ip_hash("203.0.113.9")


def test_the_ip_hash_is_keyed_with_the_secret_key(settings):
    before = consent.ip_hash(IP)
    settings.SECRET_KEY = "another secret key for this test only"
    assert consent.ip_hash(IP) != before and consent.ip_hash(None) == ""


def test_the_editor_sees_the_consent_records_of_a_question(editor_client, published):
    question, _ = published
    consent.record(question, "Dr. Mimi may publish my letter <b>as is</b>.", IP)
    html = editor_client.get(f"/admin/questions/{question.pk}/").content.decode()
    assert "Consent records" in html and "my letter &lt;b&gt;as is&lt;/b&gt;." in html


def test_the_data_migration_records_earlier_consent_honestly(site_tree):
    """Migration 0004 on questions sent before it: the form's wording, when they were sent, the
    hash of an address still kept, marked as recorded afterwards."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "dearly.questions.migrations.0004_writer_updates_consent_takedown"
    )
    kept, _ = make_question("new")
    purged, _ = make_question("published")
    Question.objects.filter(pk=purged.pk).update(ip_address=None)
    refused, _ = make_question("new")
    Question.objects.filter(pk=refused.pk).update(consent=False)
    migration.record_earlier_consent(apps, None)
    records = {c.question_id: c for c in Consent.objects.all()}
    assert set(records) == {kept.pk, purged.pk}  # no consent given, none recorded
    assert all(c.recorded_afterwards for c in records.values())
    assert records[kept.pk].text == (
        "Dr. Mimi may publish my letter, edited for length and to remove identifying details."
    )
    assert records[kept.pk].agreed_at == kept.created_at
    assert records[kept.pk].ip_hash == consent.ip_hash(IP)
    assert records[purged.pk].ip_hash == ""


def test_the_purge_forgets_ip_hashes_but_keeps_what_was_agreed(published):
    question, _ = published
    consent.record(question, "I agree.", IP)
    old = timezone.now() - datetime.timedelta(days=200)
    Question.objects.filter(pk=question.pk).update(status_changed_at=old)
    call_command("purge_questions", stdout=io.StringIO())
    [record] = Consent.objects.all()
    assert record.ip_hash == "" and record.text == "I agree."
    question.refresh_from_db()
    assert question.email == "" and question.ip_address is None


def test_the_purge_deletes_old_declined_updates_and_their_consent(published):
    question, _ = published
    update, _ = writer.store_update(question, "tok", text="An update to decline later on.")
    update.set_status("declined")
    type(update).objects.filter(pk=update.pk).update(
        status_changed_at=timezone.now() - datetime.timedelta(days=200)
    )
    out = io.StringIO()
    call_command("purge_questions", stdout=out)
    assert "Deleted 1 declined update." in out.getvalue()
    assert not type(update).objects.exists()
    assert not Consent.objects.filter(update__isnull=False).exists()
    assert Question.objects.filter(pk=question.pk).exists()


# The writer asks


def test_the_status_page_offers_a_take_down_once_published(client, published, site_tree):
    _, token = published
    html = client.get(f"/ask/status/{token}/").content.decode()
    assert f'href="{takedown_url(token)}">Ask for my letter to be taken down</a>' in html
    assert "within 2 days" in html
    _, fresh = make_question("new")
    assert "taken down" not in client.get(f"/ask/status/{fresh}/").content.decode()


def test_asking_confirms_first_then_records_the_request_and_deletes_nothing(client, published):
    question, token = published
    ask = client.get(takedown_url(token))
    assert ask.status_code == 200 and "<h1>Take your letter down?</h1>" in ask.content.decode()
    assert "no-store" in ask["Cache-Control"] and ask["X-Robots-Tag"] == "noindex"
    assert client.post(takedown_url(token)).status_code == 200  # no "confirm": asks again
    assert not TakedownRequest.objects.exists()

    before = timezone.now()
    response = client.post(takedown_url(token), {"confirm": "yes"})
    assert response.status_code == 303 and response["Location"] == f"/ask/status/{token}/"
    request = TakedownRequest.objects.get()
    assert request.question == question and request.pending
    assert before + datetime.timedelta(days=2) <= request.due_at
    assert request.due_at <= timezone.now() + datetime.timedelta(days=2)
    html = client.get(response["Location"]).content.decode()
    assert "Your request is recorded." in html and "Take-down requested" in html
    assert "Send an update" not in html
    assert LetterPage.objects.get(pk=question.letter_id).live  # until an editor or the deadline


def test_the_time_allowed_comes_from_column_settings(client, published, site_tree):
    from wagtail.models import Site

    row = ColumnSettings.for_site(Site.objects.get(is_default_site=True))
    row.takedown_days = 5
    row.save()
    _, token = published
    assert "within 5 days" in client.get(takedown_url(token)).content.decode()
    client.post(takedown_url(token), {"confirm": "yes"})
    request = TakedownRequest.objects.get()
    assert request.due_at - request.requested_at == datetime.timedelta(days=5)


def test_a_second_request_is_refused_and_changes_nothing(client, published):
    _, token = published
    client.post(takedown_url(token), {"confirm": "yes"})
    first = TakedownRequest.objects.get()
    for response in (
        client.get(takedown_url(token)),
        client.post(takedown_url(token), {"confirm": "yes"}),
    ):
        assert response.status_code == 409
        assert (
            "You have already asked for your letter to be taken down." in response.content.decode()
        )
    assert TakedownRequest.objects.get() == first and TakedownRequest.objects.count() == 1
    with pytest.raises(writer.Refused):
        writer.request_takedown(first.question)


def test_a_request_for_a_letter_already_unpublished_is_refused(client, published):
    question, token = published
    question.letter.unpublish()
    response = client.post(takedown_url(token), {"confirm": "yes"})
    assert response.status_code == 409
    assert "not on the site any more" in response.content.decode()
    assert not TakedownRequest.objects.exists()


@pytest.mark.parametrize("status", ["new", "shortlisted", "answered", "declined"])
def test_a_request_for_a_letter_never_published_is_refused(client, site_tree, status):
    _, token = make_question(status)
    assert client.post(takedown_url(token), {"confirm": "yes"}).status_code == 409
    assert not TakedownRequest.objects.exists()


@pytest.mark.parametrize("token", ["forged-token", "x" * 101])
def test_a_request_with_a_forged_token_is_a_404(client, published, token):
    assert client.post(takedown_url(token), {"confirm": "yes"}).status_code == 404
    assert not TakedownRequest.objects.exists()


def test_a_get_never_records_a_request(client, published):
    _, token = published
    assert client.get(takedown_url(token), {"confirm": "yes"}).status_code == 200
    assert not TakedownRequest.objects.exists()


def test_a_request_without_csrf_is_refused(published):
    _, token = published
    client = Client(enforce_csrf_checks=True)
    assert client.post(takedown_url(token), {"confirm": "yes"}).status_code == 403
    assert not TakedownRequest.objects.exists()


# The editor, and the deadline


def test_the_editor_sees_the_request_and_unpublishes_in_one_click(
    editor_client, published, django_capture_on_commit_callbacks
):
    question, token = published
    update = make_letter_update(question.letter)
    request = writer.request_takedown(question)
    inbox = editor_client.get("/admin/questions/").content.decode()
    assert "1 take-down request</strong> waiting" in inbox
    dashboard = editor_client.get("/admin/").content.decode()
    assert "Take-down requests: 1" in dashboard and "Underpaid" in dashboard
    page = editor_client.get(f"/admin/questions/{question.pk}/").content.decode()
    assert "Unpublish the letter now" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(f"/admin/questions/takedowns/{request.pk}/")
    assert response.status_code == 303
    request.refresh_from_db()
    assert not request.pending and request.done_by.username == "ed"
    assert not LetterPage.objects.get(pk=question.letter_id).live
    assert not LetterUpdatePage.objects.get(pk=update.pk).live
    assert LetterPage.objects.filter(pk=question.letter_id).exists()  # nothing deleted
    assert Client().get(question.letter.url).status_code == 404
    [email] = mail.outbox
    assert email.to == [EMAIL] and email.subject == "Your letter is taken down"
    html = Client().get(f"/ask/status/{token}/").content.decode()
    assert "Send an update" not in html
    # The page says so where it says where the letter stands, not "Published" any more.
    assert '<li class="ask-step ask-step-current" aria-current="step">Taken down' in html
    assert "<strong>Taken down.</strong> As you asked, your letter was taken off the site" in html
    assert "<strong>Published.</strong>" not in html and "Read the answer" not in html
    assert "can no longer be withdrawn" not in html and "Ask for my letter" not in html
    assert "anyone who has it can read your letter.</p>" in html

    again = editor_client.post(f"/admin/questions/takedowns/{request.pk}/", follow=True)
    assert "already taken down" in again.content.decode() and len(mail.outbox) == 1


def test_unpublishing_needs_the_inbox_permission_and_post(django_user_model, published):
    question, _ = published
    request = writer.request_takedown(question)
    outsider = Client()
    outsider.force_login(make_staff(django_user_model, "outsider"))
    assert outsider.post(f"/admin/questions/takedowns/{request.pk}/").status_code in (302, 403)
    editor = Client()
    editor.force_login(make_staff(django_user_model, "ed", "Editors"))  # may not unpublish
    refused = editor.post(f"/admin/questions/takedowns/{request.pk}/", follow=True)
    assert "You may not unpublish this letter." in refused.content.decode()
    assert editor.get(f"/admin/questions/takedowns/{request.pk}/").status_code == 405
    assert editor.post("/admin/questions/takedowns/999999999/").status_code == 404
    request.refresh_from_db()
    assert request.pending and LetterPage.objects.get(pk=question.letter_id).live


def test_unpublishing_in_the_page_editor_completes_the_request(published):
    question, _ = published
    update = make_letter_update(question.letter)
    request = writer.request_takedown(question)
    question.letter.unpublish()
    request.refresh_from_db()
    assert not request.pending
    assert not LetterUpdatePage.objects.get(pk=update.pk).live


def test_the_deadline_unpublishes_what_no_editor_did(published, site_tree):
    question, _ = published
    request = writer.request_takedown(question)
    other, _ = make_question("published", letter=make_letter(site_tree["letters"]))
    later = writer.request_takedown(other)
    assert writer.take_down_overdue() == 0  # not due yet
    TakedownRequest.objects.filter(pk=request.pk).update(due_at=timezone.now())
    tasks.take_down_overdue_letters.enqueue()  # the test settings run tasks at once
    request.refresh_from_db()
    later.refresh_from_db()
    assert not request.pending and request.done_by is None
    assert not LetterPage.objects.get(pk=question.letter_id).live
    assert later.pending and LetterPage.objects.get(pk=other.letter_id).live


def test_the_scheduler_queues_the_take_down_only_when_one_is_due(published, monkeypatch):
    queued = []
    monkeypatch.setattr(
        tasks, "take_down_overdue_letters", type("T", (), {"enqueue": lambda: queued.append(1)})
    )
    question, _ = published
    scheduler.enqueue_takedowns()
    request = writer.request_takedown(question)
    scheduler.enqueue_takedowns()
    assert queued == []
    TakedownRequest.objects.filter(pk=request.pk).update(due_at=timezone.now())
    scheduler.enqueue_takedowns()
    assert queued == [1]
