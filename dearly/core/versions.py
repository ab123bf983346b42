"""Version tokens for cached fragments, kept in the database so that every worker process and
app server sees a change on its very next request (the default cache may be per process).

A fragment is cached under a key that includes the tokens it depends on; a change writes a new
token in the same transaction as the change itself, so the old entries are never read again
and age out of the cache. Keys:

- CONTENT: anything a published page shows apart from comments (pages, topics, tags, site
  settings, authors' names, images, view restrictions), read by the route, article,
  navigation and related-post caches;
- COMMENTS: any comment anywhere (bumped by bulk writers such as the importer; no cache
  reads it any more: related posts use the comment versions of the posts they show);
- page_comments(page_id): the comments on one page (its comment threads);
- PERMISSIONS: users' groups and permissions (who may use the admin);
- EVERYTHING: part of every token `current()` returns, so one bump makes every fragment
  anywhere stale (`clear_page_cache`, after rows were changed behind the signals' back).
"""

import secrets

from django.db import connection
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

CONTENT = "content"
COMMENTS = "comments"
PERMISSIONS = "permissions"
EVERYTHING = "everything"
TIMEOUT = 24 * 3600  # entries under old tokens are never read again; let them expire


def page_comments(page_id):
    return f"comments:{page_id}"


def bump(*keys):
    """Give each key a new token (one statement, joining the caller's transaction)."""
    from .models import ContentVersion

    keys = sorted(set(keys))  # the same row order in every writer: no deadlock on PostgreSQL
    if not keys:
        return
    token = secrets.token_hex(8)
    ContentVersion.objects.bulk_create(
        [ContentVersion(key=key, token=token) for key in keys],
        update_conflicts=True,
        unique_fields=["key"],
        update_fields=["token"],
    )


# key -> keys usually needed with it (a page's and its related posts' comment versions), so
# that one query reads them all; per process, a hint only.
_FETCH_WITH = {}
MAX_FETCH_WITH = 10_000


def fetch_with(key, others):
    if _FETCH_WITH.get(key) != others:
        if len(_FETCH_WITH) >= MAX_FETCH_WITH:
            _FETCH_WITH.clear()
        _FETCH_WITH[key] = others


def current(request, *keys):
    """The tokens of `keys`, each prefixed with EVERYTHING's, read once per request in one
    query ("" for a key never bumped)."""
    known = getattr(request, "_dearly_versions", None) if request is not None else None
    if known is None:
        known = {}
        if request is not None:
            request._dearly_versions = known
    missing = [key for key in keys if key not in known]
    if missing:
        # The site-wide keys come along with the first read: most requests need them all.
        missing += [key for key in (EVERYTHING, CONTENT, PERMISSIONS) if key not in known]
        for key in list(missing):
            missing += [k for k in _FETCH_WITH.get(key, ()) if k not in known]
        missing = list(dict.fromkeys(missing))
        found = _read(missing)
        known.update({key: found.get(key, "") for key in missing})
    return {key: f"{known[EVERYTHING]}.{known[key]}" for key in keys}


def _read(keys):
    """{key: token} for the keys that have one; plain SQL, as this runs on every request."""
    from .models import ContentVersion

    table = connection.ops.quote_name(ContentVersion._meta.db_table)
    marks = ", ".join(["%s"] * len(keys))
    with connection.cursor() as cursor:
        key, token = connection.ops.quote_name("key"), connection.ops.quote_name("token")
        sql = f"SELECT {key}, {token} FROM {table} WHERE {key} IN ({marks})"  # noqa: S608
        cursor.execute(sql, keys)
        return dict(cursor.fetchall())


def content_changed(**kwargs):
    bump(CONTENT)


def _settings_saved(sender, created=False, **kwargs):
    # for_site() creates the row with its defaults on first use, which shows nothing new.
    if not created:
        bump(CONTENT)


def _page_saved_or_deleted(sender, instance, **kwargs):
    if isinstance(instance, Page):
        bump(CONTENT)


def _user_saved_or_deleted(sender, instance, update_fields=None, **kwargs):
    """Authors' names are shown in bylines; logging in (last_login only) changes nothing shown."""
    if update_fields is not None and set(update_fields) <= {"last_login", "password"}:
        return
    from dearly.articles.models import PostPage

    if instance.pk and PostPage.objects.filter(author_id=instance.pk).exists():
        bump(CONTENT)


def permissions_changed(**kwargs):
    bump(PERMISSIONS)


def connect():
    """Called from CoreConfig.ready()."""
    from django.contrib.auth import get_user_model

    from taggit.models import Tag
    from wagtail.images import get_image_model
    from wagtail.models import PageViewRestriction, Site

    from dearly.articles.models import Topic

    from .models import ColumnSettings

    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(content_changed, dispatch_uid=f"dearly-versions-{signal}")
    for signal in (post_save, post_delete):
        signal.connect(_page_saved_or_deleted, dispatch_uid=f"dearly-versions-page-{signal}")
        for model in (Topic, Tag, Site, PageViewRestriction, get_image_model()):
            signal.connect(
                content_changed, sender=model, dispatch_uid=f"dearly-versions-{model}-{signal}"
            )
    post_save.connect(_settings_saved, sender=ColumnSettings, dispatch_uid="dearly-settings")
    post_delete.connect(content_changed, sender=ColumnSettings, dispatch_uid="dearly-settings-del")
    from django.contrib.auth.models import Group, Permission

    user = get_user_model()
    for through in (user.groups.through, user.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(
            permissions_changed, sender=through, dispatch_uid=f"dearly-perms-{through}"
        )
    for model in (Group, Permission):
        for signal in (post_save, post_delete):
            signal.connect(
                permissions_changed, sender=model, dispatch_uid=f"dearly-perms-{model}-{signal}"
            )
    # Before a user is deleted: afterwards their posts no longer point at them.
    for signal in (post_save, pre_delete):
        signal.connect(
            _user_saved_or_deleted,
            sender=get_user_model(),
            dispatch_uid=f"dearly-versions-user-{signal}",
        )
