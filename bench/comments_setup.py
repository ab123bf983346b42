"""Data for bench/comments_load.py, run in the server's environment (its own database).

python bench/comments_setup.py prepare ACCOUNTS   # prints SESSIONS={...}
python bench/comments_setup.py count               # prints COUNT=n DUPLICATES=n
"""

import json
import os
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dearly.settings.dev")

import django

django.setup()

from django.contrib.auth import (  # noqa: E402
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
)
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402

from allauth.account.models import EmailAddress  # noqa: E402

from dearly.articles.models import PostPage  # noqa: E402
from dearly.comments.models import Comment  # noqa: E402

ARTICLE_SLUG = "when-you-are-turned-down"
COMMENTS_ON_PAGE = 300
POST_PREFIX = "Load post "


def prepare(accounts):
    """300 comments on the article, readers who commented before (so their new comments
    appear at once), and a logged-in session for each reader."""
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
    print(
        "SESSIONS=" + json.dumps({"page_id": page.pk, "sessions": sessions, "comments": approved})
    )


def count():
    bodies = Counter(
        Comment.objects.filter(body__startswith=POST_PREFIX).values_list("body", flat=True)
    )
    duplicates = sum(1 for n in bodies.values() if n > 1)
    print(f"COUNT={sum(bodies.values())} DUPLICATES={duplicates}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["prepare"] and len(sys.argv) == 3 and sys.argv[2].isdigit():
        prepare(int(sys.argv[2]))
    elif sys.argv[1:] == ["count"]:
        count()
    else:
        sys.exit("usage: comments_setup.py prepare ACCOUNTS | count")
