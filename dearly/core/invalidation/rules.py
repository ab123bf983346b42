"""The changes core hears of: Wagtail's pages, sites, images and view restrictions, taggit's
tags, the column settings, and who may use the admin. Connected from CoreConfig.ready() (this
module imports models); the apps above add their own rules (articles: topics and authors;
comments: comments and commenters)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models.signals import m2m_changed

from taggit.models import Tag
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from dearly.core.models import ColumnSettings

from . import PAGES, PERMISSIONS, SITE, page, when_saved, when_signalled

# What Wagtail writes to a page row when a draft is saved, locked or given a child: nothing a
# reader sees (publishing sends page_published). An editor's autosave changes only these.
DRAFT_FIELDS = frozenset(
    {
        "wagtail_admin_comments",
        "latest_revision",
        "latest_revision_created_at",
        "draft_title",
        "has_unpublished_changes",
        "locked",
        "locked_at",
        "locked_by",
        "numchild",
    }
)
# Logging in or changing a password shows nothing new on any page (bylines, comments).
UNSHOWN_USER_FIELDS = frozenset({"last_login", "password"})


def page_changed(instance, **kwargs):
    return page(instance.pk), PAGES


def page_saved(instance, *, update_fields, deleted, **kwargs):
    """A live page saved directly (code, a management command) or deleted; drafts show nothing."""
    if deleted:
        return page(instance.pk), PAGES
    if not instance.live or (update_fields is not None and set(update_fields) <= DRAFT_FIELDS):
        return ()
    return page(instance.pk), PAGES


def restriction_changed(instance, **kwargs):
    return page(instance.page_id), PAGES


def site_changed(instance, **kwargs):
    return (SITE,)


def settings_changed(instance, *, created, **kwargs):
    # for_site() makes the row with its defaults on first use, which shows nothing new.
    return () if created else (SITE,)


def permissions_changed(instance, **kwargs):
    return (PERMISSIONS,)


def connect():
    for signal in (page_published, page_unpublished, post_page_move, page_slug_changed):
        when_signalled(signal, page_changed)
    # Page and each of its specific classes send post_save: listen to them all.
    when_saved(Page, page_saved, subclasses=True)
    when_saved(PageViewRestriction, restriction_changed)
    for model in (Site, Tag, get_image_model()):
        when_saved(model, site_changed)
    when_saved(ColumnSettings, settings_changed)
    user = get_user_model()
    for through in (user.groups.through, user.user_permissions.through, Group.permissions.through):
        when_signalled(m2m_changed, permissions_changed, sender=through)
    for model in (Group, Permission):
        when_saved(model, permissions_changed)
