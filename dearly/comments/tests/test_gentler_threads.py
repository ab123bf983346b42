"""Gentler threads for letter writers: the queue flags a pile-on (many replies to the letter
writer's comments within an hour), and a moderator holds every new comment on a thread in one
click, then lets it go back to the usual rules."""

from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest

from dearly.comments.hints import PILE_ON_WINDOW, most_within, pile_ons
from dearly.comments.models import Comment, CommentSettings, HeldThread, PageRole
from dearly.comments.services import THREAD_HELD, edit_comment, post_comment
from dearly.testing import make_article, make_letter

from .helpers import make_comment, make_reader

pytestmark = pytest.mark.django_db
QUEUE = "/admin/comments/"
MINUTE = timezone.timedelta(minutes=1)


def hold_url(page_id):
    return f"/admin/comments/threads/{page_id}/hold/"


@pytest.fixture
def letter(site_tree):
    return make_letter(site_tree["letters"], title="Dear Dr. Mimi – Overlooked")


@pytest.fixture
def writer(letter):
    person = make_reader("lw", display_name="Overlooked")
    PageRole.objects.create(page=letter, user=person, role=PageRole.Role.LETTER_WRITER)
    return person


@pytest.fixture
def writers_comment(letter, writer):
    return make_comment(letter, writer, "I am the writer: it was not that simple.")


@pytest.fixture
def moderator(db):
    person = make_reader("mod", is_staff=True)
    person.groups.add(Group.objects.get(name="Moderators"))
    return person


@pytest.fixture
def mod_client(moderator):
    client = Client()
    client.force_login(moderator)
    return client


def replies(page, parent, count, *, start=None, step=MINUTE, status="approved", author=None):
    start = start or timezone.now() - count * step
    return [
        make_comment(
            page,
            author or make_reader(),
            f"Reply {n}",
            status=status,
            parent=parent,
            created_at=start + n * step,
        )
        for n in range(count)
    ]


# The pile-on hint


def test_most_within_counts_the_busiest_window():
    t = timezone.now()
    times = [t, t + 10 * MINUTE, t + 50 * MINUTE, t + 61 * MINUTE, t + 200 * MINUTE]
    assert most_within(times, PILE_ON_WINDOW) == 3
    assert most_within([], PILE_ON_WINDOW) == 0


def test_five_replies_to_the_writer_within_an_hour_are_a_pile_on(letter, writers_comment):
    replies(letter, writers_comment, 4, status="pending")
    assert pile_ons(5) == {}
    replies(letter, writers_comment, 1)
    found = pile_ons(5)
    assert list(found) == [letter.pk]
    assert found[letter.pk].replies == 5
    assert found[letter.pk].message == "5 replies to the letter writer within an hour"
    assert pile_ons(0) == {}  # the setting at 0: never


def test_replies_spread_over_hours_are_no_pile_on(letter, writers_comment):
    replies(letter, writers_comment, 6, step=20 * MINUTE)  # three an hour at most
    assert pile_ons(5) == {}
    assert pile_ons(3) != {}


def test_what_does_not_count(site_tree, letter, writer, writers_comment):
    columnist = make_reader("mimi", is_staff=True)
    columnists_comment = make_comment(letter, columnist, "From the columnist.")
    replies(letter, columnists_comment, 6)  # replies to the columnist's comments
    replies(letter, writers_comment, 6, author=writer)  # the writer answering themselves
    replies(letter, writers_comment, 6, author=columnist)  # staff
    replies(letter, writers_comment, 6, status="rejected")
    replies(letter, writers_comment, 6, status="spam")
    replies(letter, writers_comment, 6, start=timezone.now() - timezone.timedelta(days=2))
    # The same reader answering someone without a role on the page, elsewhere.
    guide = make_article(site_tree["guides"])
    replies(guide, make_comment(guide, writer, "Not their letter."), 6)
    assert pile_ons(5) == {}


def test_without_a_claimed_letter_writer_there_is_no_pile_on(letter):
    popular = make_comment(letter, make_reader(), "A controversial take.")
    replies(letter, popular, 12)
    assert pile_ons(5) == {}


