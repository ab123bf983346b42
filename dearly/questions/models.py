"""Readers' questions ("Ask Dr. Mimi"): sent under a pen name, tracked to publication.

The status link is the writer's only key to their question: the token is shown to them once
(and emailed if they gave an address); only its SHA-256 is stored, so a copy of the database
cannot be used to read or withdraw anyone's question.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

QUESTION_MIN = 30
QUESTION_MAX = 5000
PEN_NAME_MAX = 60


def hash_token(token):
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class QuestionQuerySet(models.QuerySet):
    def in_inbox(self):
        return self.exclude(status=Question.Status.DECLINED)

    def awaiting_answer(self):
        return self.filter(status__in=[Question.Status.NEW, Question.Status.SHORTLISTED])

    def by_token(self, token):
        if not token or len(token) > 100:
            return self.none()
        return self.filter(token_hash=hash_token(token))


class Question(models.Model):
    class Status(models.TextChoices):
        NEW = "new", "New"
        SHORTLISTED = "shortlisted", "Shortlisted"
        ANSWERED = "answered", "Answered (draft letter)"
        PUBLISHED = "published", "Published"
        DECLINED = "declined", "Declined"

    text = models.TextField(max_length=QUESTION_MAX)
    pen_name = models.CharField(max_length=PEN_NAME_MAX)
    # Private: only to tell the writer what happened. Never rendered outside the inbox.
    email = models.EmailField(blank=True)
    consent = models.BooleanField(default=False)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.NEW, db_index=True
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questions",
    )
    letter = models.OneToOneField(
        "articles.LetterPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="source_question",
    )
    decline_reply = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    status_changed_at = models.DateTimeField(default=timezone.now)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("can_answer_questions", "Can read and answer readers' questions")]

    def __str__(self):
        return f"Question {self.pk} from {self.pen_name}"

    @classmethod
    def new_token(cls):
        """A fresh status-link token (192 random bits) and its stored hash."""
        token = secrets.token_urlsafe(24)
        return token, hash_token(token)

    def set_status(self, status):
        self.status = status
        self.status_changed_at = timezone.now()
        self.save(update_fields=["status", "status_changed_at"])


class LetterClaim(models.Model):
    """A published letter claimed by its writer for a reader account, from the private status
    link: that account's comments on the letter and on its updates show "Letter writer"
    (dearly.comments.models.PageRole rows, kept in step by services.sync_badges). One letter,
    one account; the writer drops it from their profile page."""

    question = models.OneToOneField(Question, on_delete=models.CASCADE, related_name="claim")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="letter_claims"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Claim of question {self.question_id}"


UPDATE_MAX = 5000


class WriterUpdate(models.Model):
    """What a writer sent from their status page after their letter was published: it waits in
    the letters inbox beside the letter until an editor answers it (a draft LetterUpdatePage)
    or declines it."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        ANSWERED = "answered", "Answered (draft update)"
        PUBLISHED = "published", "Published"
        DECLINED = "declined", "Declined"

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="updates")
    text = models.TextField(max_length=UPDATE_MAX)
    # The hash of the preview's token: a second "Send" of the same preview finds it here.
    submission_hash = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.NEW, db_index=True
    )
    page = models.OneToOneField(
        "articles.LetterUpdatePage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="source_update",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    status_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Update {self.pk} from {self.question.pen_name}"

    def set_status(self, status, *fields):
        self.status = status
        self.status_changed_at = timezone.now()
        self.save(update_fields=["status", "status_changed_at", *fields])


class Consent(models.Model):
    """What a writer agreed to when sending a letter (or an update to it), and when. The IP
    address is kept only as a keyed hash (consent.ip_hash), and only for the retention period
    (purge_questions); the text and the time stay as long as the question does."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="consents")
    update = models.OneToOneField(
        WriterUpdate, null=True, blank=True, on_delete=models.CASCADE, related_name="consent"
    )
    text = models.TextField()
    agreed_at = models.DateTimeField(default=timezone.now)
    ip_hash = models.CharField(max_length=64, blank=True)
    # Made by migration 0004 for a letter sent before consent was recorded: the form's wording
    # then, not the words the writer saw (see docs/questions.md, "Consent").
    recorded_afterwards = models.BooleanField(default=False)

    class Meta:
        ordering = ["agreed_at", "pk"]

    def __str__(self):
        return f"Consent {self.pk} to question {self.question_id}"


class TakedownRequest(models.Model):
    """A published writer's request to take their letter down. The letter is unpublished by an
    editor from the inbox, or by the scheduler once `due_at` passes; nothing is deleted."""

    question = models.OneToOneField(Question, on_delete=models.CASCADE, related_name="takedown")
    requested_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(db_index=True)
    done_at = models.DateTimeField(null=True, blank=True)
    # Who unpublished it; empty when the deadline did (or the letter was unpublished elsewhere).
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_at", "pk"]

    def __str__(self):
        return f"Take-down of question {self.question_id}"

    @property
    def pending(self):
        return self.done_at is None
