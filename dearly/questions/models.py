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
