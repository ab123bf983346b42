"""Publishing a letter that answers a reader's question marks the question published and
tells the writer (if they left an email address); so does publishing a writer's update.
Unpublishing a letter in the page editor completes a pending take-down request."""

from django.db import transaction
from django.dispatch import receiver

from wagtail.signals import page_published, page_unpublished

from dearly.articles.models import LetterPage, LetterUpdatePage

from . import tasks, writer
from .models import Question


@receiver(page_published)
def letter_published(sender, instance, **kwargs):
    question = Question.objects.filter(letter_id=instance.pk).first()
    if question is None or question.status == Question.Status.PUBLISHED:
        return
    question.set_status(Question.Status.PUBLISHED)
    if question.email:
        transaction.on_commit(lambda: tasks.tell_writer_published.enqueue(question.pk))


@receiver(page_published, sender=LetterUpdatePage)
def writer_update_published(sender, instance, **kwargs):
    writer.update_published(instance)


@receiver(page_unpublished, sender=LetterPage)
def letter_unpublished(sender, instance, **kwargs):
    writer.letter_unpublished(instance)
