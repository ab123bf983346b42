from django.core import mail
from django.test import Client
from django.utils import timezone

from wagtail.models import PageViewRestriction

import pytest

from dearly.comments.models import Comment, CommentSettings
from dearly.testing import make_article, make_letter

from .helpers import make_comment, make_reader

pytestmark = pytest.mark.django_db


@pytest.fixture
def guide(site_tree):
    return make_article(site_tree["guides"], title="Guide with comments")


@pytest.fixture
def reader(guide):
    person = make_reader("ann", display_name="Ann")
    make_comment(guide, person, "An earlier approved comment.")  # no longer a first-timer
    return person


def post(client, guide, body="Thanks, this helped.", **extra):
    return client.post(f"/comments/post/{guide.pk}/", {"body": body, **extra})


def test_logged_in_reader_sees_the_form(client, guide, reader):
    client.force_login(reader)
    html = client.get(guide.url).content.decode()
    assert 'action="/comments/post/' in html and "csrfmiddlewaretoken" in html
    assert "You must be" not in html


def test_logged_out_page_carries_no_per_user_data(client, guide, reader):
    response = client.get(guide.url)
    html = response.content.decode()
    assert "csrfmiddlewaretoken" not in html
    assert not response.cookies  # no session or CSRF cookie: the page can be cached whole
    assert "An earlier approved comment." in html
    assert "ann@example.com" not in html


def test_returning_reader_comment_appears_at_once_threaded_with_permalink(client, guide, reader):
    client.force_login(reader)
    response = post(client, guide, "Second thoughts.\n\nWith a new paragraph.")
    comment = Comment.objects.latest("pk")
    assert response.status_code == 303
    assert response["Location"] == f"{guide.url}#comment-{comment.pk}"
    assert comment.status == "approved" and comment.author == reader
    html = Client().get(guide.url).content.decode()
    assert f'id="comment-{comment.pk}"' in html
    listing = Client().get("/guides/").content.decode()
    assert f'<a href="{guide.url}#comments">2 comments</a>' in listing
    assert "<p>Second thoughts.</p>" in html and "<p>With a new paragraph.</p>" in html
    assert "2 comments" in html


def test_first_comment_is_held_and_only_its_author_sees_it(client, guide):
    newcomer = make_reader("ben")
    client.force_login(newcomer)
    post(client, guide, "My very first comment.")
    comment = Comment.objects.get(author=newcomer)
    assert comment.status == "pending" and comment.held_because == "first comment"
    own_view = client.get(guide.url).content.decode()
    assert "My very first comment." in own_view and "awaiting moderation" in own_view
    assert "My very first comment." not in Client().get(guide.url).content.decode()


@pytest.mark.parametrize(
    ("setting", "body", "reason"),
    [
        ("hold_all", "Perfectly normal.", "all comments are held"),
        (
            None,
            "a https://a.example b https://b.example c https://c.example",
            "more than two links",
        ),
        ("words", "Buy cheap WATCHES here", "moderation word"),
    ],
)
def test_suspicious_comments_are_held(client, guide, reader, setting, body, reason):
    settings = CommentSettings.for_site(guide.get_site())
    settings.hold_all_comments = setting == "hold_all"
    settings.moderation_words = "cheap watches\n" if setting == "words" else ""
    settings.save()
    client.force_login(reader)
    post(client, guide, body)
    comment = Comment.objects.latest("pk")
    assert comment.status == "pending" and comment.held_because == reason


def test_reply_threads_under_its_parent_and_depth_is_capped(client, guide, reader):
    client.force_login(reader)
    parent = Comment.objects.get(author=reader)
    chain = [parent]
    for level in range(2, 7):
        post(client, guide, f"Reply at level {level}", parent=chain[-1].pk)
        chain.append(Comment.objects.latest("pk"))
    assert [c.depth for c in chain] == [1, 2, 3, 4, 5, 5]
    assert chain[-1].parent_id == chain[-3].pk  # attached to the deepest shown level
    html = Client().get(guide.url).content.decode()
    assert html.count('class="comment-replies"') == 4


