"""The letters inbox in the editor: who may see it, what each action does, bad input."""

import datetime

from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from dearly.articles.models import LetterPage
from dearly.questions import admin_views
from dearly.questions.models import Question
from dearly.testing import make_letter

pytestmark = pytest.mark.django_db
INBOX = "/admin/questions/"


def make_question(text=None, pen_name="Worried", status="new", email="", days_old=0, **kw):
    _, token_hash = Question.new_token()
    when = timezone.now() - datetime.timedelta(days=days_old)
    return Question.objects.create(
        text=text or "How do I tell my manager that the deadlines are impossible?",
        pen_name=pen_name,
        email=email,
        consent=True,
        status=status,
        token_hash=token_hash,
        created_at=when,
        status_changed_at=when,
        **kw,
    )


def make_staff(django_user_model, username, *groups, perms=()):
    user = django_user_model.objects.create_user(
        username, f"{username}@example.com", "pw", is_staff=True
    )
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in perms:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


def url(question_or_pk, action=""):
    pk = getattr(question_or_pk, "pk", question_or_pk)
    return f"{INBOX}{pk}/{action + '/' if action else ''}"


@pytest.fixture
def editor(django_user_model, site_tree):
    """A member of Wagtail's Editors group, which may answer questions out of the box."""
    return make_staff(django_user_model, "ed", "Editors")


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def outsider_client(django_user_model, site_tree):
    """Staff who may use the admin but not the inbox."""
    client = Client()
    client.force_login(make_staff(django_user_model, "outsider"))
    return client


# Who may see it.


def test_editors_and_moderators_groups_have_the_permission(django_user_model):
    assert make_staff(django_user_model, "e", "Editors").has_perm(admin_views.PERMISSION)
    assert make_staff(django_user_model, "m", "Moderators").has_perm(admin_views.PERMISSION)


def test_anonymous_visitors_are_sent_to_log_in(client, site_tree):
    question = make_question()
    for path in (INBOX, url(question)):
        response = client.get(path)
        assert response.status_code == 302 and "/login/" in response["Location"]
    response = client.post(url(question, "shortlist"))
    assert response.status_code == 302 and "/login/" in response["Location"]
    question.refresh_from_db()
    assert question.status == "new"


def test_staff_without_the_permission_are_refused_and_nothing_changes(outsider_client):
    question = make_question(email="writer@example.com")
    for path in (INBOX, url(question)):
        response = outsider_client.get(path)
        assert response.status_code in (302, 403)
        assert b"writer@example.com" not in response.content
    for action in ("shortlist", "decline", "answer"):
        assert outsider_client.post(url(question, action)).status_code in (302, 403)
    question.refresh_from_db()
    assert question.status == "new" and question.letter_id is None
    assert not LetterPage.objects.exists()
    assert "Letters inbox" not in outsider_client.get("/admin/").content.decode()


def test_a_single_user_permission_is_enough(django_user_model, site_tree):
    client = Client()
    client.force_login(make_staff(django_user_model, "solo", perms=["can_answer_questions"]))
    assert client.get(INBOX).status_code == 200


def test_actions_need_csrf(editor, site_tree):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    question = make_question()
    for action in ("shortlist", "decline", "answer"):
        assert client.post(url(question, action)).status_code == 403
    question.refresh_from_db()
    assert question.status == "new" and not LetterPage.objects.exists()


def test_actions_refuse_get(editor_client):
    question = make_question()
    for action in ("shortlist", "decline", "answer"):
        assert editor_client.get(url(question, action)).status_code == 405


# The list.


def test_menu_shows_the_number_of_new_questions(editor_client):
    make_question()
    make_question()
    make_question(status="shortlisted")
    assert "Letters inbox (2)" in editor_client.get("/admin/").content.decode()


def test_inbox_lists_new_questions_with_counts_and_no_private_details(editor_client):
    make_question("My colleague takes credit for my work in every meeting.", pen_name="Robbed")
    make_question(
        "Should I move teams after a bad review from my manager?",
        pen_name="Moving",
        status="declined",
        email="private@example.com",
        ip_address="203.0.113.9",
    )
    html = editor_client.get(INBOX).content.decode()
    assert "Robbed" in html and "takes credit" in html and "Moving" not in html
    assert "New (1)" in html and "Declined (1)" in html and "All (2)" in html
    html = editor_client.get(INBOX, {"status": "all"}).content.decode()
    assert "Moving" in html
    assert "private@example.com" not in html and "203.0.113.9" not in html


