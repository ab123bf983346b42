"""After the answer: a published writer's updates and take-down requests, from the status page.

The rules live here so that they can be tested without HTTP; writer_views.py translates them for
the writer, admin_writer.py for the editors. Nothing here deletes a letter: a take-down
unpublishes it (and the writer's updates to it), and the editor decides what happens next.
"""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from wagtail.models import Page

from dearly.articles.models import LetterUpdatePage
from dearly.core.models import ColumnSettings

from . import consent, services, tasks
from .models import Question, TakedownRequest, WriterUpdate, hash_token

UPDATE_SALT = "dearly.questions.update"


class Refused(Exception):
    """What the writer (or editor) asked for cannot be done; `message` says why, plainly."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


# Updates.


def update_refusal(question):
    """Why `question` cannot take an update now, or "" if it can."""
    if services.published_letter(question) is None:
        if getattr(question, "takedown", None) is not None:
            return "Your letter has been taken down, so it can no longer take updates."
        return (
            "You can send an update once your letter is published in the column. Until then, "
            "this page shows what happens to it."
        )
    if getattr(question, "takedown", None) is not None:
        return "You have asked for your letter to be taken down, so it can no longer take updates."
    return ""


def store_update(question, token, *, text, ip_address=None, consent_text=""):
    """Store an update under the preview's `token` unless it already is, with its consent
    record. Returns (update, created); raises Refused when the letter cannot take one."""
    submission_hash = hash_token(token)
    existing = WriterUpdate.objects.filter(submission_hash=submission_hash).first()
    if existing is not None:
        return existing, False
    refusal = update_refusal(question)
    if refusal:
        raise Refused(refusal)
    try:
        with transaction.atomic():
            update = WriterUpdate.objects.create(
                question=question, text=text, submission_hash=submission_hash
            )
            text = consent_text or consent.update_consent_text(tasks.columnist())
            consent.record(question, text, ip_address, update=update)
    except IntegrityError:  # the same preview sent twice at the same moment
        return WriterUpdate.objects.get(submission_hash=submission_hash), False
    return update, True


def updates_for_writer(question):
    """[(update, its live page or None)], oldest first, for the status page (two queries)."""
    updates = list(question.updates.order_by("created_at", "pk"))
    live = LetterUpdatePage.objects.published().only("title", "url_path")
    pages = live.in_bulk([u.page_id for u in updates if u.page_id])
    return [(update, pages.get(update.page_id)) for update in updates]


def update_published(page):
    """A LetterUpdatePage went live: mark the update it came from published and tell the
    writer, once (a later republication sends nothing)."""
    with transaction.atomic():
        update = (
            WriterUpdate.objects.select_for_update(of=("self",))
            .filter(page_id=page.pk)
            .exclude(status=WriterUpdate.Status.PUBLISHED)
            .first()
        )
        if update is None:
            return
        update.set_status(WriterUpdate.Status.PUBLISHED)
        pk = update.pk
        transaction.on_commit(lambda: tasks.tell_writer_update_published.enqueue(pk))


# Take-down requests.


def takedown_days():
    """The column's promise (Column settings, "Take-down days"; 2 until changed)."""
    days = (
        ColumnSettings.objects.order_by("-site__is_default_site", "pk")
        .values_list("takedown_days", flat=True)
        .first()
    )
    return days or ColumnSettings._meta.get_field("takedown_days").default


def takedown_refusal(question):
    """Why `question`'s letter cannot be asked to be taken down now, or "" if it can."""
    if getattr(question, "takedown", None) is not None:
        return "You have already asked for your letter to be taken down."
    if question.status != Question.Status.PUBLISHED or question.letter_id is None:
        return (
            "Your letter is not published, so there is nothing to take down. You can withdraw "
            "it instead: it will be deleted."
        )
    if services.published_letter(question) is None:
        return "Your letter is not on the site any more, so there is nothing to take down."
    return ""


def request_takedown(question, now=None):
    """Record the writer's request; the letter is to be unpublished within takedown_days().
    Raises Refused (nothing written) if it is not published or was already asked for."""
    now = now or timezone.now()
    with transaction.atomic():
        question = Question.objects.select_for_update().get(pk=question.pk)  # a double click waits
        refusal = takedown_refusal(question)
        if refusal:
            raise Refused(refusal)
        due = now + datetime.timedelta(days=takedown_days())
        return TakedownRequest.objects.create(question=question, requested_at=now, due_at=due)


def pending_takedowns():
    return TakedownRequest.objects.filter(done_at=None)


def overdue_takedowns(now=None):
    return pending_takedowns().filter(due_at__lte=now or timezone.now())


def take_down(takedown, user=None):
    """Unpublish the letter of a pending request and the writer's updates to it (nothing is
    deleted), then mark it done and tell the writer. Returns False if it was already done."""
    with transaction.atomic():
        takedown = TakedownRequest.objects.select_for_update().get(pk=takedown.pk)
        if not takedown.pending:
            return False
        takedown.done_at = timezone.now()
        takedown.done_by = user if user is not None and user.is_authenticated else None
        takedown.save(update_fields=["done_at", "done_by"])
        letter_id = takedown.question.letter_id
        updates = LetterUpdatePage.objects.live().filter(letter_id=letter_id)
        for page in [*Page.objects.live().filter(pk=letter_id), *updates]:
            page.specific.unpublish(user=takedown.done_by)
        pk = takedown.pk
        transaction.on_commit(lambda: tasks.tell_writer_taken_down.enqueue(pk))
    return True


def letter_unpublished(letter):
    """The letter was unpublished in the page editor: a pending request is done by it."""
    takedown = pending_takedowns().filter(question__letter_id=letter.pk).first()
    if takedown is not None:
        take_down(takedown)  # its updates go too, and the writer is told


def take_down_overdue(now=None):
    """Unpublish every letter whose take-down is due and was not done by an editor."""
    done = 0
    for takedown in overdue_takedowns(now).select_related("question"):
        done += take_down(takedown)
    return done


# What the letters inbox shows.


def inbox_notes():
    """The inbox's line about what else waits: new updates, pending take-down requests."""
    return {
        "new_updates": WriterUpdate.objects.filter(status=WriterUpdate.Status.NEW).count(),
        "pending_takedowns": pending_takedowns().count(),
    }


def question_after(question):
    """For a question's page: its consent records, updates and take-down request."""
    return {
        "consents": list(question.consents.all()),
        "writer_updates": list(question.updates.order_by("created_at", "pk")),
        "takedown": getattr(question, "takedown", None),
    }


# The status page.


def status_context(question):
    """What the status page's update and take-down sections show."""
    takedown = getattr(question, "takedown", None)
    return {
        "update_refusal": update_refusal(question),
        "writer_updates": updates_for_writer(question) if question.letter_id else [],
        "takedown": takedown,
        "takedown_refusal": takedown_refusal(question),
        "takedown_days": takedown_days(),
    }
