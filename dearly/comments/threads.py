"""Turn one page's comments into threads for display."""

from dataclasses import dataclass, field
from urllib.parse import quote

from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from .models import MAX_DEPTH


@dataclass
class Node:
    comment: object
    replies: list = field(default_factory=list)
    visible: bool = True


def build_threads(comments):
    """Top-level nodes, oldest first, each with its replies. Taken-down comments stay only as
    placeholders above visible replies; replies whose parent is not here become top-level."""
    nodes = {c.pk: Node(c) for c in comments}
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.comment.parent_id)
        # Imported threads keep their true parents; deeper replies show at the deepest level.
        while parent is not None and parent.comment.depth >= MAX_DEPTH:
            parent = nodes.get(parent.comment.parent_id)
        (parent.replies if parent else roots).append(node)

    def prune(node_list):
        kept = []
        for node in node_list:
            node.replies = prune(node.replies)
            if not node.comment.is_taken_down or node.replies:
                kept.append(node)
        return kept

    return prune(roots)


class ThreadRenderer:
    """The HTML of a page's comment threads, written in Python: a page with 300 comments
    renders in a few milliseconds instead of the ~100 ms 300 nested template includes took.

    Everything a reader typed is escaped here (body_html was sanitised when it was saved)."""

    def __init__(self, *, reader, csrf_token, closed, path):
        self.reader = reader
        self.closed = closed
        self.csrf_input = (
            format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', csrf_token)
            if csrf_token
            else ""
        )
        marker = "987654321"
        self.urls = {
            name: reverse(f"comments:{name}", args=[marker]).replace(marker, "{}")
            for name in ("edit", "delete", "report")
        }
        self.login_to_reply = (
            "/accounts/login/?next=" + quote(path, safe="/") + "%3Freplyto%3D{}%23respond"
        )

    def render(self, nodes):
        out = []
        for node in nodes:
            self._node(node, out)
        return mark_safe("".join(out))  # noqa: S308  # every piece is escaped below

    def _node(self, node, out):
        c = node.comment
        pending = " comment-pending" if c.is_pending else ""
        out.append(f'<li class="comment{pending}" id="{c.anchor}">')
        if c.is_taken_down:
            out.append(
                '<article class="comment-body" aria-label="Comment by a reader">'
                '<p class="comment-removed">This comment was removed.</p></article>'
            )
        else:
            name = escape(c.display_name)
            when = timezone.localtime(c.created_at)
            badge, label = self._badge(c), name
            if badge:
                label = f"{name}, verified {escape(c.badge.lower())}"
            out.append(
                f'<article class="comment-body" aria-label="Comment by {label}">'
                f'<p class="comment-meta"><strong>{name}</strong>{badge}{self._kind(c)} · '
                f'<a href="#{c.anchor}">'
                f'<time datetime="{when.isoformat()}">'
                f"{when.day} {MONTHS[when.month]} {when.year}, {when:%H:%M}</time></a>"
            )
            if c.edited_at:
                out.append(' · <span class="edited">edited</span>')
            out.append("</p>")
            if c.is_pending:
                out.append(
                    '<p class="pending-note">Your comment is awaiting moderation. '
                    "Only you can see it.</p>"
                )
            out.append(f'<div class="comment-text">{c.body_html}</div>')
            out.append(f'<div class="comment-actions">{self._actions(c)}</div></article>')
        if node.replies:
            out.append('<ol class="comment-replies">')
            for reply in node.replies:
                self._node(reply, out)
            out.append("</ol>")
        out.append("</li>")

    @staticmethod
    def _badge(c):
        """The author's verified role on the page (Comment.badge, from PageRole): markup only
        ever written here, never from anything a reader typed."""
        badge = getattr(c, "badge", "")
        if not badge:
            return ""
        return (
            ' <span class="comment-badge"><span class="visually-hidden">verified </span>'
            f"{escape(badge)}</span>"
        )

    @staticmethod
    def _kind(c):
        kind = getattr(c, "kind", "comment")
        return "" if kind == "comment" else f' <span class="comment-kind">({kind})</span>'

    def _actions(self, c):
        if self.reader is None:
            if self.closed:
                return ""
            return f'<a href="{self.login_to_reply.format(c.pk)}">Log in to reply</a>'
        links = []
        if not c.is_pending and not self.closed:
            links.append(f'<a href="?replyto={c.pk}#respond">Reply</a>')
        if c.author_id == self.reader.pk:
            if getattr(c, "can_change", False):
                links.append(f'<a href="{self.urls["edit"].format(c.pk)}">Edit</a>')
                links.append(f'<a href="{self.urls["delete"].format(c.pk)}">Delete</a>')
        elif not c.is_pending:
            links.append(
                f'<form method="post" action="{self.urls["report"].format(c.pk)}" '
                f'class="inline-form">{self.csrf_input}'
                '<button type="submit" class="link-button">Report</button></form>'
            )
        return " ".join(links)