def test_inbox_filters_by_status_and_searches_text_and_pen_name(editor_client):
    make_question("My colleague takes credit for my work.", pen_name="Robbed")
    make_question("I dread the Monday planning meeting.", pen_name="Dreading", status="shortlisted")
    html = editor_client.get(INBOX, {"status": "shortlisted"}).content.decode()
    assert "Dreading" in html and "Robbed" not in html
    html = editor_client.get(INBOX, {"status": "all", "q": "CREDIT"}).content.decode()
    assert "Robbed" in html and "Dreading" not in html
    html = editor_client.get(INBOX, {"status": "all", "q": "dread"}).content.decode()
    assert "Dreading" in html and "Robbed" not in html
    html = editor_client.get(INBOX, {"status": "all", "q": "nothing like this"}).content.decode()
    assert "No questions match" in html


def test_inbox_paginates(editor_client):
    for n in range(admin_views.PER_PAGE + 3):
        make_question(pen_name=f"Writer{n:02d}", days_old=n)
    html = editor_client.get(INBOX).content.decode()
    assert "Writer00" in html and f"Writer{admin_views.PER_PAGE:02d}" not in html
    html = editor_client.get(INBOX, {"p": 2}).content.decode()
    assert f"Writer{admin_views.PER_PAGE:02d}" in html and "Writer00" not in html


@pytest.mark.parametrize(
    "params",
    [
        {"status": "nonsense"},
        {"p": "-5"},
        {"p": "abc"},
        {"p": "9" * 30},
        {"q": "x" * 5000},
        {"q": "null\x00byte"},
        {"q": "<script>alert(1)</script>"},
    ],
)
def test_inbox_survives_bad_parameters(editor_client, params):
    make_question()
    response = editor_client.get(INBOX, params)
    assert response.status_code == 200
    assert b"<script>alert(1)</script>" not in response.content


@pytest.mark.search_indexes
def test_similar_published_letters_are_hinted_in_the_list_and_shown_in_detail(
    editor_client, site_tree
):
    letters = site_tree["letters"]
    make_letter(
        letters,
        title="Dear Dr. Mimi – Overlooked",
        question="<p>My colleague presents my work as his own in meetings.</p>",
    )
    make_letter(
        letters,
        title="Dear Dr. Mimi – Unpublished",
        question="<p>My colleague presents my slides as his work.</p>",
        live=False,
    )
    make_letter(letters, title="Dear Dr. Mimi – Gardener", question="<p>Orchids wilt.</p>")
    question = make_question("A colleague presents my work in meetings as his own. Help!")
    html = editor_client.get(INBOX).content.decode()
    assert "Dear Dr. Mimi – Overlooked" in html
    assert "Unpublished" not in html and "Gardener" not in html
    html = editor_client.get(url(question)).content.decode()
    assert "Dear Dr. Mimi – Overlooked" in html and "Unpublished" not in html


@pytest.mark.search_indexes
@pytest.mark.parametrize("status", ["new", "all"])
def test_inbox_query_count_does_not_grow_with_questions(editor_client, site_tree, status):
    for n in range(3):
        make_letter(site_tree["letters"], question=f"<p>My manager ignores deadlines {n}.</p>")

    def queries_for(number):
        Question.objects.all().delete()
        for n in range(number):
            make_question(f"My manager ignores my deadlines, number {n}.", pen_name=f"W{n}")
        editor_client.get(INBOX)  # fills the cached site root paths, as any earlier request has
        with CaptureQueriesContext(connection) as captured:
            response = editor_client.get(INBOX, {"status": status})
        assert response.status_code == 200
        assert response.content.decode().count("similar-hint") == min(number, admin_views.PER_PAGE)
        return len(captured)

    assert queries_for(10) == queries_for(100)


@pytest.mark.search_indexes
def test_detail_query_count_is_bounded(editor_client, site_tree, django_assert_max_num_queries):
    for n in range(10):
        make_letter(site_tree["letters"], question=f"<p>My manager ignores deadlines {n}.</p>")
    question = make_question("My manager ignores my deadlines.")
    with django_assert_max_num_queries(40):
        assert editor_client.get(url(question)).status_code == 200


# The detail page.


