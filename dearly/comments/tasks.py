"""Emails about comments, sent through the background task system (django-tasks)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import signing
from django.core.mail import EmailMessage
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from django_tasks import task

from dearly.core.mail import from_email

from .models import Comment

UNSUBSCRIBE_SALT = "dearly.comments.unsubscribe"


def unsubscribe_url(user):
    token = signing.dumps({"u": user.pk}, salt=UNSUBSCRIBE_SALT)
    return settings.WAGTAILADMIN_BASE_URL + reverse("comments:unsubscribe", args=[token])


def moderators():
    perm = Permission.objects.filter(codename="can_moderate", content_type__app_label="comments")
    User = get_user_model()
    return (
        User.objects.filter(
            Q(is_superuser=True) | Q(user_permissions__in=perm) | Q(groups__permissions__in=perm),
            is_active=True,
        )
        .exclude(email="")
        .distinct()
    )


def _send(template, subject, to_user, context, unsubscribe=True):
    context = {"site_url": settings.WAGTAILADMIN_BASE_URL, "recipient": to_user, **context}
    headers = {}
    if unsubscribe:
        url = unsubscribe_url(to_user)
        context["unsubscribe_url"] = url
        # RFC 8058 one-click unsubscribe: mail clients POST to this URL.
        headers = {
            "List-Unsubscribe": f"<{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    body = render_to_string(template, context)
    EmailMessage(subject, body, from_email(), [to_user.email], headers=headers).send()


@task()
def comment_posted(comment_id):
    """Tell the moderators about a held comment, or the parent's author about a reply."""
    comment = Comment.objects.select_related("page", "author").filter(pk=comment_id).first()
    if comment is None:
        return
    if comment.is_pending:
        for person in moderators():
            _send(
                "comments/email/awaiting_moderation.txt",
                f"A comment awaits moderation on “{comment.page.title}”",
                person,
                {
                    "comment": comment,
                    "queue_url": settings.WAGTAILADMIN_BASE_URL
                    + reverse("comment_moderation:index"),
                },
                unsubscribe=False,
            )
    else:
        notify_reply(comment)


@task()
def comment_approved(comment_id):
    comment = Comment.objects.select_related("page", "author").filter(pk=comment_id).first()
    if comment is not None:
        notify_reply(comment)


def notify_reply(comment):
    parent = comment.parent
    if parent is None or parent.author is None:
        return
    recipient = parent.author
    if recipient.pk == comment.author_id or not recipient.notify_replies or not recipient.email:
        return
    # Claimed in the database before sending: whichever of "posted", "approved" or a re-approval
    # after an edit comes first sends the one email; the others find the claim taken.
    unclaimed = Comment.objects.filter(pk=comment.pk, reply_notified_at__isnull=True)
    if not unclaimed.update(reply_notified_at=timezone.now()):
        return
    _send(
        "comments/email/reply.txt",
        f"{comment.display_name} replied to your comment on “{comment.page.title}”",
        recipient,
        {
            "comment": comment,
            "parent": parent,
            "comment_url": comment.page.full_url + f"#{comment.anchor}",
        },
    )
