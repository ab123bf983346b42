"""Plain helpers for comment tests."""

from django.contrib.auth import get_user_model

from dearly.comments.models import Comment

_n = iter(range(1, 10**6))


def make_reader(name=None, **fields):
    n = next(_n)
    name = name or f"reader{n}"
    fields.setdefault("display_name", name.title())
    fields.setdefault("email", f"{name}@example.com")
    return get_user_model().objects.create_user(name, password="pw", **fields)


def make_comment(page, author=None, body="A kind word.", status="approved", parent=None, **kw):
    return Comment.objects.create(
        page=page,
        author=author,
        body=body,
        status=status,
        parent=parent,
        depth=parent.depth + 1 if parent else 1,
        **kw,
    )
