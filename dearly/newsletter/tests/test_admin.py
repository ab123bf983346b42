"""The editor's newsletter screens: subscribers (search, filter, CSV) and mailings' figures;
nobody else gets in, and nobody is added by hand."""

import re

from django.urls import reverse

import pytest

from dearly import testing
from dearly.comments.tests.helpers import make_reader
from dearly.newsletter import sending
from dearly.newsletter.models import Delivery, Subscriber

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(make_reader("editor", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def people():
    return [
        Subscriber.objects.create(email="ann@example.com", state="active"),
        Subscriber.objects.create(email="bo@example.com", state="pending"),
        Subscriber.objects.create(email="cy@example.com", state="bouncing"),
    ]


def test_the_editor_lists_searches_and_filters_subscribers(editor_client, people):
    index = reverse("subscribers:index")
    page = editor_client.get(index).content.decode()
    assert all(p.email in page for p in people)
    found = editor_client.get(index, {"q": "bo@"}).content.decode()
    assert "bo@example.com" in found and "ann@example.com" not in found
    bouncing = editor_client.get(index, {"state": "bouncing"}).content.decode()
    assert "cy@example.com" in bouncing and "ann@example.com" not in bouncing
    assert "1 waiting for confirmation · 1 active · 1 bouncing · 0 unsubscribed" in page


def test_the_editor_exports_subscribers_as_csv(editor_client, people):
    response = editor_client.get(reverse("subscribers:index"), {"export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    assert body.splitlines()[0].lower().startswith("email")
    assert all(p.email in body for p in people)


def test_nobody_adds_a_subscriber_by_hand(editor_client):
    assert editor_client.get("/admin/subscribers/new/").status_code in (302, 403)
    assert not Subscriber.objects.exists()


@pytest.mark.parametrize("path", ["/admin/subscribers/", "/admin/mailings/"])
def test_readers_and_visitors_are_kept_out(client, people, path):
    assert client.get(path).status_code == 302  # to the login page
    client.force_login(make_reader("reader"))
    response = client.get(path)
    assert response.status_code in (302, 403)
    assert b"ann@example.com" not in response.content


def test_each_mailing_shows_sent_of_recipients_and_failures(editor_client, site_tree, people):
    testing.make_letter(site_tree["letters"], pen_name="Counted")
    Subscriber.objects.create(email="dee@example.com", state="active")
    sending.send_pending()
    Delivery.objects.filter(subscriber__email="dee@example.com").update(state="failed")
    page = editor_client.get(reverse("mailings:index")).content.decode()
    assert "Counted" in page
    cells = [c.strip() for c in re.findall(r"<td[^>]*>\s*([0-9]+)\s*</td>", page)]
    assert cells[:3] == ["1", "2", "1"]  # sent, recipients, failed
    Delivery.objects.filter(state="failed").update(error="550 No such user here")
    mailing = Delivery.objects.get(state="failed").mailing
    inspect = editor_client.get(reverse("mailings:inspect", args=[mailing.pk])).content.decode()
    assert "dee@example.com: 550 No such user here" in inspect


def test_the_editor_previews_the_draft_email_and_sends_a_test_to_themselves(
    editor_client, site_tree, rf
):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.core import mail

    from dearly.accounts.models import User
    from dearly.newsletter.wagtail_hooks import TEST_ACTION, send_test_email

    letter = testing.make_letter(site_tree["letters"], pen_name="Drafty")
    edit = editor_client.get(f"/admin/pages/{letter.pk}/edit/").content.decode()
    assert "Preview the email" in edit and "Save draft and email it to me" in edit
    letter.answer = "<p>A better answer, not published yet.</p>"
    letter.save_revision()
    preview = editor_client.get(f"/admin/newsletter/preview/{letter.pk}/")
    assert preview.status_code == 200
    assert b"A better answer, not published yet." in preview.content
    editor = User.objects.get(username="editor")
    request = rf.post(f"/admin/pages/{letter.pk}/edit/", {TEST_ACTION: ""})
    request.user, request.session = editor, {}
    request._messages = FallbackStorage(request)
    send_test_email(request, letter)
    (message,) = mail.outbox
    assert message.to == [editor.email]
    assert message.subject == f"[Test] {letter.title}"
    assert "A better answer" in message.body
    assert not Subscriber.objects.exists() and not Delivery.objects.exists()  # nothing stored


def test_readers_cannot_preview_emails(client, site_tree):
    letter = testing.make_letter(site_tree["letters"])
    client.force_login(make_reader("reader"))
    assert client.get(f"/admin/newsletter/preview/{letter.pk}/").status_code in (302, 403)
    assert client.get("/admin/newsletter/preview/999999/").status_code in (302, 403, 404)


def test_a_preview_of_no_page_is_a_404(editor_client):
    for page_id in (999999, 10**30):
        assert editor_client.get(f"/admin/newsletter/preview/{page_id}/").status_code == 404
