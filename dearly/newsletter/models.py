"""Readers who follow the column by email: one row per address, whatever became of it.

An address is a subscriber only once it confirmed (double opt-in), or was imported by an editor
who confirmed those people had agreed. Unsubscribed and bouncing addresses keep their row, so
that an import or a stray form never makes them active again without a new confirmation."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from dearly.articles.models import Topic


class SubscriberQuerySet(models.QuerySet):
    def active(self):
        """Who gets mail: confirmed, not paused, not unsubscribed, not bouncing."""
        return self.filter(state=Subscriber.State.ACTIVE, paused=False)

    def with_email(self, email):
        return self.filter(email__iexact=email.strip())


class Subscriber(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        ACTIVE = "active", "Active"
        BOUNCING = "bouncing", "Bouncing"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    class Frequency(models.TextChoices):
        EACH = "each", "Every letter and guide, as it is published"
        WEEKLY = "weekly", "A weekly digest"

    class Source(models.TextChoices):
        FORM = "form", "Subscribe form"
        ACCOUNT = "account", "Reader account"
        IMPORT = "import", "Imported by an editor"

    email = models.EmailField(max_length=254)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,  # deleting an account deletes its subscription
        related_name="subscription",
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    frequency = models.CharField(max_length=8, choices=Frequency.choices, default=Frequency.EACH)
    topics = models.ManyToManyField(
        Topic, blank=True, help_text="Only posts on these topics; none means everything."
    )
    paused = models.BooleanField(default=False)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.FORM)
    created_at = models.DateTimeField(default=timezone.now)
    # When a confirmation was last asked for: a confirmation link carries it, so a link mailed
    # before the latest request (or before unsubscribing) confirms nothing.
    requested_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    # Permanent (5xx) failures in a row; the address is marked bouncing after a few.
    failures = models.PositiveSmallIntegerField(default=0)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="newsletter_unique_email"),
        ]
        indexes = [models.Index(fields=["state", "paused"])]

    def __str__(self):
        return self.email

    def status(self):
        """The state as the editor's list shows it: "Active, paused"."""
        return self.get_state_display() + (", paused" if self.paused else "")

    def gets(self):
        return "Weekly digest" if self.frequency == self.Frequency.WEEKLY else "Each post"

    def confirm(self, when=None):
        self.state = self.State.ACTIVE
        self.confirmed_at = when or timezone.now()
        self.unsubscribed_at = None
        self.failures = 0

    def unsubscribe(self, when=None):
        self.state = self.State.UNSUBSCRIBED
        self.unsubscribed_at = when or timezone.now()


class Mailing(models.Model):
    """One page's email to the subscribers, made once when the page is first published (the
    page's one-to-one keeps it once); or the weekly digest of the posts first published from
    `digest_from` to `digest_until` (unique). Its deliveries record who it went to."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        DONE = "done", "Sent"
        CANCELLED = "cancelled", "Cancelled (the page is no longer public)"

    page = models.OneToOneField(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="newsletter_mailing",
    )
    digest_from = models.DateTimeField(null=True, blank=True)
    digest_until = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    # Deliveries are made for every matching subscriber first, then sent; a sender killed
    # half-way through making them starts again, and the unique pair keeps one each.
    addressed = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state"])]
        constraints = [
            models.UniqueConstraint(
                fields=["digest_until"],
                condition=models.Q(digest_until__isnull=False),
                name="newsletter_one_digest_a_week",
            ),
            models.CheckConstraint(
                condition=models.Q(page__isnull=False) | models.Q(digest_until__isnull=False),
                name="newsletter_page_or_digest",
            ),
        ]

    def __str__(self):
        if self.page_id is None:
            return f"Weekly digest to {self.digest_until:%d %b %Y}"
        return f"Mailing of page {self.page_id}"

    @property
    def is_digest(self):
        return self.page_id is None

    def failures(self):
        """The failed deliveries, for the editor: "address: the server's answer", 100 at most."""
        failed = self.deliveries.filter(state=Delivery.State.FAILED).select_related("subscriber")
        lines = [f"{d.subscriber.email}: {d.error or 'failed'}" for d in failed[:100]]
        return "\n".join(lines) or "None"

    failures.short_description = "Failed deliveries"


class Delivery(models.Model):
    """One mailing to one subscriber: recorded before the SMTP call, marked sent just before
    the message is completed (sending.py explains the order)."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        CLAIMED = "claimed", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        # The reader unsubscribed, paused or started bouncing after the mailing was addressed:
        # not sent, and not a failure of the mailing.
        SKIPPED = "skipped", "Not sent (left or paused since)"

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    # Who holds a claim, and since when: a claim older than the lease is taken over.
    claimed_by = models.CharField(max_length=40, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    retry_after = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mailing", "subscriber"], name="newsletter_one_delivery_each"
            )
        ]
        indexes = [models.Index(fields=["mailing", "state"])]

    def __str__(self):
        return f"{self.mailing} to {self.subscriber_id}: {self.state}"
