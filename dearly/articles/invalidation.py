"""The changes articles announces (dearly.core.invalidation): topics, and the names of the
people posts are by. Connected from ArticlesConfig.ready()."""

from django.contrib.auth import get_user_model
from django.db.models.signals import pre_delete

from dearly.core.invalidation import SITE, when_saved
from dearly.core.invalidation.rules import UNSHOWN_USER_FIELDS

from .models import PostPage, Topic


def topic_changed(instance, **kwargs):
    return (SITE,)


def author_changed(instance, *, created, update_fields, **kwargs):
    """Bylines show authors' names on every listing; other readers' changes show nowhere here."""
    if created or instance.pk is None:
        return ()
    if update_fields is not None and set(update_fields) <= UNSHOWN_USER_FIELDS:
        return ()
    return (SITE,) if PostPage.objects.filter(author_id=instance.pk).exists() else ()


def connect():
    when_saved(Topic, topic_changed)
    # Before a user is deleted: afterwards their posts no longer point at them.
    when_saved(get_user_model(), author_changed, deleted_signal=pre_delete)
