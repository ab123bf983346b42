"""What comments tells the invalidation layer: comments and their writers' names
(dearly.comments.invalidation)."""

import pytest

from dearly.core.invalidation import COMMENTS, held, thread, token
from dearly.testing import make_article

from .helpers import make_comment, make_reader

pytestmark = pytest.mark.django_db


def versions(*tags):
    return {tag: token(None, tag) for tag in tags}


def changed(before):
    now = versions(*before)
    return {tag for tag in before if now[tag] != before[tag]}


@pytest.fixture
def guide(site_tree):
    return make_article(site_tree["guides"], title="Raise", slug="raise")


def test_a_held_comment_changes_only_who_is_waiting(guide):
    """Logged-out readers' cached page stays: only its writer sees a held comment."""
    tags = (held(guide.pk), thread(guide.pk), COMMENTS)
    before = versions(*tags)
    comment = make_comment(guide, make_reader("bo"), status="pending")
    assert changed(before) == {held(guide.pk)}
    before = versions(*tags)
    comment.status = "approved"
    comment.save(update_fields=["status"])
    assert changed(before) == set(tags)


def test_an_edit_refreshes_the_thread_but_not_the_counts(guide):
    comment = make_comment(guide, make_reader("bo"))
    before = versions(thread(guide.pk), COMMENTS)
    comment.body = "A kinder word."
    comment.save(update_fields=["body"])
    assert changed(before) == {thread(guide.pk)}


def test_a_removed_comment_refreshes_thread_and_counts(guide):
    comment = make_comment(guide, make_reader("bo"))
    before = versions(thread(guide.pk), COMMENTS)
    comment.delete()
    assert changed(before) == {thread(guide.pk), COMMENTS}


def test_a_commenter_renamed_refreshes_the_threads_they_wrote_in(guide, site_tree):
    other = make_article(site_tree["guides"], title="Quiet", slug="quiet")
    writer = make_reader("bo")
    make_comment(guide, writer)
    before = versions(thread(guide.pk), thread(other.pk))
    writer.display_name = "Bo Jensen"
    writer.save()
    assert changed(before) == {thread(guide.pk)}
