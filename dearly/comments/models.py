"""Readers' comments on any Wagtail page that takes them: threaded, moderated, plain text."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property

from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from .rendering import render_body

MAX_LENGTH = 5000
MAX_DEPTH = 5  # replies deeper than this attach to the deepest shown level
EDIT_WINDOW = timezone.timedelta(minutes=15)
DELETED_READER = "Deleted reader"


@register_setting(icon="comment")
class CommentSettings(BaseSiteSetting):
    """How a site moderates comments and when it closes them."""

    hold_all_comments = models.BooleanField(
        default=False,
        help_text="Hold every comment for moderation (otherwise only a reader's first one).",
    )
    close_comments_after_days = models.PositiveIntegerField(
        default=0, help_text="Close comments on posts older than this many days (0: never)."
    )
    moderation_words = models.TextField(
        blank=True,
        help_text="One word or phrase per line; comments containing any are held.",
    )
    pile_on_replies = models.PositiveIntegerField(
        default=5,
        help_text="Flag a thread for moderators when this many replies to the letter writer's "
        "comments come within an hour (0: never).",
    )

    panels = [
        FieldPanel("hold_all_comments"),
        FieldPanel("close_comments_after_days"),
        FieldPanel("moderation_words"),
        FieldPanel("pile_on_replies"),
    ]

    class Meta:
        verbose_name = "comment settings"


class CommentableMixin(models.Model):
    """Mixed into a Wagtail page type whose readers may comment; any other page refuses
    comments. Comments close by the page's own switch, or by age (CommentSettings)."""

    comments_open = models.BooleanField(
        default=True, help_text="Readers may comment (the site may also close comments by age)."
    )

    class Meta:
        abstract = True

    def comments_dated_from(self):
        """When the age that closes comments counts from: first publication, unless the page
        type has a date of its own."""
        return self.first_published_at

    def closed_reason(self, settings, now=None):
        """Why comments are closed on this page under `settings`, or "" when they are open."""
        if not self.comments_open:
            return "Comments are closed on this page."
        days = settings.close_comments_after_days
        since = self.comments_dated_from()
        if days and since and (now or timezone.now()) - since > timezone.timedelta(days=days):
            return f"Comments close {days} days after publication."
        return ""


class CommentQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Comment.Status.APPROVED)

    def awaiting_moderation(self):
        return self.filter(status=Comment.Status.PENDING)

    def reported(self):
        return self.filter(reports__isnull=False).distinct()

    def for_thread(self, page, reader=None):
        """Everything a thread on `page` may need, oldest first, with authors, in one query:
        approved comments, the reader's own comments awaiting moderation, and taken-down ones
        (shown as placeholders only where they have visible replies)."""
        visible = models.Q(status__in=[Comment.Status.APPROVED, *Comment.TAKEN_DOWN])
        if reader is not None and reader.is_authenticated:
            visible |= models.Q(status=Comment.Status.PENDING, author=reader)
        return (
            self.filter(visible, page=page)
            .select_related("author")
            .with_author_role()
            .order_by("created_at", "pk")
        )

    def with_author_role(self):
        """Each comment with `author_role`: the role its author holds on its page ("" for
        none), read in the same query (a subquery on PageRole's unique index)."""
        role = PageRole.objects.filter(page=models.OuterRef("page"), user=models.OuterRef("author"))
        return self.annotate(author_role=models.Subquery(role.values("role")[:1]))


class Comment(models.Model):
    class Kind(models.TextChoices):
        COMMENT = "comment", "Comment"
        PINGBACK = "pingback", "Pingback"  # only from a WordPress import
        TRACKBACK = "trackback", "Trackback"

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting moderation"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        SPAM = "spam", "Spam"
        REMOVED = "removed", "Removed"

    TAKEN_DOWN = (Status.REJECTED, Status.SPAM, Status.REMOVED)

    # Any page; only pages whose type has CommentableMixin accept new comments.
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    depth = models.PositiveSmallIntegerField(default=1)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    # For comments without an account (imported ones); never an email.
    author_name = models.CharField(max_length=100, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.COMMENT)
    body = models.TextField(max_length=MAX_LENGTH)
    body_html = models.TextField(editable=False, default="")  # rendered once, on save
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    held_because = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Private, for moderation only: never rendered on a public page.
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    author_email = models.EmailField(blank=True)  # imported comments without an account
    # Set once, before the "someone replied" email goes: a second approval or a late task
    # finds it set and sends nothing (exactly once).
    reply_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["page", "status", "created_at"])]
        permissions = [("can_moderate", "Can moderate comments")]

    def __str__(self):
        return f"Comment {self.pk} by {self.display_name} on {self.page_id}"

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "body" in update_fields:  # not on a status change
            self.body_html = render_body(self.body) if self.body else ""
        super().save(*args, **kwargs)

    @property
    def display_name(self):
        if self.author_id is None and not self.author_name:
            return DELETED_READER
        if self.author_id is None:
            return self.author_name
        return self.author.public_name

    @property
    def badge(self):
        """What its author's role on the page says beside their name ("Letter writer"), or ""."""
        role = getattr(self, "author_role", None)
        return PageRole.Role(role).label if role in PageRole.Role.values else ""

    @property
    def is_taken_down(self):
        return self.status in self.TAKEN_DOWN

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING

    def editable_by(self, user, now=None):
        now = now or timezone.now()
        return (
            user.is_authenticated
            and self.author_id == user.pk
            and self.status in (self.Status.APPROVED, self.Status.PENDING)
            and now - self.created_at <= EDIT_WINDOW
        )

    @cached_property
    def anchor(self):
        return f"comment-{self.pk}"


class CommentReport(models.Model):
    """A reader's report that a comment breaks the rules; one per reader and comment."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter"], name="one_report_per_reader")
        ]

    def __str__(self):
        return f"Report on comment {self.comment_id}"


class PageRole(models.Model):
    """A reader's verified role on one page, shown as a badge beside their name on their
    comments there ("Letter writer"). Nobody gives it to themselves: apps above record it from
    what they verified (dearly.questions: the writer of a letter who claimed it with the
    letter's private status link). Badges are never a display name, so no name can pass for
    one (dearly.accounts.forms.is_reserved_name refuses the labels as names)."""

    class Role(models.TextChoices):
        LETTER_WRITER = "letter_writer", "Letter writer"

    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="page_roles"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["page", "user"], name="one_role_per_reader_and_page")
        ]

    def __str__(self):
        return f"{self.get_role_display()} on page {self.page_id}"


class HeldThread(models.Model):
    """A page whose every new comment waits for a moderator: switched on from the queue in
    one click (a pile-on on a letter writer, a heated thread) and off again."""

    page = models.OneToOneField(
        "wagtailcore.Page", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    since = models.DateTimeField(default=timezone.now)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self):
        return f"Every new comment held on page {self.page_id}"
