from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

import pytest

from dearly.comments.models import Comment, CommentSettings
from dearly.testing import make_article

from .helpers import make_comment, make_reader

pytestmark = pytest.mark.django_db
QUEUE = "/admin/comments/"
BULK = "/admin/comments/bulk/"


@pytest.fixture
def guide(site_tree):
    return make_article(site_tree["guides"], title="Moderated guide")


@pytest.fixture
def moderator(db):
    """A member of Wagtail's Moderators group, which can moderate comments out of the box."""
    person = make_reader("mod", is_staff=True)
    person.groups.add(Group.objects.get(name="Moderators"))
    return person


def test_moderators_group_has_the_permission(moderator):
    assert moderator.has_perm("comments.can_moderate")


@pytest.fixture
def mod_client(moderator):
    client = Client()
    client.force_login(moderator)
    return client


def test_queue_lists_comments_awaiting_moderation_with_counts(mod_client, guide):
    make_comment(guide, make_reader(), "Please approve me", status="pending")
    make_comment(guide, make_reader(), "Already fine")
    html = mod_client.get(QUEUE).content.decode()
    assert "Please approve me" in html and "Already fine" not in html
    assert "Awaiting moderation (1)" in html
    menu = mod_client.get("/admin/").content.decode()
    assert "Comments (1)" in menu


def test_queue_filters_by_state_page_and_author(mod_client, site_tree, guide):
    other = make_article(site_tree["guides"], title="Other guide")
    ann = make_reader("ann", display_name="Ann")
    make_comment(guide, ann, "Ann on guide one")
    make_comment(other, make_reader("bob"), "Bob on guide two")
    html = mod_client.get(QUEUE, {"state": "approved", "page_id": guide.pk}).content.decode()
    assert "Ann on guide one" in html and "Bob on guide two" not in html
    html = mod_client.get(QUEUE, {"state": "all", "author": "bob"}).content.decode()
    assert "Bob on guide two" in html and "Ann on guide one" not in html


@pytest.mark.parametrize(
    "params",
    [
        {"state": "nonsense"},
        {"page_id": "abc"},
        {"p": "-5"},
        {"author": "x" * 5000},
        {"page_id": "99999999999999999999999"},
        {"page_id": "²"},
        {"page_id": "١"},
        {"page_id": "9" * 5000},
    ],
)
def test_queue_survives_bad_filters(mod_client, guide, params):
    assert mod_client.get(QUEUE, params).status_code == 200


def test_bulk_approve_spam_and_delete(mod_client, guide):
    pending = [
        make_comment(guide, make_reader(), f"Pending {n}", status="pending") for n in range(3)
    ]
    response = mod_client.post(BULK, {"action": "approve", "ids": [pending[0].pk, pending[1].pk]})
    assert response.status_code == 303
    assert list(Comment.objects.approved().values_list("body", flat=True)) == [
        "Pending 0",
        "Pending 1",
    ]
    mod_client.post(BULK, {"action": "spam", "ids": [pending[2].pk]})
    assert Comment.objects.get(pk=pending[2].pk).status == "spam"
    make_comment(guide, make_reader(), "Reply keeps parent", parent=pending[0])
    mod_client.post(BULK, {"action": "delete", "ids": [pending[0].pk, pending[1].pk]})
    assert Comment.objects.get(pk=pending[0].pk).status == "removed"
    assert not Comment.objects.filter(pk=pending[1].pk).exists()
    html = Client().get(guide.url).content.decode()
    assert "This comment was removed." in html and "Reply keeps parent" in html


def test_rejected_parent_with_replies_shows_a_placeholder(client, guide):
    parent = make_comment(guide, make_reader(), "Rude parent", status="rejected")
    make_comment(guide, make_reader(), "Polite reply", parent=parent)
    html = client.get(guide.url).content.decode()
    assert "Rude parent" not in html and "This comment was removed." in html
    assert "Polite reply" in html


@pytest.mark.parametrize(
    "data",
    [
        {"action": "approve"},
        {"action": "approve", "ids": ["abc", "-1", "9" * 30]},
        {"action": "approve", "ids": ["²"]},
        {"action": "approve", "ids": ["¹", "١", "𝟕", "9" * 5000, "0"]},
        {"action": "explode", "ids": ["1"]},
        {"ids": ["1"]},
    ],
)
def test_bulk_action_bad_input_is_a_message_not_an_error(mod_client, guide, data):
    comment = make_comment(guide, make_reader(), "Untouched", status="pending")
    response = mod_client.post(BULK, data, follow=True)
    assert response.status_code == 200
    comment.refresh_from_db()
    assert comment.status == "pending"


