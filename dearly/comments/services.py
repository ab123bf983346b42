"""Posting and moderating comments: the rules in one place, testable without HTTP."""

import unicodedata

from django.db import transaction
from django.utils import timezone

from wagtail.models import Site

from dearly.core.ids import parse_id
from dearly.core.invalidation import SITE, cached

from .models import (
    EDIT_WINDOW,
    MAX_DEPTH,
    MAX_LENGTH,
    Comment,
    CommentableMixin,
    CommentSettings,
    HeldThread,
)
from .rendering import count_links

DUPLICATE_WINDOW = timezone.timedelta(minutes=2)
MAX_LINKS = 2
THREAD_HELD = "every new comment on this page is held"
EDITED = "edited: "  # starts held_because when an approved comment is held again by an edit


class CommentRefused(Exception):
    """A refusal with a message the reader can act on, and the HTTP status to answer with."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.message = message
        self.status = status


def comment_settings(page, request=None):
    """The CommentSettings of the page's site; with a request, from the fragment cache under
    the site's version, as the column settings are (no query)."""
    site = Site.find_for_request(request) if request is not None else page.get_site()
    if site is None:
        return CommentSettings()
    if request is None:
        return CommentSettings.for_site(site)
    key = f"comment-settings:{site.pk}"
    return cached(request, key, (SITE,), lambda: CommentSettings.for_site(site))


def commentable(page):
    """The page as its own type when that type takes comments, else CommentRefused: 404, as
    for a page that is not there, since there is nothing to comment on."""
    page = page if isinstance(page, CommentableMixin) else page.specific
    if not isinstance(page, CommentableMixin):
        raise CommentRefused("This page does not take comments.", status=404)
    return page


def closed_reason(page, settings=None, now=None):
    """Why comments are closed on `page`, or "" when they are open."""
    return page.closed_reason(settings or comment_settings(page), now)


def clean_body(body):
    """Normalised text, or CommentRefused with a message the reader can act on."""
    if body is None:
        raise CommentRefused("Please write a comment.")
    if "\x00" in body:
        raise CommentRefused("Your comment contains a character that cannot be stored.")
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    body = "".join(
        ch for ch in body if ch == "\n" or unicodedata.category(ch) not in ("Cc", "Cs")
    ).strip()
    if not body:
        raise CommentRefused("Please write a comment.")
    if len(body) > MAX_LENGTH:
        raise CommentRefused(
            f"Your comment is {len(body):,} characters long; please keep it to {MAX_LENGTH:,}."
        )
    return body


def check_may_write(author, page, settings):
    """Who may post or edit a comment: a logged-in reader, not banned, on an open page."""
    if not author.is_authenticated:
        raise CommentRefused("You must be logged in to post a comment.", status=403)
    if author.banned_from_commenting:
        raise CommentRefused("Your account may not post comments.", status=403)
    reason = closed_reason(page, settings)
    if reason:
        raise CommentRefused(reason, status=403)


def hold_reason(author, body, settings, page):
    """Why a new or edited comment waits for a moderator, or "" when it can appear at once."""
    if settings.hold_all_comments:
        return "all comments are held"
    if HeldThread.objects.filter(page_id=page.pk).exists():
        return THREAD_HELD
    if not Comment.objects.filter(author=author, status=Comment.Status.APPROVED).exists():
        return "first comment"
    if count_links(body) > MAX_LINKS:
        return "more than two links"
    lowered = body.lower()
    for word in settings.moderation_words.splitlines():
        if word.strip() and word.strip().lower() in lowered:
            return "moderation word"
    return ""


