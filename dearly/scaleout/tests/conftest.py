import pytest
from allauth.account.models import EmailAddress

from dearly import testing
from dearly.comments.tests.helpers import make_reader


@pytest.fixture
def committed(transactional_db, django_db_serialized_rollback, _migrated_rows):
    """A small column whose rows are committed, so other processes (app servers, the worker)
    see them. Wagtail's own rows come back after the flush as in the `demo` fixture
    (dearly/conftest.py); plain transactional_db would leave the next tests without a root
    page."""
    from django.db import connection

    if not hasattr(connection, "_test_serialized_contents"):
        connection._test_serialized_contents = _migrated_rows
    tree = testing.make_site_tree()
    letter = testing.make_letter(
        tree["letters"], title="Dear Dr. Mimi – Two Desks", pen_name="Two Desks"
    )
    editor = make_reader("editor", email="editor@example.com", is_staff=True, is_superuser=True)
    EmailAddress.objects.create(user=editor, email=editor.email, primary=True, verified=True)
    return {**tree, "letter": letter, "editor": editor}
