"""Emails to letter writers, sent through the background task system (django-tasks)."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse

from django_tasks import task

from dearly.core.mail import from_email
from dearly.core.models import ColumnSettings

from .models import Question, TakedownRequest, WriterUpdate


def columnist():
    return ColumnSettings.objects.values_list("columnist_name", flat=True).first() or "Dr. Mimi"


def send_to_writer(question, template, subject, **context):
    if not question.email:
        return
    body = render_to_string(
        template,
        {
            "question": question,
            "columnist": columnist(),
            "site_url": settings.WAGTAILADMIN_BASE_URL,
            **context,
        },
    )
    EmailMessage(subject, body, from_email(), [question.email]).send()


@task()
def tell_writer_published(question_id):
    question = Question.objects.select_related("letter").filter(pk=question_id).first()
    if question is None or question.letter is None:
        return
    send_to_writer(
        question,
        "questions/email/published.txt",
        f"Your letter has been answered: {question.letter.title}",
        letter_url=question.letter.full_url,
    )


@task()
def send_receipt(question_id, token):
    """The writer's copy of their status link. The token is only an argument here: the
    database keeps its hash, so this email is the one other place the link exists."""
    question = Question.objects.filter(pk=question_id).first()
    if question is None:  # withdrawn before the task ran
        return
    send_to_writer(
        question,
        "questions/email/receipt.txt",
        f"{columnist()} has your letter",
        status_url=settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        + reverse("questions:status", args=[token]),
    )


@task()
def tell_writer_declined(question_id):
    """The columnist's short reply to a declined letter, if there is one and an address."""
    question = Question.objects.filter(pk=question_id, status=Question.Status.DECLINED).first()
    if question is None or not question.decline_reply:
        return
    send_to_writer(question, "questions/email/declined.txt", "About your letter")


@task()
def purge_old_questions():
    """`manage.py purge_questions`, run daily (see docs/deployment.md)."""
    call_command("purge_questions")


@task()
def tell_writer_update_published(update_id):
    update = WriterUpdate.objects.select_related("question", "page").filter(pk=update_id).first()
    if update is None or update.page is None:
        return
    send_to_writer(
        update.question,
        "questions/email/update_published.txt",
        f"Your update has been published: {update.page.title}",
        update_url=update.page.full_url,
    )


@task()
def tell_writer_taken_down(takedown_id):
    takedown = TakedownRequest.objects.select_related("question").filter(pk=takedown_id).first()
    if takedown is None or takedown.pending:
        return
    send_to_writer(takedown.question, "questions/email/taken_down.txt", "Your letter is taken down")


@task()
def take_down_overdue_letters():
    """Unpublish the letters whose take-down is due (queued by the scheduler's tick)."""
    from . import writer  # writer imports this module (its emails)

    writer.take_down_overdue()