def test_bulk_action_redirect_stays_on_this_site(mod_client, guide):
    comment = make_comment(guide, make_reader(), "x", status="pending")
    response = mod_client.post(
        BULK, {"action": "approve", "ids": [comment.pk], "next": "https://evil.example/"}
    )
    assert response["Location"] == QUEUE


def test_reports_show_in_the_queue_and_clear_when_reviewed(mod_client, guide):
    comment = make_comment(guide, make_reader(), "Reported words")
    reporter = make_reader()
    Client().force_login(reporter)
    comment.reports.create(reporter=reporter, reason="rude")
    html = mod_client.get(QUEUE, {"state": "reported"}).content.decode()
    assert "Reported words" in html and "Reported 1×" in html
    mod_client.post(BULK, {"action": "approve", "ids": [comment.pk]})
    assert comment.reports.count() == 0


def test_moderator_can_ban_and_unban_a_reader(mod_client, guide):
    villain = make_reader("vic")
    make_comment(guide, villain, "Troll")
    mod_client.post(f"/admin/comments/ban/{villain.pk}/", {"ban": "1"})
    villain.refresh_from_db()
    assert villain.banned_from_commenting
    mod_client.post(f"/admin/comments/ban/{villain.pk}/", {"ban": "0"})
    villain.refresh_from_db()
    assert not villain.banned_from_commenting
    assert mod_client.post("/admin/comments/ban/999999/").status_code == 404