def test_reply_link_works_without_javascript(client, guide, reader):
    parent = Comment.objects.get(author=reader)
    client.force_login(reader)
    html = client.get(f"{guide.url}?replyto={parent.pk}").content.decode()
    assert f'name="parent" value="{parent.pk}"' in html and "Replying to Ann" in html
    anon = Client().get(guide.url).content.decode()
    assert f"%3Freplyto%3D{parent.pk}%23respond" in anon


# "²".isdigit() is true but int("²") raises; "١" is a digit int() reads, but no id in a link.
ODD_IDS = ["²", "١", "𝟕", "9" * 5000, "-1", "1_0", "1 2", "0", "abc"]


@pytest.mark.parametrize("wanted", ODD_IDS)
def test_odd_reply_targets_in_the_address_are_ignored(client, guide, reader, wanted):
    client.force_login(reader)
    for waiting in (False, True):  # the shared thread, then a reader's own rendering
        if waiting:
            make_comment(guide, reader, "Mine, awaiting moderation", status="pending")
        response = client.get(guide.url, {"replyto": wanted})
        assert response.status_code == 200, waiting
        assert "Replying to" not in response.content.decode()


@pytest.mark.parametrize("wanted", ODD_IDS)
def test_odd_parent_ids_in_a_post_are_refused_with_a_400(client, guide, reader, wanted):
    client.force_login(reader)
    for body, message in (("A reply", "not on this page"), ("", "Please write a comment.")):
        response = post(client, guide, body, parent=wanted)
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not Comment.objects.filter(body="A reply").exists()


def test_the_same_comment_posted_twice_quickly_is_stored_once(client, guide, reader):
    client.force_login(reader)
    first = post(client, guide, "Only once please.")
    second = post(client, guide, "Only once please.")
    assert first["Location"] == second["Location"]
    assert Comment.objects.filter(body="Only once please.").count() == 1


def test_a_flood_from_one_account_is_rate_limited(client, guide, reader):
    client.force_login(reader)
    statuses = [post(client, guide, f"Comment number {n}").status_code for n in range(100)]
    assert statuses[:5] == [303] * 5
    assert set(statuses[5:]) == {429}
    assert Comment.objects.filter(author=reader, body__startswith="Comment number").count() == 5


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Please write a comment."),
        ("   \n\t  ", "Please write a comment."),
        ("x" * 5001, "please keep it to 5,000"),
        ("null\x00byte", "Null characters are not allowed"),
    ],
)
def test_bad_bodies_get_a_clear_400_and_nothing_is_stored(client, guide, reader, body, message):
    client.force_login(reader)
    before = Comment.objects.count()
    response = post(client, guide, body)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and "Leave a Reply" in html and 'role="alert"' in html
    assert Comment.objects.count() == before


def test_exactly_5000_characters_is_accepted(client, guide, reader):
    client.force_login(reader)
    assert post(client, guide, "y" * 5000).status_code == 303


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ('<img src=x onerror="alert(1)">', '&lt;img src=x onerror="alert(1)"&gt;'),
        ("javascript:alert(1)", "<p>javascript:alert(1)</p>"),
        ("&lt;b&gt;not bold&lt;/b&gt;", "&amp;lt;b&amp;gt;not bold&amp;lt;/b&amp;gt;"),
    ],
)
def test_html_in_comments_is_shown_as_text(client, guide, reader, body, shown):
    client.force_login(reader)
    post(client, guide, body)
    comments_html = Client().get(guide.url).content.decode().split('id="comments"')[1]
    assert shown in comments_html
    assert "<script>alert" not in comments_html and "<img src=x" not in comments_html


def test_hostile_display_name_is_escaped(client, guide):
    villain = make_reader("mal", display_name='<img src=x onerror="alert(1)">')
    make_comment(guide, villain, "Hello")
    html = client.get(guide.url).content.decode()
    assert '<img src=x onerror="alert(1)">' not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


