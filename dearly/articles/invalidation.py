"""The changes articles announces (dearly.core.invalidation): topics, the names of the
people posts are by, and a letter writer's updates, which their letter shows. Connected from
ArticlesConfig.ready()."""

from django.contrib.auth import get_user_model
from django.db.models.signals import pre_delete

from wagtail.signals import page_published, page_unpublished

from dearly.core.invalidation import SITE, page, when_saved, when_signalled
from dearly.core.invalidation.rules import UNSHOWN_USER_FIELDS

from .models import LetterUpdatePage, PostPage, Topic


def topic_changed(instance, **kwargs):
    return (SITE,)


def author_changed(instance, *, created, update_fields, **kwargs):
    """Bylines show authors' names on every listing; other readers' changes show nowhere here."""
    if created or instance.pk is None:
        return ()
    if update_fields is not None and set(update_fields) <= UNSHOWN_USER_FIELDS:
        return ()
    return (SITE,) if PostPage.objects.filter(author_id=instance.pk).exists() else ()


def update_changed(instance, **kwargs):
    """An update published, unpublished, saved live or deleted: its letter lists it. (Every
    publication also bumps `pages`; this says what the letter shows, whatever that does.)"""
    letter_id = getattr(instance, "letter_id", None)
    return (page(letter_id),) if letter_id else ()


def update_saved(instance, *, deleted, **kwargs):
    return update_changed(instance) if deleted or instance.live else ()


def connect():
    when_saved(Topic, topic_changed)
    # Before a user is deleted: afterwards their posts no longer point at them.
    when_saved(get_user_model(), author_changed, deleted_signal=pre_delete)
    for signal in (page_published, page_unpublished):
        when_signalled(signal, update_changed, sender=LetterUpdatePage)
    when_saved(LetterUpdatePage, update_saved)
