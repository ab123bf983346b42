"""Content for the benchmarks' scratch sites, written in the server's environment: run by
harness.site_data(env, COMMAND, ...) with the checkout under test as the working directory,
so that the same script fills an old commit's site in bench/compare.py. Prints one JSON line.

    prepare READERS       300 comments on the article, READERS readers with sessions
    count                 comments posted by bench/comments_load.py, and duplicates
    make-letters N        N more published letters, inserted in bulk
    letter-count          published letters
    pages                 every published guide and letter: [[id, url], …]
    letter-urls           every published letter's URL: [url, …]
    sample N SEED         N random published guides and N letters: {guides: [url…], letters: […]}
"""

import datetime
import json
import random
import re
import sys
import time
import uuid
from collections import Counter

import harness

harness.django_setup()

from django.contrib.auth import (  # noqa: E402
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
)
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from wagtail.models import Page  # noqa: E402

from allauth.account.models import EmailAddress  # noqa: E402

from dearly.articles.models import (  # noqa: E402
    ArticlePage,
    ColumnIndexPage,
    LetterPage,
    PostPage,
)
from dearly.comments.models import Comment  # noqa: E402

ARTICLE_SLUG = "when-you-are-turned-down"
COMMENTS_ON_PAGE = 300
POST_PREFIX = "Load post "
LABELLED = harness.ROOT / "dearly" / "questions" / "data" / "similar_letters.json"


def prepare(accounts):
    """300 comments on the article, readers who commented before (so their new comments
    appear at once), and a logged-in session for each reader."""
    accounts = int(accounts)
    page = PostPage.objects.get(slug=ARTICLE_SLUG)
    readers = []
    for n in range(accounts):
        user, _ = get_user_model().objects.get_or_create(
            username=f"load{n}",
            defaults={"display_name": f"Load {n}", "email": f"load{n}@example.com"},
        )
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        readers.append(user)
    missing = COMMENTS_ON_PAGE - Comment.objects.filter(page=page, status="approved").count()
    Comment.objects.bulk_create(
        Comment(
            page=page,
            author=readers[n % accounts],
            body=f"Earlier comment {n} with a https://example.com link.",
            body_html=f'<p>Earlier comment {n} with a <a href="https://example.com">link</a>.</p>',
            status="approved",
        )
        for n in range(max(0, missing))
    )
    sessions = []
    for user in readers:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        sessions.append(store.session_key)
    approved = Comment.objects.filter(page=page, status="approved").count()
    print(json.dumps({"page_id": page.pk, "sessions": sessions, "comments": approved}))


def count():
    bodies = Counter(
        Comment.objects.filter(body__startswith=POST_PREFIX).values_list("body", flat=True)
    )
    duplicates = sum(1 for n in bodies.values() if n > 1)
    print(json.dumps({"count": sum(bodies.values()), "duplicates": duplicates}))


