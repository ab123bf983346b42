"""What refreshes cached pages: each content change bumps the tags of what it shows.

Tags are bumped twice: at once, so that a test or a request later in the same transaction
never sees the old response, and again after the commit, so that a response rendered from
the old rows between the first bump and the commit is not kept either."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from taggit.models import Tag
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from .store import StoreError, get_store

logger = logging.getLogger(__name__)


def invalidate(*tags):
    """Refresh every cached response that depends on any of `tags`, now and after commit."""
    if not settings.PAGECACHE_ENABLED:
        return
    if not transaction.get_connection().in_atomic_block:
        _bump(tags, purge=True)  # already committed
        return
    _bump(tags)
    transaction.on_commit(lambda: _bump(tags, purge=True))


def _bump(tags, purge=False):
    store = get_store()
    try:
        urls = store.urls_for(tags) if purge and settings.WAGTAILFRONTENDCACHE else ()
        store.bump(tags)
    except StoreError:
        # Serving goes on; cached copies of this content stay until they expire (PAGECACHE_TTL).
        logger.exception("page cache: could not invalidate %s", ", ".join(tags))
        return
    if urls:
        from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache

        purge_urls_from_cache(urls)


def page_changed(instance, **kwargs):
    invalidate(f"page:{instance.pk}", "pages")


def page_deleted(instance, **kwargs):
    if isinstance(instance, Page):
        invalidate(f"page:{instance.pk}", "pages")


def restriction_changed(instance, **kwargs):
    invalidate(f"page:{instance.page_id}", "pages")


def comment_changed(instance, created=False, update_fields=None, **kwargs):
    from dearly.comments.models import Comment

    if created and instance.status == Comment.Status.PENDING:
        return  # nobody but its writer sees it yet, and they are logged in
    if update_fields is not None and "status" not in update_fields:
        invalidate(f"thread:{instance.page_id}")  # an edit: the counts stay the same
        return
    # Its page's thread, and the comment counts that listings and related posts show.
    invalidate(f"thread:{instance.page_id}", "comments")


def site_changed(**kwargs):
    invalidate("site")


def settings_changed(created=False, **kwargs):
    if not created:  # made with the defaults on the first page view, which already shows them
        invalidate("site")


def user_changed(instance, created=False, update_fields=None, **kwargs):
    # Names and bios show on posts, author pages and comments; a login only sets last_login.
    if created or (update_fields is not None and set(update_fields) <= {"last_login"}):
        return
    invalidate("site")


def connect():
    from dearly.articles.models import Topic
    from dearly.comments.models import Comment
    from dearly.core.models import ColumnSettings

    uid = "dearly.pagecache"
    page_published.connect(page_changed, dispatch_uid=f"{uid}.published")
    page_unpublished.connect(page_changed, dispatch_uid=f"{uid}.unpublished")
    post_page_move.connect(page_changed, dispatch_uid=f"{uid}.moved")
    page_slug_changed.connect(page_changed, dispatch_uid=f"{uid}.slug")
    post_delete.connect(page_deleted, dispatch_uid=f"{uid}.page_deleted")
    for signal in (post_save, post_delete):
        name = "saved" if signal is post_save else "deleted"
        signal.connect(restriction_changed, PageViewRestriction, dispatch_uid=f"{uid}.r.{name}")
        signal.connect(comment_changed, Comment, dispatch_uid=f"{uid}.comment.{name}")
        signal.connect(user_changed, get_user_model(), dispatch_uid=f"{uid}.user.{name}")
        signal.connect(settings_changed, ColumnSettings, dispatch_uid=f"{uid}.settings.{name}")
        for model in (Topic, Tag, Site, get_image_model()):
            signal.connect(site_changed, model, dispatch_uid=f"{uid}.{model.__name__}.{name}")