def test_staff_without_the_permission_cannot_moderate(guide):
    editor = make_reader("ed", is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client = Client()
    client.force_login(editor)
    comment = make_comment(guide, make_reader(), "Pending", status="pending")
    assert client.get(QUEUE).status_code in (302, 403)  # Wagtail sends it back to its dashboard
    assert client.post(BULK, {"action": "approve", "ids": [comment.pk]}).status_code in (302, 403)
    comment.refresh_from_db()
    assert comment.status == "pending"
    assert "Comments (" not in client.get("/admin/").content.decode()


def test_readers_and_anonymous_cannot_reach_the_queue(guide):
    assert Client().get(QUEUE).status_code == 302
    client = Client()
    client.force_login(make_reader())
    assert client.get(QUEUE).status_code in (302, 403)
    assert client.post(BULK, {"action": "approve"}).status_code in (302, 403)


def test_moderation_actions_need_csrf(moderator, guide):
    client = Client(enforce_csrf_checks=True)
    client.force_login(moderator)
    comment = make_comment(guide, make_reader(), "Pending", status="pending")
    assert client.post(BULK, {"action": "approve", "ids": [comment.pk]}).status_code == 403


def test_moderators_are_emailed_about_held_comments(
    client, moderator, guide, django_capture_on_commit_callbacks
):
    newcomer = make_reader("new")
    client.force_login(newcomer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/comments/post/{guide.pk}/", {"body": "First time here"})
    assert [m.to for m in mail.outbox] == [[moderator.email]]
    assert "awaits moderation" in mail.outbox[0].subject
    assert "/admin/comments/" in mail.outbox[0].body


# Editing is posting again: new text passes the same hold rules, or waits in the queue.

SPAM_LINKS = " ".join(f"https://spam{n}.example/" for n in range(20))


@pytest.mark.parametrize(
    ("setting", "edited", "reason"),
    [
        (None, f"Great deals: {SPAM_LINKS}", "more than two links"),
        ("words", "Buy cheap WATCHES here", "moderation word"),
        ("hold_all", "Perfectly normal, now.", "all comments are held"),
    ],
)
def test_an_approved_comment_edited_past_the_rules_waits_for_moderation_again(
    client,
    mod_client,
    moderator,
    guide,
    setting,
    edited,
    reason,
    django_capture_on_commit_callbacks,
):
    ann = make_reader("ann")
    make_comment(guide, ann, "An earlier approved comment.")  # no longer a first-timer
    client.force_login(ann)
    client.post(f"/comments/post/{guide.pk}/", {"body": "A harmless first draft."})
    comment = Comment.objects.latest("pk")
    assert comment.status == "approved"
    assert "A harmless first draft." in Client().get(guide.url).content.decode()
    settings = CommentSettings.for_site(guide.get_site())
    settings.hold_all_comments = setting == "hold_all"
    settings.moderation_words = "cheap watches\n" if setting == "words" else ""
    settings.save()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/comments/{comment.pk}/edit/", {"body": edited}, follow=True)
    assert response.status_code == 200
    assert "Your edited comment is awaiting moderation." in response.content.decode()
    comment.refresh_from_db()
    assert comment.status == "pending" and comment.held_because == f"edited: {reason}"
    public = Client().get(guide.url).content.decode()
    assert edited.split()[0] not in public and "A harmless first draft." not in public
    assert "1 comment" in public  # the earlier one only
    own = client.get(guide.url).content.decode()
    assert edited.split()[0] in own and "awaiting moderation" in own
    queue = mod_client.get(QUEUE).content.decode()
    assert edited.split()[0] in queue and f"Held: edited: {reason}" in queue
    assert [m.to for m in mail.outbox] == [[moderator.email]]  # told, like any held comment

    mod_client.post(BULK, {"action": "approve", "ids": [comment.pk]})
    assert edited.split()[0] in Client().get(guide.url).content.decode()


def test_an_edit_within_the_rules_stays_published(client, guide):
    ann = make_reader("ann")
    comment = make_comment(guide, ann, "Two links: https://a.example")
    make_comment(guide, ann, "Another approved one.")
    client.force_login(ann)
    response = client.post(
        f"/comments/{comment.pk}/edit/", {"body": "Two links: https://a.example https://b.example"}
    )
    assert response.status_code == 303
    comment.refresh_from_db()
    assert comment.status == "approved" and comment.held_because == ""
    assert "https://b.example" in Client().get(guide.url).content.decode()


def test_a_held_comment_stays_held_whatever_its_edit(client, guide):
    newcomer = make_reader("new")
    client.force_login(newcomer)
    client.post(f"/comments/post/{guide.pk}/", {"body": "My first comment."})
    comment = Comment.objects.get(author=newcomer)
    client.post(f"/comments/{comment.pk}/edit/", {"body": "My first comment, edited."})
    comment.refresh_from_db()
    assert comment.status == "pending" and comment.held_because == "first comment"
    assert "edited." not in Client().get(guide.url).content.decode()


def test_banned_reader_cannot_edit_and_closed_pages_freeze_comments(client, guide):
    ann = make_reader("ann")
    comment = make_comment(guide, ann, "Before the ban.")
    client.force_login(ann)
    ann.banned_from_commenting = True
    ann.save()
    assert client.post(f"/comments/{comment.pk}/edit/", {"body": "Spam!"}).status_code == 403
    ann.banned_from_commenting = False
    ann.save()
    guide.comments_open = False
    guide.save_revision().publish()
    assert client.post(f"/comments/{comment.pk}/edit/", {"body": "Spam!"}).status_code == 403
    comment.refresh_from_db()
    assert comment.body == "Before the ban." and comment.status == "approved"


def test_a_reply_held_again_after_an_edit_notifies_its_parent_once(
    client, mod_client, guide, django_capture_on_commit_callbacks
):
    parent_author = make_reader("pat", notify_replies=True)
    parent = make_comment(guide, parent_author, "Parent comment.")
    ann = make_reader("ann")
    make_comment(guide, ann, "An earlier approved comment.")
    client.force_login(ann)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/comments/post/{guide.pk}/", {"body": "A reply.", "parent": parent.pk})
    reply = Comment.objects.latest("pk")
    assert [m.to for m in mail.outbox] == [[parent_author.email]]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/comments/{reply.pk}/edit/", {"body": f"A reply. {SPAM_LINKS}"})
    with django_capture_on_commit_callbacks(execute=True):
        mod_client.post(BULK, {"action": "approve", "ids": [reply.pk]})
    reply.refresh_from_db()
    assert reply.status == "approved"
    assert [m.to for m in mail.outbox if m.to == [parent_author.email]] == [[parent_author.email]]


# One click per comment, with the comment it replies to; a confirmation before a ban.


def moderate_url(comment_or_id):
    return f"/admin/comments/{getattr(comment_or_id, 'pk', comment_or_id)}/moderate/"


@pytest.mark.parametrize(
    ("action", "status", "message"),
    [
        ("approve", "approved", "Approved: the comment by Ann."),
        ("spam", "spam", "Marked as spam: the comment by Ann."),
        ("reject", "rejected", "Rejected: the comment by Ann."),
    ],
)
def test_one_click_on_a_row_moderates_that_comment_only(mod_client, guide, action, status, message):
    comment = make_comment(guide, make_reader("ann", display_name="Ann"), "Mine", status="pending")
    other = make_comment(guide, make_reader(), "Not this one", status="pending")
    comment.reports.create(reporter=make_reader(), reason="rude")
    response = mod_client.post(
        moderate_url(comment), {"action": action, "next": f"{QUEUE}?state=all"}
    )
    assert response.status_code == 303 and response["Location"] == f"{QUEUE}?state=all"
    comment.refresh_from_db()
    other.refresh_from_db()
    assert comment.status == status and other.status == "pending"
    assert comment.reports.count() == 0  # reviewed now
    assert message in mod_client.get(response["Location"]).content.decode()


def test_row_buttons_offer_what_would_change_the_comment(mod_client, guide):
    pending = make_comment(guide, make_reader(), "Waiting", status="pending")
    approved = make_comment(guide, make_reader(), "Shown")
    html = mod_client.get(QUEUE, {"state": "all"}).content.decode()
    for label in ("Approve", "Spam", "Reject"):
        assert f'aria-label="{label} comment {pending.pk}"' in html
    assert f'aria-label="Approve comment {approved.pk}"' not in html
    assert f'aria-label="Reject comment {approved.pk}"' in html
    assert f'action="{moderate_url(pending)}"' in html
    assert html.count('name="csrfmiddlewaretoken"') >= 3  # the bulk form and each row's


def test_a_reply_shows_the_comment_it_answers(mod_client, guide):
    parent = make_comment(guide, make_reader("pat", display_name="Pat"), "Is step two safe?")
    make_comment(guide, make_reader(), "Yes, it is.", parent=parent, status="pending")
    removed = make_comment(guide, make_reader(), "", status="removed")
    make_comment(guide, make_reader(), "Replying to nothing now", parent=removed, status="pending")
    html = mod_client.get(QUEUE).content.decode()
    assert "In reply to Pat:" in html and "Is step two safe?" in html
    assert "(removed):" in html and "This comment was removed." in html


def test_moderation_page_queries_do_not_grow_with_comments(mod_client, guide):
    def add(n):
        for i in range(n):
            parent = make_comment(guide, make_reader(), f"Parent {i}")
            reply = make_comment(guide, make_reader(), f"Reply {i}", parent=parent)
            reply.reports.create(reporter=make_reader(), reason="rude")

    add(1)
    mod_client.get(QUEUE, {"state": "all"})
    with CaptureQueriesContext(connection) as few:
        mod_client.get(QUEUE, {"state": "all"})
    add(8)
    with CaptureQueriesContext(connection) as many:
        html = mod_client.get(QUEUE, {"state": "all"}).content.decode()
    assert html.count("In reply to") == 9
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


@pytest.mark.parametrize(
    ("data", "status", "says"),
    [
        ({"action": "explode"}, 400, "Unknown moderation action “explode”"),
        ({}, 400, "Unknown moderation action"),
        ({"action": "delete"}, 400, "use approve, spam, reject"),  # deleting is a bulk action
        ({"action": "approve" * 100}, 400, "Unknown moderation action"),
    ],
)
def test_row_action_bad_input_is_a_4xx_that_says_why(mod_client, guide, data, status, says):
    comment = make_comment(guide, make_reader(), "Untouched", status="pending")
    response = mod_client.post(moderate_url(comment), data)
    assert response.status_code == status
    assert says in response.content.decode()
    comment.refresh_from_db()
    assert comment.status == "pending"


def test_row_action_on_a_comment_that_is_not_there_is_a_404_that_says_so(mod_client, guide):
    response = mod_client.post(moderate_url(987654), {"action": "approve"})
    assert response.status_code == 404
    assert "There is no comment 987654" in response.content.decode()


@pytest.mark.parametrize("bad_id", ["abc", "-1", "0x1", "²", "1.5", "9" * 30, "9" * 5000])
def test_row_action_with_a_malformed_or_huge_id_is_a_404(mod_client, guide, bad_id):
    comment = make_comment(guide, make_reader(), "Untouched", status="pending")
    response = mod_client.post(f"/admin/comments/{bad_id}/moderate/", {"action": "approve"})
    assert response.status_code == 404
    comment.refresh_from_db()
    assert comment.status == "pending"


def test_a_removed_comment_cannot_be_approved_back(mod_client, guide):
    removed = make_comment(guide, make_reader(), "", status="removed")
    response = mod_client.post(moderate_url(removed), {"action": "approve"})
    assert response.status_code == 409 and "was removed" in response.content.decode()
    mod_client.post(BULK, {"action": "approve", "ids": [removed.pk]})
    removed.refresh_from_db()
    assert removed.status == "removed"


def test_row_action_refuses_get(mod_client, guide):
    comment = make_comment(guide, make_reader(), "Untouched", status="pending")
    assert mod_client.get(moderate_url(comment), {"action": "approve"}).status_code == 405
    comment.refresh_from_db()
    assert comment.status == "pending"


def test_row_action_needs_csrf(moderator, guide):
    client = Client(enforce_csrf_checks=True)
    client.force_login(moderator)
    comment = make_comment(guide, make_reader(), "Untouched", status="pending")
    assert client.post(moderate_url(comment), {"action": "approve"}).status_code == 403
    comment.refresh_from_db()
    assert comment.status == "pending"


def test_only_moderators_can_use_row_actions(guide):
    """Not a reader on their own held comment, nor on someone else's, nor staff without the
    permission, nor anyone logged out."""
    author = make_reader("own")
    own = make_comment(guide, author, "My own held comment", status="pending")
    others = make_comment(guide, make_reader(), "Someone else's", status="pending")
    reader = Client()
    reader.force_login(author)
    staff = make_reader("ed", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="access_admin"))
    editor = Client()
    editor.force_login(staff)
    for client, allowed in ((reader, {403}), (editor, {302, 403}), (Client(), {302})):
        for comment in (own, others):
            response = client.post(moderate_url(comment), {"action": "approve"})
            assert response.status_code in allowed
    assert set(Comment.objects.values_list("status", flat=True)) == {"pending"}


def test_ban_asks_for_confirmation_first(mod_client, guide):
    villain = make_reader("vic", display_name="Vic")
    comment = make_comment(guide, villain, "Troll", status="pending")
    make_comment(guide, villain, "Earlier troll")
    queue = mod_client.get(QUEUE).content.decode()
    confirm_link = f"/admin/comments/ban/{villain.pk}/?next=/admin/comments/"
    assert f'href="{confirm_link}"' in queue  # a link to the confirmation, not a button
    page = mod_client.get(confirm_link)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Ban Vic from commenting?" in html
    assert "Awaiting moderation: 1" in html and "Approved: 1" in html
    assert 'name="ban" value="1"' in html and 'href="/admin/comments/"' in html  # and Cancel
    villain.refresh_from_db()
    assert not villain.banned_from_commenting  # looking is not banning
    response = mod_client.post(f"/admin/comments/ban/{villain.pk}/", {"ban": "1", "next": QUEUE})
    assert response.status_code == 303
    villain.refresh_from_db()
    assert villain.banned_from_commenting
    html = mod_client.get(QUEUE).content.decode()
    assert "Vic may no longer comment." in html and "Allow comments" in html
    comment.refresh_from_db()
    assert comment.status == "pending"  # their comments stay for the moderator to judge


@pytest.mark.parametrize(
    ("who", "data", "status", "says"),
    [
        ("staff", {"ban": "1"}, 403, "Staff accounts cannot be banned"),
        ("nobody", {"ban": "1"}, 404, "There is no account 987654"),
        ("reader", {"ban": "yes please"}, 400, "Say ban=1"),
    ],
)
def test_ban_hostile_input_is_a_4xx_that_says_why(mod_client, guide, who, data, status, says):
    target = {"staff": make_reader("boss", is_staff=True), "reader": make_reader("vic")}.get(who)
    user_id = target.pk if target else 987654
    for method in ("get", "post"):
        if method == "get" and who == "reader":
            continue  # a GET with any query string is the confirmation page
        response = getattr(mod_client, method)(f"/admin/comments/ban/{user_id}/", data)
        assert response.status_code == status, method
        assert says in response.content.decode()
    if target:
        target.refresh_from_db()
        assert not target.banned_from_commenting


def test_ban_needs_a_moderator_and_csrf(moderator, guide):
    villain = make_reader("vic")
    url = f"/admin/comments/ban/{villain.pk}/"
    reader = Client()
    reader.force_login(make_reader())
    assert reader.get(url).status_code == 403 and reader.post(url).status_code == 403
    assert Client().post(url).status_code == 302
    no_csrf = Client(enforce_csrf_checks=True)
    no_csrf.force_login(moderator)
    assert no_csrf.post(url, {"ban": "1"}).status_code == 403
    assert mod_put(moderator, url).status_code == 405
    villain.refresh_from_db()
    assert not villain.banned_from_commenting


def mod_put(moderator, url):
    client = Client()
    client.force_login(moderator)
    return client.put(url, "ban=1", content_type="application/x-www-form-urlencoded")
