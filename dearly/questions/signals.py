"""Publishing a letter that answers a reader's question marks the question published and
tells the writer (if they left an email address)."""

from django.db import transaction
from django.dispatch import receiver

from wagtail.signals import page_published

from . import tasks
from .models import Question


@receiver(page_published)
def letter_published(sender, instance, **kwargs):
    question = Question.objects.filter(letter_id=instance.pk).first()
    if question is None or question.status == Question.Status.PUBLISHED:
        return
    question.set_status(Question.Status.PUBLISHED)
    if question.email:
        transaction.on_commit(lambda: tasks.tell_writer_published.enqueue(question.pk))
