"""A guide or letter published for the first time queues its mailing (sending.py sends it)."""

from django.db import transaction
from django.dispatch import receiver

from wagtail.signals import page_published

from django_tasks import task_backends
from django_tasks.backends.immediate import ImmediateBackend

from . import sending
from .tasks import send_mailings


@receiver(page_published)
def mail_first_publication(sender, instance, **kwargs):
    if sending.start_mailing(instance) is None:
        return
    # In the request's own process (make run) the scheduler thread sends it within a minute:
    # publishing never waits for the list. With a task worker, the worker does.
    if not isinstance(task_backends[send_mailings.backend], ImmediateBackend):
        transaction.on_commit(send_mailings.enqueue)