def test_honeypot_filled_is_refused(client, guide, reader):
    client.force_login(reader)
    response = post(client, guide, "Looks human", website="http://spam.example")
    assert response.status_code == 400 and not Comment.objects.filter(body="Looks human").exists()


def test_post_without_csrf_token_is_forbidden(guide, reader):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    assert post(client, guide, "No token").status_code == 403
    assert not Comment.objects.filter(body="No token").exists()


def test_logged_out_post_is_forbidden(client, guide):
    response = post(client, guide, "Anonymous")
    assert response.status_code == 403 and "logged in" in response.content.decode()
    assert not Comment.objects.filter(body="Anonymous").exists()


def test_get_on_the_post_url_is_not_allowed(client, guide, reader):
    client.force_login(reader)
    assert client.get(f"/comments/post/{guide.pk}/").status_code == 405


def test_posting_to_draft_private_or_missing_pages_is_404(client, site_tree, reader):
    draft = make_article(site_tree["guides"], live=False)
    private = make_letter(site_tree["letters"])
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    client.force_login(reader)
    for page_id in (draft.pk, private.pk, 999999, site_tree["home"].pk):
        assert client.post(f"/comments/post/{page_id}/", {"body": "x"}).status_code == 404
    assert client.post("/comments/post/99999999999999999999999/", {"body": "x"}).status_code == 404
    assert not Comment.objects.filter(body="x").exists()


def test_replying_to_another_pages_or_a_removed_comment_is_refused(
    client, site_tree, guide, reader
):
    other_page = make_article(site_tree["guides"], title="Other")
    elsewhere = make_comment(other_page, reader, "Elsewhere")
    removed = make_comment(guide, reader, "", status="removed")
    client.force_login(reader)
    for parent in (elsewhere.pk, removed.pk, "abc", "-1", "99999999999999999999999"):
        response = post(client, guide, "A reply", parent=parent)
        assert response.status_code == 400, parent
        assert "not on this page" in response.content.decode()
    assert not Comment.objects.filter(body="A reply").exists()


def test_closed_pages_refuse_comments(client, guide, reader):
    guide.comments_open = False
    guide.save_revision().publish()
    client.force_login(reader)
    assert "Comments are closed on this page." in client.get(guide.url).content.decode()
    assert post(client, guide, "Too late").status_code == 403


def test_comments_close_after_n_days(client, guide, reader):
    settings = CommentSettings.for_site(guide.get_site())
    settings.close_comments_after_days = 30
    settings.save()
    guide.date = timezone.now() - timezone.timedelta(days=31)
    guide.save_revision().publish()
    client.force_login(reader)
    response = post(client, guide, "Old post")
    assert response.status_code == 403 and "30 days" in response.content.decode()


def test_banned_reader_cannot_comment(client, guide, reader):
    reader.banned_from_commenting = True
    reader.save()
    client.force_login(reader)
    assert post(client, guide, "Banned words").status_code == 403
    assert "may not post comments" in client.get(guide.url).content.decode()


def test_reader_edits_own_comment_within_15_minutes(client, guide, reader):
    client.force_login(reader)
    post(client, guide, "Typo here")
    comment = Comment.objects.latest("pk")
    assert client.get(f"/comments/{comment.pk}/edit/").status_code == 200
    response = client.post(f"/comments/{comment.pk}/edit/", {"body": "Fixed it"})
    assert response.status_code == 303
    comment.refresh_from_db()
    assert comment.body == "Fixed it" and comment.edited_at is not None
    assert "edited" in Client().get(guide.url).content.decode()


def test_edit_with_empty_body_is_400(client, guide, reader):
    client.force_login(reader)
    comment = make_comment(guide, reader, "Keep me")
    response = client.post(f"/comments/{comment.pk}/edit/", {"body": "  "})
    assert response.status_code == 400
    comment.refresh_from_db()
    assert comment.body == "Keep me"