def test_detail_shows_the_private_details_to_those_with_the_permission(editor_client):
    question = make_question(email="writer@example.com", ip_address="203.0.113.9")
    html = editor_client.get(url(question)).content.decode()
    assert "writer@example.com" in html and "203.0.113.9" in html
    assert question.text in html


def test_detail_escapes_what_the_writer_typed(editor_client):
    question = make_question("<script>alert('x')</script> is what my boss " + "writes " * 10)
    question.pen_name = "<b>Bold</b>"
    question.save()
    html = editor_client.get(url(question)).content.decode()
    assert "<script>alert" not in html and "<b>Bold</b>" not in html
    assert "&lt;b&gt;Bold&lt;/b&gt;" in html


@pytest.mark.parametrize("path", ["999999/", "abc/", "9" * 30 + "/", "-1/", "1.5/"])
@pytest.mark.parametrize("action", ["", "shortlist/", "decline/", "answer/"])
def test_unknown_or_malformed_ids_are_404(editor_client, path, action):
    make_question()
    if action:
        response = editor_client.post(INBOX + path + action)
    else:
        response = editor_client.get(INBOX + path)
    assert response.status_code == 404


# Shortlist.


def test_shortlist_a_new_question(editor_client):
    question = make_question(days_old=3)
    response = editor_client.post(url(question, "shortlist"))
    assert response.status_code == 303 and response["Location"] == url(question)
    question.refresh_from_db()
    assert question.status == "shortlisted"
    assert timezone.now() - question.status_changed_at < datetime.timedelta(minutes=1)


@pytest.mark.parametrize("status", ["shortlisted", "answered", "published", "declined"])
def test_only_new_questions_can_be_shortlisted(editor_client, status):
    question = make_question(status=status)
    response = editor_client.post(url(question, "shortlist"), follow=True)
    assert "Only new questions can be shortlisted" in response.content.decode()
    question.refresh_from_db()
    assert question.status == status


# Decline.


def test_decline_with_a_reply_emails_the_writer_after_commit(
    editor_client, django_capture_on_commit_callbacks
):
    question = make_question(status="shortlisted", email="writer@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            url(question, "decline"), {"reply": "Thank you; we answered this in March."}
        )
    assert response.status_code == 303
    question.refresh_from_db()
    assert question.status == "declined"
    assert question.decline_reply == "Thank you; we answered this in March."
    assert [m.to for m in mail.outbox] == [["writer@example.com"]]
    assert "we answered this in March" in mail.outbox[0].body
    assert "Dear Worried" in mail.outbox[0].body


def test_decline_without_a_reply_or_without_an_address_sends_nothing(
    editor_client, django_capture_on_commit_callbacks
):
    silent = make_question(email="writer@example.com")
    no_address = make_question()
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(url(silent, "decline"), {"reply": "  "})
        response = editor_client.post(url(no_address, "decline"), {"reply": "Sorry."}, follow=True)
    assert "kept here only" in response.content.decode()
    assert mail.outbox == []
    assert {q.status for q in Question.objects.all()} == {"declined"}


@pytest.mark.parametrize(
    ("reply", "message"),
    [("x" * 10_000, "at most 2000 characters"), ("Sorry\x00", "Null characters are not allowed")],
)
def test_bad_decline_reply_is_a_message_and_nothing_changes(
    editor_client, django_capture_on_commit_callbacks, reply, message
):
    question = make_question(email="writer@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(url(question, "decline"), {"reply": reply}, follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    question.refresh_from_db()
    assert question.status == "new" and question.decline_reply == ""
    assert mail.outbox == []


@pytest.mark.parametrize("status", ["answered", "published", "declined"])
def test_only_new_and_shortlisted_questions_can_be_declined(editor_client, status):
    question = make_question(status=status, email="writer@example.com")
    response = editor_client.post(url(question, "decline"), {"reply": "No"}, follow=True)
    assert "can be declined" in response.content.decode()
    question.refresh_from_db()
    assert question.status == status and question.decline_reply == ""
    assert mail.outbox == []


# Answer.


def test_answer_makes_a_draft_letter_and_opens_the_editor(editor_client, editor, site_tree):
    question = make_question(
        "My boss <b>shouts</b> & sulks.\n\nWhat do I do?\nSeriously.", pen_name="Rattled"
    )
    response = editor_client.post(url(question, "answer"))
    question.refresh_from_db()
    letter = question.letter
    assert response.status_code == 303
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[letter.pk])
    assert question.status == "answered"
    assert letter.title == "Dear Dr. Mimi – Rattled"
    assert letter.pen_name == "Rattled"
    assert letter.question == (
        "<p>My boss &lt;b&gt;shouts&lt;/b&gt; &amp; sulks.</p><p>What do I do?<br/>Seriously.</p>"
    )
    assert not letter.live and letter.get_parent().pk == site_tree["letters"].pk
    assert letter.owner == editor and letter.latest_revision is not None
    assert editor_client.get(response["Location"]).status_code == 200


