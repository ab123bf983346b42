"""The privacy check in the letter editor, through the real admin views: answering a question
opens it, publishing with findings needs the tick (the detector: articles/tests/test_privacy.py)."""

from django.core import mail
from django.test import Client
from django.urls import reverse

from wagtail.test.utils.form_data import querydict_from_html, rich_text

import pytest

from dearly.articles.editor import CONFIRM_FIELD
from dearly.articles.models import LetterPage

from .test_inbox import make_question, make_staff

QUESTION = "Call me on 020 7946 0958 at Acme Widgets Ltd. My boss ignores every deadline I set."


@pytest.fixture
def moderator_client(django_user_model, site_tree):
    """Wagtail's Moderators group may answer questions and publish pages."""
    client = Client()
    client.force_login(make_staff(django_user_model, "mod", "Moderators"))
    return client


def open_answer(client, question):
    """Answer from the inbox; the editor's form data as the browser would post it."""
    response = client.post(f"/admin/questions/{question.pk}/answer/")
    edit_url = response["Location"]
    html = client.get(edit_url).content.decode()
    data = querydict_from_html(html, form_id="page-edit-form")
    data["answer"] = rich_text("<p>Tell your boss, calmly, what you can do by when.</p>")
    return edit_url, html, data


@pytest.mark.django_db
def test_editor_shows_the_privacy_check_with_each_finding_highlighted(moderator_client):
    question = make_question(QUESTION, pen_name="Poor")
    _, html, _ = open_answer(moderator_client, question)
    assert "Privacy check" in html
    assert '<mark title="Phone number">020 7946 0958</mark>' in html
    assert '<mark title="Name">Acme Widgets Ltd</mark>' in html
    assert "I have checked this letter for identifying details" in html


@pytest.mark.django_db
def test_publishing_with_findings_needs_the_tick_then_notifies_the_writer(
    moderator_client, django_capture_on_commit_callbacks
):
    question = make_question(QUESTION, pen_name="Poor", email="writer@example.com")
    edit_url, _, data = open_answer(moderator_client, question)
    data["action-publish"] = "action-publish"

    with django_capture_on_commit_callbacks(execute=True):
        response = moderator_client.post(edit_url, data)
    assert response.status_code == 200
    assert "Remove them, or tick" in response.content.decode()
    question.refresh_from_db()
    assert not question.letter.live and question.status == "answered"
    assert not LetterPage.objects.live().exists()
    assert mail.outbox == []

    data[CONFIRM_FIELD] = "on"
    with django_capture_on_commit_callbacks(execute=True):
        response = moderator_client.post(edit_url, data)
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.letter.live and question.status == "published"
    assert [m.to for m in mail.outbox] == [["writer@example.com"]]
    assert question.letter.full_url in mail.outbox[0].body


@pytest.mark.django_db
def test_saving_a_draft_never_needs_the_tick(moderator_client):
    question = make_question(QUESTION, pen_name="Poor")
    edit_url, _, data = open_answer(moderator_client, question)
    response = moderator_client.post(edit_url, data)
    assert response.status_code == 302
    question.refresh_from_db()
    letter = question.letter
    assert not letter.live and question.status == "answered"
    assert "Tell your boss" in letter.get_latest_revision_as_object().answer


@pytest.mark.django_db
def test_a_letter_without_findings_publishes_without_the_tick(moderator_client):
    question = make_question("My boss ignores every deadline I set. What can I do?")
    edit_url, html, data = open_answer(moderator_client, question)
    assert "No likely identifying details" in html
    data["action-publish"] = "action-publish"
    assert moderator_client.post(edit_url, data).status_code == 302
    question.refresh_from_db()
    assert question.letter.live and question.status == "published"


@pytest.mark.django_db
def test_findings_added_in_the_answer_are_caught_too(moderator_client):
    question = make_question("My boss ignores every deadline I set. What can I do?")
    edit_url, _, data = open_answer(moderator_client, question)
    data["answer"] = rich_text("<p>Email me at mimi.private@example.com and we can talk.</p>")
    data["action-publish"] = "action-publish"
    response = moderator_client.post(edit_url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Remove them, or tick" in html
    assert '<mark title="Email address">mimi.private@example.com</mark>' in html
    question.refresh_from_db()
    assert not question.letter.live


@pytest.mark.django_db
def test_new_letters_made_in_the_editor_get_the_check_too(moderator_client, site_tree):
    url = reverse(
        "wagtailadmin_pages:add", args=["articles", "letterpage", site_tree["letters"].pk]
    )
    html = moderator_client.get(url).content.decode()
    assert "Privacy check" in html
    data = querydict_from_html(html, form_id="page-edit-form")
    data.update(
        {
            "title": "Dear Dr. Mimi – Direct",
            "slug": "direct",
            "pen_name": "Direct",
            "question": rich_text("<p>My manager Sarah Jones shouts.</p>"),
            "answer": rich_text("<p>Talk to her.</p>"),
            "action-publish": "action-publish",
        }
    )
    response = moderator_client.post(url, data)
    assert response.status_code == 200 and "Remove them, or tick" in response.content.decode()
    assert not LetterPage.objects.filter(slug="direct").exists()
    data[CONFIRM_FIELD] = "on"
    assert moderator_client.post(url, data).status_code == 302
    assert LetterPage.objects.get(slug="direct").live
