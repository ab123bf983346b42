"""A page's comment threads, rendered once per change of its comments and shared by readers.

Two shared renderings per page: one for logged-out readers, one for any logged-in reader with
every reader-specific piece left as a marker: the CSRF token of the Report forms, and the links
under each comment a reader might have written (their own get Edit/Delete instead of Report).
A request fills the markers in from what it already knows, without a query. The
cache key holds the versions of the page's `thread:<id>` and `held:<id>` tags
(dearly.core.invalidation), which any change of a comment on the page, or of a commenter's name,
bumps (dearly.comments.invalidation).

A reader with a comment of their own awaiting moderation sees it in the thread, so their page
is rendered in full (dearly.comments.context).
"""

import hashlib
import secrets
from dataclasses import dataclass
from types import SimpleNamespace

from django.utils import timezone
from django.utils.safestring import mark_safe

from dearly.core.invalidation import TIMEOUT, fragment_cache, held, thread, token

from .models import EDIT_WINDOW, Comment
from .threads import ThreadRenderer, build_threads


class _NoOne:
    """A logged-in reader who wrote none of the comments (pk equals no author id)."""

    pk = object()


@dataclass
class SharedThread:
    html: str  # for readers: the CSRF marker where the token goes
    own: dict  # author id -> [(start, end, comment pk, created_at)] of their links in `html`
    csrf_marker: str
    count: int  # approved comments
    has_threads: bool
    waiting: frozenset  # ids of readers with a comment awaiting moderation on the page

    def for_reader(self, renderer, reader):
        """The threads for `reader` (None: logged out), their own links and token filled in."""
        if reader is None:
            return mark_safe(self.html)  # noqa: S308  # escaped by ThreadRenderer
        now, out, done = timezone.now(), [], 0
        for start, end, pk, created_at in self.own.get(reader.pk, ()):
            mine = SimpleNamespace(
                pk=pk,
                author_id=reader.pk,
                is_pending=False,  # comments awaiting moderation are never in `html`
                can_change=now - created_at <= EDIT_WINDOW,
            )
            out += [self.html[done:start], renderer._actions(mine)]
            done = end
        out.append(self.html[done:])
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

    def shared(self, threads):
        """The HTML with each slot holding the links anyone but its author sees, and where
        each author's slots are."""
        parts = self.render(threads).split(self.slot_marker)
        out, own, at = [parts[0]], {}, len(parts[0])
        for (pk, author_id, created_at, links), part in zip(self.slots, parts[1:], strict=True):
            own.setdefault(author_id, []).append((at, at + len(links), pk, created_at))
            out += [links, part]
            at += len(links) + len(part)
        return "".join(out), own


def shared_thread(request, page, *, for_readers, closed):
    """The page's threads as every reader of the kind sees them, from the cache."""
    version = token(request, thread(page.pk), held(page.pk))
    variant = "readers" if for_readers else "anonymous"
    path = hashlib.md5(request.path.encode(), usedforsecurity=False).hexdigest()
    key = f"dearly:thread:{page.pk}:{version}:{variant}:{int(bool(closed))}:{path}"
    entry = fragment_cache.get(key) if version is not None else None
    if entry is None:
        comments = list(Comment.objects.for_thread(page))
        threads = build_threads(comments)
        renderer = _SharedRenderer(for_readers=for_readers, closed=closed, path=request.path)
        html, own = renderer.shared(threads)
        entry = SharedThread(
            html=html,
            own=own,
            csrf_marker=renderer.csrf_marker,
            count=sum(1 for c in comments if c.status == Comment.Status.APPROVED),
            has_threads=bool(threads),
            waiting=frozenset(
                Comment.objects.awaiting_moderation()
                .filter(page=page, author__isnull=False)
                .values_list("author_id", flat=True)
            ),
        )
        if version is not None:
            fragment_cache.set(key, entry, TIMEOUT)
    return entry
