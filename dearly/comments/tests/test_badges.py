"""Verified badges on comments (PageRole): shown beside the name of the reader who holds the
role on that page only, with an accessible label, never from anything a reader typed, at once
when given or taken away, and in the same number of queries however many comments there are."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

import pytest

from dearly.comments.models import Comment, PageRole
from dearly.core.invalidation import COMMENTS, held, invalidate, thread, token
from dearly.testing import make_letter

from .helpers import make_comment, make_reader

pytestmark = pytest.mark.django_db

BADGE = (
    '<span class="comment-badge"><span class="visually-hidden">verified </span>Letter writer</span>'
)


@pytest.fixture
def letter(site_tree):
    return make_letter(site_tree["letters"], title="Dear Dr. Mimi – Passed over")


@pytest.fixture
def writer(letter):
    person = make_reader("poor", display_name="Poor", email="poor.writer@example.com")
    PageRole.objects.create(page=letter, user=person, role=PageRole.Role.LETTER_WRITER)
    return person


def html_of(client, page):
    response = client.get(page.url)
    assert response.status_code == 200
    return response.content.decode()


def readers(writer):
    logged_in = Client()
    logged_in.force_login(make_reader())
    as_writer = Client()
    as_writer.force_login(writer)
    return {"logged out": Client(), "logged in": logged_in, "the writer": as_writer}


def test_the_writers_comments_show_the_badge_with_an_accessible_label(letter, writer):
    make_comment(letter, writer, "Thank you all, an update: I got the job.")
    make_comment(letter, make_reader("bea", display_name="Bea"), "Congratulations!")
    for who, client in readers(writer).items():
        html = html_of(client, letter)
        assert html.count(BADGE) == 1, who
        assert (
            '<article class="comment-body" aria-label="Comment by Poor, verified letter writer">'
            in html
        )
        assert f"<strong>Poor</strong> {BADGE} · " in html
        assert 'aria-label="Comment by Bea">' in html
        assert "poor.writer@example.com" not in html  # the badge never says which account


def test_the_badge_is_for_that_page_only(site_tree, letter, writer):
    other = make_letter(site_tree["letters"], title="Dear Dr. Mimi – Someone else")
    make_comment(other, writer, "I have been there too.")
    assert "comment-badge" not in html_of(Client(), other)


def test_a_comment_that_says_letter_writer_gets_no_badge_markup(letter, writer):
    """The body is the reader's text, escaped and sanitised: no markup of ours comes from it."""
    spoof = make_reader("mal", display_name="Mal")
    make_comment(letter, spoof, 'Letter writer <span class="comment-badge">Letter writer</span>')
    make_comment(letter, spoof, "Letter writer here, honestly. LW.")
    for client in readers(writer).values():
        html = html_of(client, letter)
        assert '<span class="comment-badge">' not in html
        assert '&lt;span class="comment-badge"&gt;Letter writer&lt;/span&gt;' in html
        assert "Letter writer here, honestly. LW." in html
        assert 'aria-label="Comment by Mal">' in html


def test_an_imported_comment_under_the_writers_old_name_gets_no_badge(letter, writer):
    make_comment(letter, None, "From the old site", author_name="Poor")
    assert "comment-badge" not in html_of(Client(), letter)


def test_a_badge_given_or_taken_away_shows_at_once(letter, writer):
    """The role's save and delete bump the page's thread (cached for every kind of reader)."""
    role = PageRole.objects.get(user=writer)
    role.delete()
    make_comment(letter, writer, "Hello from the writer.")
    clients = readers(writer)
    for who, client in clients.items():
        assert "comment-badge" not in html_of(client, letter), who
        html_of(client, letter)  # from the caches now
    PageRole.objects.create(page=letter, user=writer, role=PageRole.Role.LETTER_WRITER)
    for who, client in clients.items():
        assert BADGE in html_of(client, letter), who
    PageRole.objects.filter(user=writer).get().delete()
    for who, client in clients.items():
        assert "comment-badge" not in html_of(client, letter), who


def test_a_role_change_bumps_only_the_pages_thread(letter, writer):
    tags = (thread(letter.pk), held(letter.pk), COMMENTS)
    before = {tag: token(None, tag) for tag in tags}
    PageRole.objects.filter(user=writer).delete()
    after = {tag: token(None, tag) for tag in tags}
    assert {tag for tag in tags if before[tag] != after[tag]} == {thread(letter.pk)}


def test_the_writers_comment_awaiting_moderation_shows_the_badge_to_them(letter, writer):
    make_comment(letter, writer, "Waiting for a moderator.", status="pending")
    client = Client()
    client.force_login(writer)
    html = html_of(client, letter)
    assert "Waiting for a moderator." in html and BADGE in html
    assert "Waiting for a moderator." not in html_of(Client(), letter)


def test_rendering_badges_takes_no_query_per_comment(letter, writer):
    people = [make_reader() for _ in range(3)]
    counts = []
    for total in (2, 40):
        existing = Comment.objects.count()
        Comment.objects.bulk_create(
            Comment(
                page=letter,
                author=writer if n % 2 else people[n % 3],
                body=f"Comment {n}",
                status="approved",
                body_html=f"<p>Comment {n}</p>",
            )
            for n in range(existing, total)
        )
        for client in readers(writer).values():
            html_of(client, letter)  # sessions and settings warm
            invalidate(thread(letter.pk))  # the thread itself rendered afresh
            with CaptureQueriesContext(connection) as ctx:
                html = html_of(client, letter)
            counts.append(len(ctx.captured_queries))
            assert html.count(BADGE) == total // 2
    assert counts[:3] == counts[3:]


def test_the_moderation_queue_shows_the_badge(letter, writer, django_user_model):
    make_comment(letter, writer, "Held, from the writer.", status="pending")
    moderator = django_user_model.objects.create_superuser("mod", "mod@example.com", "pw")
    client = Client()
    client.force_login(moderator)
    html = client.get("/admin/comments/").content.decode()
    assert '<span class="w-status moderation-item__badge">Letter writer</span>' in html