def post_comment(*, page, author, body, parent_id=None, ip_address=None):
    """Store a new comment (or return the identical one just posted). Returns (comment, new)."""
    page = commentable(page)
    settings = comment_settings(page)
    check_may_write(author, page, settings)
    body = clean_body(body)
    parent = None
    if parent_id not in (None, ""):
        parent_pk = parse_id(parent_id)
        parent = parent_pk and (
            Comment.objects.filter(pk=parent_pk, page=page)
            .exclude(status__in=Comment.TAKEN_DOWN)
            .first()
        )
        if not parent:
            raise CommentRefused("The comment you are replying to is not on this page.")
        while parent.depth >= MAX_DEPTH and parent.parent_id:
            parent = parent.parent  # deeper replies join the deepest shown level
    with transaction.atomic():
        duplicate = (
            Comment.objects.select_for_update()
            .filter(
                page=page,
                author=author,
                parent=parent,
                body=body,
                created_at__gte=timezone.now() - DUPLICATE_WINDOW,
            )
            .first()
        )
        if duplicate:
            return duplicate, False
        held = hold_reason(author, body, settings, page)
        comment = Comment.objects.create(
            page=page,
            parent=parent,
            depth=parent.depth + 1 if parent else 1,
            author=author,
            body=body,
            status=Comment.Status.PENDING if held else Comment.Status.APPROVED,
            held_because=held,
            ip_address=ip_address,
        )
        from .tasks import comment_posted  # tasks import this module

        transaction.on_commit(lambda: comment_posted.enqueue(comment.pk))
    return comment, True


def ensure_can_change(comment, user, done="edited"):
    """A reader may change their own comment for EDIT_WINDOW after posting it."""
    if comment.author_id is None or comment.author_id != getattr(user, "pk", None):
        raise CommentRefused(f"Only its author can have a comment {done}.", status=403)
    if not comment.editable_by(user):
        minutes = int(EDIT_WINDOW.total_seconds() // 60)
        raise CommentRefused(f"Comments can be {done} for {minutes} minutes only.", status=403)


def edit_comment(comment, user, body):
    """New text passes the rules a new comment does: an approved comment edited into one a
    moderator must see (links, moderation words, all held) waits in the queue again."""
    ensure_can_change(comment, user, "edited")
    page = commentable(comment.page)
    settings = comment_settings(page)
    check_may_write(user, page, settings)
    comment.body = clean_body(body)
    comment.edited_at = timezone.now()
    fields = ["body", "body_html", "edited_at"]
    held = hold_reason(user, comment.body, settings, page)
    with transaction.atomic():
        if held and comment.status == Comment.Status.APPROVED:
            comment.status = Comment.Status.PENDING
            comment.held_because = EDITED + held
            fields += ["status", "held_because"]
            from .tasks import comment_posted  # tasks import this module

            transaction.on_commit(lambda: comment_posted.enqueue(comment.pk))  # tell moderators
        comment.save(update_fields=fields)
    return comment


def remove_comment(comment):
    """Delete it, or keep a "This comment was removed" placeholder when it has replies."""
    if comment.replies.exists():
        comment.status = Comment.Status.REMOVED
        comment.body = ""
        comment.save(update_fields=["status", "body", "body_html"])
    else:
        comment.delete()


def delete_own_comment(comment, user):
    ensure_can_change(comment, user, "deleted")
    remove_comment(comment)


def moderate(comments, action):
    """Apply a moderator's action to comments; returns how many changed."""
    targets = {
        "approve": Comment.Status.APPROVED,
        "reject": Comment.Status.REJECTED,
        "spam": Comment.Status.SPAM,
    }
    comments = list(comments)
    if action == "delete":
        for comment in comments:
            remove_comment(comment)
        return len(comments)
    if action not in targets:
        raise CommentRefused(f"Unknown action: {action}.")
    changed = 0
    for comment in comments:
        if comment.status == Comment.Status.REMOVED:
            continue  # an empty placeholder kept for its replies: nothing to approve or judge
        if comment.status != targets[action]:
            comment.status = targets[action]
            comment.save(update_fields=["status"])
            changed += 1
            if action == "approve" and not comment.held_because.startswith(EDITED):
                from .tasks import comment_approved  # tasks import this module

                # A reply's author was told when it was first approved, not again per edit.
                transaction.on_commit(lambda pk=comment.pk: comment_approved.enqueue(pk))
    return changed


def hold_thread(page, hold, moderator):
    """Hold every new comment on `page` (hold=True) or go back to the usual rules. Returns
    whether anything changed."""
    page = commentable(page)
    if not hold:
        return HeldThread.objects.filter(page_id=page.pk).delete()[0] > 0
    _, created = HeldThread.objects.get_or_create(page_id=page.pk, defaults={"held_by": moderator})
    return created
