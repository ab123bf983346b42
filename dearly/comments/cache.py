"""A page's comment threads, rendered once per change of its comments and shared by readers.

Two shared renderings per page: one for logged-out readers, one for any logged-in reader with
every reader-specific piece left as a marker: the CSRF token of the Report forms, and the links
under each comment a reader might have written (their own get Edit/Delete instead of Report).
A request fills the markers in from what it already knows, without a query per comment. The
cache key holds the page's comments version (dearly.core.versions), which changes in the same
transaction as any comment on the page, or a commenter's name.

A reader with a comment of their own awaiting moderation sees it in the thread, so their page
is rendered in full (dearly.comments.context).
"""

import hashlib
import secrets
from dataclasses import dataclass
from types import SimpleNamespace

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save, pre_delete
from django.utils import timezone
from django.utils.safestring import mark_safe

from dearly.core import versions

from .models import EDIT_WINDOW, Comment
from .threads import ThreadRenderer, build_threads


class _NoOne:
    """A logged-in reader who wrote none of the comments (pk equals no author id)."""

    pk = object()


@dataclass
class SharedThread:
    parts: list  # the HTML between the slots
    slots: list  # (comment pk, author id, created_at, generic links) per slot, in order
    csrf_marker: str
    count: int  # approved comments
    has_threads: bool

    def html(self, renderer, reader):
        """The threads for `reader` (None: logged out), the markers filled in."""
        if reader is None:
            return mark_safe(self.parts[0])  # noqa: S308  # escaped by ThreadRenderer
        now = timezone.now()
        out = [self.parts[0]]
        for (pk, author_id, created_at, generic), part in zip(
            self.slots, self.parts[1:], strict=True
        ):
            if author_id == reader.pk:
                own = SimpleNamespace(
                    pk=pk,
                    author_id=author_id,
                    is_pending=False,  # pending comments are never in the shared rendering
                    can_change=now - created_at <= EDIT_WINDOW,
                )
                out.append(renderer._actions(own))
            else:
                out.append(generic)
            out.append(part)
        html = "".join(out).replace(self.csrf_marker, renderer.csrf_input)
        return mark_safe(html)  # noqa: S308  # every piece comes from ThreadRenderer


class _SharedRenderer(ThreadRenderer):
    def __init__(self, *, for_readers, closed, path):
        super().__init__(
            reader=_NoOne() if for_readers else None, csrf_token=None, closed=closed, path=path
        )
        # Random per rendering: a comment's text can never contain a marker by chance or intent.
        nonce = secrets.token_hex(8)
        self.slot_marker = f"\ue000{nonce}\ue001"
        self.csrf_input = self.csrf_marker = f"\ue002{nonce}\ue003"
        self.slots = []

    def _actions(self, c):
        links = super()._actions(c)
        if self.reader is None or c.author_id is None:
            return links
        self.slots.append((c.pk, c.author_id, c.created_at, links))
        return self.slot_marker


def shared_thread(request, page, *, for_readers, closed):
    version = versions.current(request, versions.page_comments(page.pk))
    variant = "readers" if for_readers else "anonymous"
    path = hashlib.md5(request.path.encode(), usedforsecurity=False).hexdigest()
    key = f"dearly:thread:{page.pk}:{version[versions.page_comments(page.pk)]}:{variant}:"
    key += f"{int(bool(closed))}:{path}"
    entry = cache.get(key)
    if entry is None:
        comments = list(Comment.objects.for_thread(page))
        threads = build_threads(comments)
        renderer = _SharedRenderer(for_readers=for_readers, closed=closed, path=request.path)
        html = renderer.render(threads)
        entry = SharedThread(
            parts=html.split(renderer.slot_marker),
            slots=renderer.slots,
            csrf_marker=renderer.csrf_marker,
            count=sum(1 for c in comments if c.status == Comment.Status.APPROVED),
            has_threads=bool(threads),
        )
        cache.set(key, entry, versions.TIMEOUT)
    return entry


# Keeping the versions exact: every way a page's comments or their authors' names change.


def _comment_changed(sender, instance, **kwargs):
    versions.bump(versions.page_comments(instance.page_id), versions.COMMENTS)


def _commenter_changed(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and set(update_fields) <= {"last_login", "password"}:
        return
    if instance.pk is None:
        return
    page_ids = set(Comment.objects.filter(author_id=instance.pk).values_list("page_id", flat=True))
    versions.bump(*(versions.page_comments(page_id) for page_id in page_ids))


def connect():
    """Called from CommentsConfig.ready()."""
    from django.contrib.auth import get_user_model

    for signal in (post_save, post_delete):
        signal.connect(_comment_changed, sender=Comment, dispatch_uid=f"dearly-thread-{signal}")
    # Before a user is deleted: afterwards their comments no longer point at them.
    for signal in (post_save, pre_delete):
        signal.connect(
            _commenter_changed,
            sender=get_user_model(),
            dispatch_uid=f"dearly-thread-user-{signal}",
        )
