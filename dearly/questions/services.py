"""Asking a question: similar published letters, storing a letter once, the status, withdrawal.

The rules live here so they can be tested without HTTP; views.py only translates them.
"""

from django.core import signing
from django.db import IntegrityError, transaction

from dearly.articles.found import published_letters
from dearly.articles.models import LetterPage
from dearly.core import security
from dearly.core.text import truncate_words
from dearly.retrieval import query

from . import consent, tasks
from .models import Question, hash_token
from .similarity import question_plain_text

SIMILAR_LIMIT = 5
EXCERPT_WORDS = 30

SUBMISSION_SALT = "dearly.questions.submission"
# A preview older than this must be looked at again before it can be sent.
SUBMISSION_MAX_AGE = 24 * 60 * 60


def similar_letters(text, request=None, limit=SIMILAR_LIMIT):
    """Up to `limit` published letters closest in meaning to `text`:
    [{"title", "url", "excerpt", "score"}]. A round-up's letters come one by one, each at its
    anchor ("…/#letter-2").

    Every published letter is compared (dearly.retrieval: the vectors of all of them, no
    lexical pre-filter), and only published letters are read, for public fields only (title,
    URL, the letter's question: dearly.articles.found)."""
    ranked = query.similar(text, kinds=("letter",), limit=limit)
    letters = published_letters(key for key, _ in ranked)
    return [
        {
            "title": letters[key].title,
            "url": letters[key].get_url(request),
            "excerpt": truncate_words(question_plain_text(letters[key].question), EXCERPT_WORDS),
            "score": round(float(score), 4),
        }
        for key, score in ranked
        if key in letters
    ]


def new_submission(salt=SUBMISSION_SALT):
    """A fresh status token, signed so the preview can carry it to the sending step.

    The token is made when the preview is shown, and the question is stored under it: a
    second "Send" of the same preview (double click, reload, back button) finds the question
    already there instead of storing it twice. A writer's update is sent the same way, under
    its own `salt` (writer.UPDATE_SALT), so that one kind of preview cannot send the other."""
    token, _ = Question.new_token()
    return signing.dumps(token, salt=salt)


def submission_token(signed, salt=SUBMISSION_SALT):
    """The token a preview carried, or None if it is missing, forged or too old."""
    if not signed or len(signed) > 200:
        return None
    try:
        return signing.loads(signed, salt=salt, max_age=SUBMISSION_MAX_AGE)
    except signing.BadSignature:
        return None


def client_ip(request):
    address = security.client_ip(request)  # REMOTE_ADDR, or what our proxies wrote
    return str(address) if address else None


def store_question(
    token, *, text, pen_name, email="", ip_address=None, user=None, consent_text=None
):
    """Store a letter under `token` unless it already is, with the record of the writer's
    consent (`consent_text`: the words the form showed). Returns (question, created).

    If an email address was given, a receipt with the status link is sent after the commit."""
    token_hash = hash_token(token)
    existing = Question.objects.filter(token_hash=token_hash).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            question = Question.objects.create(
                token_hash=token_hash,
                text=text,
                pen_name=pen_name,
                email=email,
                consent=True,
                ip_address=ip_address,
                user=user if user is not None and user.is_authenticated else None,
            )
            text = consent_text or consent.letter_consent_text(tasks.columnist())
            consent.record(question, text, ip_address)
    except IntegrityError:  # the same preview sent twice at the same moment
        return Question.objects.get(token_hash=token_hash), False
    if question.email:
        transaction.on_commit(lambda: tasks.send_receipt.enqueue(question.pk, token))
    return question, True


# What the writer sees of each status: received → in review → published, or declined.
STAGES = {
    Question.Status.NEW: "received",
    Question.Status.SHORTLISTED: "review",
    Question.Status.ANSWERED: "review",
    Question.Status.PUBLISHED: "published",
    Question.Status.DECLINED: "declined",
}
LAST_STEP = {"declined": "Declined", "taken_down": "Taken down"}


def status_stage(question):
    """The status page's stage: STAGES, or "taken_down" once the letter was taken down at the
    writer's request (the question stays published: the letter is a draft the editor keeps)."""
    takedown = getattr(question, "takedown", None)
    if takedown is not None and not takedown.pending:
        return "taken_down"
    return STAGES[question.status]


def status_steps(question, stage=None):
    """[(label, state)] for the progress list; state is "done", "current" or "todo"."""
    stage = stage or status_stage(question)
    labels = ["Received", "In review", LAST_STEP.get(stage, "Published")]
    current = {"received": 0, "review": 1}.get(stage, 2)
    return [
        (label, "done" if n < current else "current" if n == current else "todo")
        for n, label in enumerate(labels)
    ]


def published_letter(question):
    """The live, public letter that answers `question`, or None."""
    if question.status != Question.Status.PUBLISHED or question.letter_id is None:
        return None
    return LetterPage.objects.published().filter(pk=question.letter_id).first()


def can_withdraw(question):
    """A published letter is part of the column (linked, quoted, in feeds): it stays."""
    return question.status != Question.Status.PUBLISHED


def withdraw(question):
    """Delete the question. Returns False (and keeps it) once its letter is published."""
    if not can_withdraw(question):
        return False
    question.delete()
    return True