def make_letters(count):
    """Insert `count` published LetterPages under the column, fast, and as Wagtail has them.

    One demo letter is the template: its rows in wagtailcore_page, articles_postpage and
    articles_letterpage are copied with a new id, tree path (treebeard's own _get_path),
    slug, URL path, translation key, title, question, pen name and answer. The column's
    numchild is updated, so the tree stays valid (Page.fix_tree would find nothing to fix)."""
    count = int(count)
    rng = random.Random(count)  # noqa: S311  # made-up letters, not secrets
    data = json.loads(LABELLED.read_text(encoding="utf-8"))
    sentences = [
        s.strip() + "."
        for letter in data["letters"]
        for s in re.split(r"(?<=[.?!])\s+", letter["question"])
        if len(s.split()) > 3
    ]
    answers = [letter["answer"] for letter in data["letters"]]
    pen_words = "Tired Hopeful Stuck Worried Puzzled Frustrated Ready Quiet Curious Overlooked"
    pen_words = pen_words.split()
    places = "Leeds Lyon Derby Oslo Perth Cork Bonn Turin Austin Malmo Graz Ghent".split()

    column = ColumnIndexPage.objects.get()
    template = LetterPage.objects.child_of(column).live().first()
    tables = [Page._meta.db_table, PostPage._meta.db_table, LetterPage._meta.db_table]
    keys = ["id", "page_ptr_id", "postpage_ptr_id"]
    with connection.cursor() as cursor:
        rows = {}
        for table, key in zip(tables, keys, strict=True):
            cursor.execute(f'SELECT * FROM "{table}" WHERE "{key}" = %s', [template.pk])  # noqa: S608
            columns = [c[0] for c in cursor.description]
            rows[table] = dict(zip(columns, cursor.fetchone(), strict=True))
        cursor.execute(f'SELECT MAX(id) FROM "{Page._meta.db_table}"')  # noqa: S608
        next_id = cursor.fetchone()[0] + 1
    column.refresh_from_db()
    position = column.numchild
    now = timezone.now()
    started = time.monotonic()
    batch = 5000
    for start in range(0, count, batch):
        pages, posts, letters = [], [], []
        for n in range(start, min(count, start + batch)):
            page_id = next_id + n
            position += 1
            pen_name = f"{rng.choice(pen_words)} in {rng.choice(places)}"
            slug = f"bench-letter-{page_id}"
            question = " ".join(rng.sample(sentences, rng.randint(3, 6)))
            date = connection.ops.adapt_datetimefield_value(now - datetime.timedelta(minutes=n))
            page = dict(rows[tables[0]])
            page.update(
                id=page_id,
                path=Page._get_path(column.path, column.depth + 1, position),
                depth=column.depth + 1,
                numchild=0,
                title=f"Dear Dr. Mimi – {pen_name}",
                draft_title=f"Dear Dr. Mimi – {pen_name}",
                slug=slug,
                url_path=f"{column.url_path}{slug}/",
                translation_key=uuid.uuid4().hex,
                live=True,
                has_unpublished_changes=False,
                first_published_at=date,
                last_published_at=date,
                latest_revision_id=None,
                live_revision_id=None,
                latest_revision_created_at=None,
                search_description="",
                seo_title="",
            )
            pages.append(page)
            post = dict(rows[tables[1]])
            post.update(page_ptr_id=page_id, date=date, excerpt="", featured=False)
            posts.append(post)
            letter = dict(rows[tables[2]])
            letter.update(
                postpage_ptr_id=page_id,
                question=f"<p>{question}</p>",
                pen_name=pen_name,
                answer=f"<p>{rng.choice(answers)}</p>",
                update_id=None,
            )
            letters.append(letter)
        with transaction.atomic(), connection.cursor() as cursor:
            for table, values in zip(tables, (pages, posts, letters), strict=True):
                columns = list(values[0])
                sql = 'INSERT INTO "{}" ({}) VALUES ({})'.format(  # noqa: S608
                    table,
                    ", ".join(f'"{c}"' for c in columns),
                    ", ".join(["%s"] * len(columns)),
                )
                cursor.executemany(sql, [[row[c] for c in columns] for row in values])
    Page.objects.filter(pk=column.pk).update(numchild=position)
    print(
        json.dumps(
            {
                "inserted": count,
                "seconds": round(time.monotonic() - started, 1),
                "published_letters": LetterPage.objects.published().count(),
            }
        )
    )


def letter_count():
    print(json.dumps({"published_letters": LetterPage.objects.published().count()}))


def pages():
    """Every published guide and letter: [[page id, url], …]."""
    published = PostPage.objects.published().order_by("pk")
    print(json.dumps([[page.pk, page.url] for page in published]))


def letter_urls():
    """Every published letter's URL: [url, …]."""
    print(json.dumps([page.url for page in LetterPage.objects.published().order_by("pk")]))


def sample(count, seed):
    """`count` random published guides and as many letters, chosen by page id with `seed`
    (the same site gives the same sample): {"guides": [url, …], "letters": [url, …]}."""
    rng = random.Random(int(seed))  # noqa: S311  # a repeatable sample, not a secret
    chosen = {}
    for kind, model in (("guides", ArticlePage), ("letters", LetterPage)):
        ids = list(model.objects.published().order_by("pk").values_list("pk", flat=True))
        picked = rng.sample(ids, min(int(count), len(ids)))
        pages = model.objects.filter(pk__in=picked).in_bulk()
        chosen[kind] = [pages[pk].url for pk in picked]
    print(json.dumps(chosen))


COMMANDS = {
    "prepare": prepare,
    "count": count,
    "make-letters": make_letters,
    "letter-count": letter_count,
    "pages": pages,
    "letter-urls": letter_urls,
    "sample": sample,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(f"usage: site_data.py {' | '.join(COMMANDS)} [ARG]")
    COMMANDS[sys.argv[1]](*sys.argv[2:])