def test_the_queue_shows_the_hint_with_its_button(mod_client, letter, writers_comment):
    replies(letter, writers_comment, 6, status="pending")
    html = mod_client.get(QUEUE).content.decode()
    assert "Threads piling on a letter writer" in html
    assert "6 replies to the letter writer within an hour" in html
    assert html.count("Pile-on: 6 replies to the letter writer within an hour") == 6
    assert html.count(f'action="{hold_url(letter.pk)}"') == 7  # the hint and each card
    assert '<input type="hidden" name="hold" value="1">' in html
    assert '<span class="w-status moderation-item__badge">Letter writer</span>' not in html


def test_the_threshold_is_a_comment_setting(mod_client, site_tree, letter, writers_comment):
    replies(letter, writers_comment, 6, status="pending")
    settings = CommentSettings.for_site(site_tree["home"].get_site())
    settings.pile_on_replies = 7
    settings.save()
    assert "Threads piling on" not in mod_client.get(QUEUE).content.decode()
    settings.pile_on_replies = 6
    settings.save()
    assert "Threads piling on" in mod_client.get(QUEUE).content.decode()


def test_the_queue_reads_the_hints_in_a_fixed_number_of_queries(mod_client, site_tree):
    mod_client.get(QUEUE)  # the site's comment settings made once
    counts = []
    for n in range(3):
        page = make_letter(site_tree["letters"])
        person = make_reader()
        PageRole.objects.create(page=page, user=person, role=PageRole.Role.LETTER_WRITER)
        # Approved: the pending list below stays the same, only the threads grow.
        replies(page, make_comment(page, person, "Writer"), 5 + n)
        HeldThread.objects.create(page=page)
        with CaptureQueriesContext(connection) as queries:
            assert mod_client.get(QUEUE).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2]


# Holding every new comment on a thread


@pytest.fixture
def regular(letter):
    """A reader whose comments appear at once (one approved already)."""
    person = make_reader("regular", display_name="Regular")
    make_comment(letter, person, "An earlier approved comment.")
    return person


def test_one_click_holds_every_new_comment_and_another_lets_them_through(
    mod_client, moderator, letter, regular
):
    response = mod_client.post(hold_url(letter.pk), {"hold": "1", "next": QUEUE})
    assert response.status_code == 303 and response["Location"] == QUEUE
    thread = HeldThread.objects.get()
    assert (thread.page_id, thread.held_by) == (letter.pk, moderator)
    followed = mod_client.get(QUEUE).content.decode()
    assert "Every new comment on “Dear Dr. Mimi – Overlooked” now waits for moderation." in followed
    assert "Threads holding every new comment" in followed

    reader = Client()
    reader.force_login(regular)
    response = reader.post(f"/comments/post/{letter.pk}/", {"body": "Another view."}, follow=True)
    assert "Thank you. Your comment is awaiting moderation." in response.content.decode()
    comment = Comment.objects.get(body="Another view.")
    assert (comment.status, comment.held_because) == ("pending", THREAD_HELD)
    queue = mod_client.get(QUEUE).content.decode()
    assert f"Held: {THREAD_HELD}" in queue and "This thread holds every new comment" in queue

    response = mod_client.post(hold_url(letter.pk), {"hold": "0", "next": QUEUE}, follow=True)
    assert "New comments on “Dear Dr. Mimi – Overlooked” follow the usual rules." in (
        response.content.decode()
    )
    assert not HeldThread.objects.exists()
    comment, _ = post_comment(page=letter, author=regular, body="And now it shows.")
    assert comment.status == "approved"


def test_holding_twice_or_letting_go_twice_changes_nothing(mod_client, letter):
    mod_client.post(hold_url(letter.pk), {"hold": "1"})
    response = mod_client.post(hold_url(letter.pk), {"hold": "1"}, follow=True)
    assert "already waited for moderation" in response.content.decode()
    assert HeldThread.objects.count() == 1
    mod_client.post(hold_url(letter.pk), {"hold": "0"})
    response = mod_client.post(hold_url(letter.pk), {"hold": "0"}, follow=True)
    assert "already followed the usual rules" in response.content.decode()


