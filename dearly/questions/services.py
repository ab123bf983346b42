"""Asking a question: similar published letters, storing a letter once, the status, withdrawal.

The rules live here so they can be tested without HTTP; views.py only translates them.
"""

import functools

from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.db import IntegrityError, connection, transaction

from wagtail.search.backends import get_search_backend

from dearly.articles.models import LetterPage
from dearly.core import security
from dearly.core.text import truncate_words

from . import tasks
from .models import Question, hash_token
from .similarity import content_words, question_plain_text, rank_similar

SIMILAR_LIMIT = 5
# How many letters the search backend hands to the ranker. See similar_letters.
CANDIDATES = 200
# The first content words of a question are enough to find candidates; a 5,000-character
# question must not become a 900-word OR query. Each term costs time in the index (with
# 100,000 letters, 8/12/24 terms took 40/75/171 ms: bench/README-ask.md).
SEARCH_TERMS = 16
EXCERPT_WORDS = 30
# Letters scoring under this share of the best match have only common words in common with
# the question ("years", "months"); listing them only hides the good ones.
MIN_SHARE_OF_BEST = 0.1

SUBMISSION_SALT = "dearly.questions.submission"
# A preview older than this must be looked at again before it can be sent.
SUBMISSION_MAX_AGE = 24 * 60 * 60


def similar_letters(text, request=None, limit=SIMILAR_LIMIT):
    """Up to `limit` published letters closest to `text`: [{"title", "url", "excerpt", "score"}].

    Only `LetterPage.objects.published()` is read, and only public fields (title, URL, the
    letter's question) are returned. Ranking every letter on every keystroke would not scale,
    so the site's full-text index picks up to CANDIDATES letters sharing words with the
    question (see `_candidates`), and `rank_similar` orders those.
    """
    letters = {page.pk: page for page in _candidates(text)}
    candidates = [
        (pk, page.title, question_plain_text(page.question)) for pk, page in letters.items()
    ]
    ranked = rank_similar(text, candidates, limit)
    if not ranked:
        return []
    best = ranked[0][1]
    if best > 0:
        ranked = [(pk, score) for pk, score in ranked if score >= best * MIN_SHARE_OF_BEST]
    return [
        {
            "title": letters[pk].title,
            "url": letters[pk].get_url(request),
            "excerpt": truncate_words(question_plain_text(letters[pk].question), EXCERPT_WORDS),
            "score": round(float(score), 4),
        }
        for pk, score in ranked
    ]


def _candidates(text):
    """Up to CANDIDATES published letters sharing words with `text`, best matches first.

    Only ASCII words reach the index (content_words), each quoted, so no reader text is
    search syntax; only the columns the ranker and the results need are read.

    On SQLite the FTS5 index Wagtail keeps is asked directly, with FTS5's own bm25 order:
    Wagtail's `.search()` orders by relevance through a correlated subquery per matching row,
    which took 15 s for one short question with 10,000 letters (bench/README-ask.md). On
    PostgreSQL `.search()` ranks in a single query and is used as it is."""
    words = content_words(text)[:SEARCH_TERMS]
    if not words:
        return []
    letters = LetterPage.objects.published().only("title", "question", "url_path")
    tables = _sqlite_fts_tables()
    if tables is None:
        return list(letters.search(" ".join(words), operator="or")[:CANDIDATES])
    order = {pk: n for n, pk in enumerate(_sqlite_fts_ids(tables, words))}
    return sorted(letters.filter(pk__in=order), key=lambda page: order[page.pk])


@functools.cache
def _sqlite_fts_tables():
    """(FTS5 table, index entry table) of Wagtail's SQLite search backend, or None."""
    if connection.vendor != "sqlite":
        return None
    # Only importable on SQLite: the module reads the FTS model at import time.
    from modelsearch.backends.database.sqlite.sqlite import (
        IndexEntry,
        SQLiteFTSIndexEntry,
        SQLiteSearchBackend,
    )

    if SQLiteFTSIndexEntry is None or not isinstance(get_search_backend(), SQLiteSearchBackend):
        return None
    return SQLiteFTSIndexEntry._meta.db_table, IndexEntry._meta.db_table


def _sqlite_fts_ids(tables, words):
    """Page ids of the letters in the FTS5 index best matching any of `words`, best first."""
    fts, entries = tables
    match = "{title body} : (" + " OR ".join(f'"{word}"' for word in words) + ")"
    sql = (
        f'SELECT e.object_id FROM "{fts}" JOIN "{entries}" AS e ON e.id = "{fts}".rowid '  # noqa: S608  # table names from the models, the query a parameter
        f'WHERE "{fts}" MATCH %s AND e.content_type_id = %s ORDER BY "{fts}".rank LIMIT %s'
    )
    content_type = ContentType.objects.get_for_model(LetterPage).pk
    with connection.cursor() as cursor:
        cursor.execute(sql, [match, content_type, CANDIDATES])
        return [int(object_id) for (object_id,) in cursor.fetchall() if object_id.isdigit()]


def new_submission():
    """A fresh status token, signed so the preview can carry it to the sending step.

    The token is made when the preview is shown, and the question is stored under it: a
    second "Send" of the same preview (double click, reload, back button) finds the question
    already there instead of storing it twice."""
    token, _ = Question.new_token()
    return signing.dumps(token, salt=SUBMISSION_SALT)


def submission_token(signed):
    """The token a preview carried, or None if it is missing, forged or too old."""
    if not signed or len(signed) > 200:
        return None
    try:
        return signing.loads(signed, salt=SUBMISSION_SALT, max_age=SUBMISSION_MAX_AGE)
    except signing.BadSignature:
        return None


def client_ip(request):
    address = security.client_ip(request)  # REMOTE_ADDR, or what our proxies wrote
    return str(address) if address else None


def store_question(token, *, text, pen_name, email="", ip_address=None, user=None):
    """Store a letter under `token` unless it already is. Returns (question, created).

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


def status_steps(question):
    """[(label, state)] for the progress list; state is "done", "current" or "todo"."""
    stage = STAGES[question.status]
    last = "Declined" if stage == "declined" else "Published"
    labels = ["Received", "In review", last]
    current = {"received": 0, "review": 1, "published": 2, "declined": 2}[stage]
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