def test_answering_twice_opens_the_same_draft(editor_client):
    question = make_question()
    first = editor_client.post(url(question, "answer"))["Location"]
    second = editor_client.post(url(question, "answer"))["Location"]
    assert first == second
    assert LetterPage.objects.count() == 1


def test_two_questions_from_the_same_pen_name_get_their_own_drafts(editor_client):
    one, two = make_question(pen_name="Poor"), make_question(pen_name="Poor")
    editor_client.post(url(one, "answer"))
    editor_client.post(url(two, "answer"))
    one.refresh_from_db()
    two.refresh_from_db()
    assert one.letter_id != two.letter_id
    assert one.letter.slug != two.letter.slug


def test_answer_uses_the_columnists_name_from_settings(editor_client, site_tree):
    from wagtail.models import Site

    from dearly.core.models import ColumnSettings

    settings = ColumnSettings.for_site(Site.objects.get(is_default_site=True))
    settings.columnist_name = "Aunt Agatha"
    settings.save()
    question = make_question(pen_name="Lost")
    editor_client.post(url(question, "answer"))
    question.refresh_from_db()
    assert question.letter.title == "Dear Aunt Agatha – Lost"


def test_a_declined_question_cannot_be_answered(editor_client):
    question = make_question(status="declined")
    response = editor_client.post(url(question, "answer"), follow=True)
    assert "cannot be answered" in response.content.decode()
    assert not LetterPage.objects.exists()


def test_answer_needs_a_column_to_put_the_letter_in(editor_client, site_tree):
    site_tree["letters"].delete()
    question = make_question()
    response = editor_client.post(url(question, "answer"), follow=True)
    assert "no letters column" in response.content.decode()
    question.refresh_from_db()
    assert question.status == "new" and question.letter_id is None


def test_answer_respects_page_permissions(django_user_model, site_tree):
    """The inbox permission alone does not let someone add pages to the column."""
    client = Client()
    client.force_login(make_staff(django_user_model, "solo", perms=["can_answer_questions"]))
    question = make_question()
    response = client.post(url(question, "answer"), follow=True)
    assert "You may not add letters" in response.content.decode()
    question.refresh_from_db()
    assert question.status == "new" and not LetterPage.objects.exists()


def test_publishing_the_answer_marks_the_question_published_and_tells_the_writer(
    editor_client, django_capture_on_commit_callbacks
):
    question = make_question(email="writer@example.com")
    editor_client.post(url(question, "answer"))
    question.refresh_from_db()
    letter = question.letter
    letter.answer = "<p>Say so, calmly.</p>"
    with django_capture_on_commit_callbacks(execute=True):
        letter.save_revision().publish()
    question.refresh_from_db()
    assert question.status == "published"
    assert [m.to for m in mail.outbox] == [["writer@example.com"]]
    assert letter.full_url in mail.outbox[0].body
    html = editor_client.get(url(question)).content.decode()
    assert "Open the letter in the editor" in html and "published" in html


def test_a_letter_answered_from_the_inbox_is_signed_by_the_columnist(
    editor_client, django_user_model, site_tree
):
    from wagtail.models import Site

    from dearly.core.models import ColumnSettings

    mimi = django_user_model.objects.create_user("mimi", display_name="Dr. Mimi")
    settings = ColumnSettings.for_site(Site.objects.get(is_default_site=True))
    settings.columnist = mimi
    settings.save()
    question = make_question(pen_name="Bylined")
    editor_client.post(url(question, "answer"))
    question.refresh_from_db()
    assert question.letter.author == mimi
    assert question.letter.get_latest_revision_as_object().author == mimi  # what the editor opens


def test_without_a_columnist_the_answering_editor_signs_the_letter(editor_client, editor):
    question = make_question(pen_name="Unsigned")
    editor_client.post(url(question, "answer"))
    question.refresh_from_db()
    assert question.letter.author == editor