def test_editing_someone_elses_or_an_old_comment_is_forbidden(client, guide, reader):
    other = make_reader("cat")
    theirs = make_comment(guide, other, "Not yours")
    old = make_comment(
        guide, reader, "Too old", created_at=timezone.now() - timezone.timedelta(minutes=16)
    )
    client.force_login(reader)
    assert client.post(f"/comments/{theirs.pk}/edit/", {"body": "Hacked"}).status_code == 403
    assert client.post(f"/comments/{old.pk}/edit/", {"body": "Changed"}).status_code == 403
    assert client.post(f"/comments/{theirs.pk}/delete/").status_code == 403
    theirs.refresh_from_db()
    old.refresh_from_db()
    assert theirs.body == "Not yours" and old.body == "Too old"
    assert client.post("/comments/99999/edit/", {"body": "x"}).status_code == 404


def test_deleting_own_comment_with_replies_leaves_a_placeholder(client, guide, reader):
    client.force_login(reader)
    mine = make_comment(guide, reader, "I regret this")
    make_comment(guide, make_reader("dan"), "A reply to keep", parent=mine)
    assert client.get(f"/comments/{mine.pk}/delete/").status_code == 200  # asks first
    assert client.post(f"/comments/{mine.pk}/delete/").status_code == 303
    html = Client().get(guide.url).content.decode()
    assert "This comment was removed." in html and "A reply to keep" in html
    assert "I regret this" not in html
    lonely = make_comment(guide, reader, "Delete me entirely")
    client.post(f"/comments/{lonely.pk}/delete/")
    assert not Comment.objects.filter(pk=lonely.pk).exists()


def test_reporting_a_comment_once(client, guide, reader):
    other = make_reader("eve")
    theirs = make_comment(guide, other, "Rude words")
    client.force_login(reader)
    client.post(f"/comments/{theirs.pk}/report/", {"reason": "rude"})
    response = client.post(f"/comments/{theirs.pk}/report/", {"reason": "rude"}, follow=True)
    assert "already reported" in response.content.decode()
    assert theirs.reports.count() == 1
    assert Client().post(f"/comments/{theirs.pk}/report/").status_code == 403


def test_private_data_is_never_shown_publicly(client, guide, reader):
    make_comment(guide, reader, "With an IP", ip_address="203.0.113.77")
    html = client.get(guide.url).content.decode()
    assert "203.0.113.77" not in html and reader.email not in html


def test_deleted_reader_comments_stay_in_their_thread(client, guide, reader):
    make_comment(guide, reader, "Still here after I go")
    reader.delete()
    html = client.get(guide.url).content.decode()
    assert "Still here after I go" in html and "Deleted reader" in html


def test_comment_area_query_count_does_not_grow_with_comments(
    client, guide, reader, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Comment.objects.all().delete()
    counts = []
    for total in (0, 10, 300):
        existing = Comment.objects.count()
        people = [make_reader() for _ in range(3)]
        new = [
            Comment(
                page=guide,
                author=people[n % 3],
                body=f"Comment {n}",
                status="approved",
                body_html=f"<p>Comment {n}</p>",
            )
            for n in range(total - existing)
        ]
        Comment.objects.bulk_create(new)
        for anonymous in (True, False):
            client.logout() if anonymous else client.force_login(reader)
            client.get(guide.url)
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(guide.url).status_code == 200
            counts.append((anonymous, len(ctx.captured_queries)))
    assert counts[0::2] == [counts[0]] * 3  # anonymous: same with 0, 10 and 300 comments
    assert counts[1::2] == [counts[1]] * 3  # logged in: same too
    assert mail.outbox == []


def test_a_saved_edit_is_confirmed_where_the_reader_lands(client, guide, reader):
    client.force_login(reader)
    comment = make_comment(guide, reader, "Typo here")
    response = client.post(f"/comments/{comment.pk}/edit/", {"body": "Fixed it"}, follow=True)
    assert "Your comment was saved." in response.content.decode()
