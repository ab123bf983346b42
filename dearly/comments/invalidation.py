"""The changes comments announces (dearly.core.invalidation): comments, and the names of the
people who wrote them. Connected from CommentsConfig.ready()."""

from django.contrib.auth import get_user_model
from django.db.models.signals import pre_delete

from dearly.core.invalidation import COMMENTS, held, thread, when_saved
from dearly.core.invalidation.rules import UNSHOWN_USER_FIELDS, settings_changed

from .models import Comment, CommentSettings, PageRole


def comment_changed(instance, *, created, update_fields, deleted, **kwargs):
    """Who has a comment held on the page, always; its threads unless the comment is new and
    held (only its writer sees it, on a page rendered for them alone); the counts listings and
    related posts show unless it was only edited."""
    tags = [held(instance.page_id)]
    if not deleted and created and instance.status == Comment.Status.PENDING:
        return tags
    tags.append(thread(instance.page_id))
    if update_fields is not None and "status" not in update_fields:
        return tags  # an edit: the counts stay the same
    return [*tags, COMMENTS]


def role_changed(instance, **kwargs):
    """A badge given or taken away shows on the page's threads at once."""
    return [thread(instance.page_id)]


def commenter_changed(instance, *, created, update_fields, **kwargs):
    if created or instance.pk is None:
        return ()
    if update_fields is not None and set(update_fields) <= UNSHOWN_USER_FIELDS:
        return ()
    page_ids = Comment.objects.filter(author_id=instance.pk).values_list("page_id", flat=True)
    return [thread(page_id) for page_id in set(page_ids)]


def connect():
    when_saved(Comment, comment_changed)
    when_saved(PageRole, role_changed)
    when_saved(CommentSettings, settings_changed)  # shown on cached pages, as ColumnSettings is
    # Before a user is deleted: afterwards their comments no longer point at them.
    when_saved(get_user_model(), commenter_changed, deleted_signal=pre_delete)