def test_a_held_thread_holds_edits_and_only_its_own_page(site_tree, letter, regular):
    guide = make_article(site_tree["guides"])
    make_comment(guide, regular, "Approved on the guide.")
    approved, _ = post_comment(page=letter, author=regular, body="Before the hold.")
    HeldThread.objects.create(page=letter)
    edit_comment(approved, regular, "Edited during the hold.")
    approved.refresh_from_db()
    assert (approved.status, approved.held_because) == ("pending", f"edited: {THREAD_HELD}")
    elsewhere, _ = post_comment(page=guide, author=regular, body="On another page.")
    assert elsewhere.status == "approved"


def test_the_site_wide_hold_is_named_first(site_tree, letter, regular):
    settings = CommentSettings.for_site(site_tree["home"].get_site())
    settings.hold_all_comments = True
    settings.save()
    HeldThread.objects.create(page=letter)
    comment, _ = post_comment(page=letter, author=regular, body="Held twice over.")
    assert comment.held_because == "all comments are held"


def test_the_page_filter_offers_the_switch_both_ways(mod_client, letter):
    html = mod_client.get(QUEUE, {"state": "all", "page_id": letter.pk}).content.decode()
    assert "New comments on it follow the usual rules." in html
    assert f'action="{hold_url(letter.pk)}"' in html and 'name="hold" value="1"' in html
    HeldThread.objects.create(page=letter)
    html = mod_client.get(QUEUE, {"state": "all", "page_id": letter.pk}).content.decode()
    assert "Every new comment on it is held for moderation." in html
    assert 'name="hold" value="0"' in html


# Hostile and broken requests: a clear 4xx, nothing written


def test_only_moderators_may_hold_a_thread(letter):
    """Not a reader, nor an editor without the permission (Wagtail sends them back to its
    dashboard), nor anyone logged out."""
    editor = Client()
    editor.force_login(make_reader("ed", is_staff=True))
    reader = Client()
    reader.force_login(make_reader())
    for client, allowed in ((reader, {403}), (editor, {302, 403})):
        assert client.post(hold_url(letter.pk), {"hold": "1"}).status_code in allowed
    response = Client().post(hold_url(letter.pk), {"hold": "1"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not HeldThread.objects.exists()


def test_holding_needs_a_post_with_the_csrf_token(moderator, mod_client, letter):
    assert mod_client.get(hold_url(letter.pk), {"hold": "1"}).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(moderator)
    assert strict.post(hold_url(letter.pk), {"hold": "1"}).status_code == 403
    assert not HeldThread.objects.exists()


@pytest.mark.parametrize("hold", ["", "2", "yes", "1\x00", "1" * 5000])
def test_an_unknown_switch_value_is_refused(mod_client, letter, hold):
    response = mod_client.post(hold_url(letter.pk), {"hold": hold})
    assert response.status_code == 400
    assert "Say hold=1 to hold every new comment" in response.content.decode()
    assert not HeldThread.objects.exists()


def test_forged_page_ids_are_refused(mod_client, site_tree):
    for page_id in (999_999, 10**30, 0):
        response = mod_client.post(hold_url(page_id), {"hold": "1"})
        assert response.status_code == 404, page_id
    assert mod_client.post("/admin/comments/threads/-1/hold/", {"hold": "1"}).status_code == 404
    assert mod_client.post("/admin/comments/threads/x/hold/", {"hold": "1"}).status_code == 404
    # A page that takes no comments (the home page) has no thread to hold.
    response = mod_client.post(hold_url(site_tree["home"].pk), {"hold": "1"})
    assert response.status_code == 404
    assert "This page does not take comments." in response.content.decode()
    assert not HeldThread.objects.exists()


def test_a_foreign_next_goes_back_to_the_queue(mod_client, letter):
    response = mod_client.post(hold_url(letter.pk), {"hold": "1", "next": "https://evil.test/"})
    assert response["Location"] == QUEUE
