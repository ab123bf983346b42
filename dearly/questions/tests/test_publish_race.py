"""Wagtail's editor autosaves a draft 500 ms after each change. An autosave still running when
the editor presses Publish must not undo the publishing: the autosave read the page while it
was a draft and, saving after the publish, wrote `live = False` back over it (the editor saw
"has been published" and the letter stayed a draft). Found by the browser test of the
letters inbox; the guard is dearly.core.editing.SerialPageEditsMiddleware."""

import threading
import time

from django.db import connection
from django.test import Client

import pytest

from dearly.articles.editor import CONFIRM_FIELD, LetterPageForm
from dearly.articles.models import LetterPage
from dearly.questions.models import Question

from .test_inbox import make_question, make_staff
from .test_privacy import QUESTION, open_answer

SLOW_AUTOSAVE = 1.0  # seconds the autosave spends validating, long enough to be overtaken


@pytest.mark.django_db(transaction=True)
def test_an_autosave_in_flight_cannot_unpublish_what_the_editor_published(
    django_user_model, site_tree, monkeypatch
):
    editor = make_staff(django_user_model, "mod", "Moderators")
    question = make_question(QUESTION, pen_name="Poor")
    browser = Client()
    browser.force_login(editor)
    edit_url, _, data = open_answer(browser, question)

    clean = LetterPageForm.clean
    validating = threading.Event()

    def slow_when_autosaving(form):
        if not form.publishing():
            validating.set()
            time.sleep(SLOW_AUTOSAVE)
        return clean(form)

    monkeypatch.setattr(LetterPageForm, "clean", slow_when_autosaving)

    autosave_answers = []

    def autosave():
        autosaver = Client()
        autosaver.cookies = browser.cookies
        try:
            autosave_answers.append(
                autosaver.post(edit_url, data, HTTP_ACCEPT="application/json").status_code
            )
        finally:
            connection.close()

    thread = threading.Thread(target=autosave)
    thread.start()
    # The autosave has read the page and is validating (an event, not a guess at how long the
    # thread takes to get there: on a loaded machine it can take longer than a second).
    assert validating.wait(timeout=30)
    publish = data.copy()
    publish.update({"action-publish": "action-publish", CONFIRM_FIELD: "on"})
    started = time.monotonic()
    response = browser.post(edit_url, publish)
    waited = time.monotonic() - started
    thread.join(timeout=30)

    assert response.status_code == 302, "the publish was refused"
    assert autosave_answers == [200]
    # The publish waited for the autosave instead of racing it, and the letter stays live.
    assert waited >= SLOW_AUTOSAVE / 3
    question.refresh_from_db()
    letter = LetterPage.objects.get(pk=question.letter_id)
    assert letter.live and letter.live_revision_id is not None
    assert question.status == Question.Status.PUBLISHED


@pytest.mark.django_db(transaction=True)
def test_an_autosave_after_publishing_is_refused_as_out_of_date(django_user_model, site_tree):
    """The other order: the publish lands first; the autosave, made from the page as it was
    loaded, is refused by Wagtail's own check and the letter stays live."""
    browser = Client()
    browser.force_login(make_staff(django_user_model, "mod", "Moderators"))
    question = make_question(QUESTION, pen_name="Poor")
    edit_url, _, data = open_answer(browser, question)
    publish = data.copy()
    publish.update({"action-publish": "action-publish", CONFIRM_FIELD: "on"})
    assert browser.post(edit_url, publish).status_code == 302

    response = browser.post(edit_url, data, HTTP_ACCEPT="application/json")
    assert response.json()["error_code"] == "invalid_revision"
    question.refresh_from_db()
    assert LetterPage.objects.get(pk=question.letter_id).live
