"""The admin's dashboard says what waits: comments to moderate, new questions, scheduled pages;
each to those who may act on it, in the same number of queries however much waits."""

import datetime

from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wagtail.models import GroupPagePermission

import pytest

from dearly.comments.tests.helpers import make_comment, make_reader
from dearly.questions.models import Question
from dearly.testing import make_article

pytestmark = pytest.mark.django_db
DASHBOARD = "/admin/"
SCHEDULED = "/admin/scheduled/"


def make_question(text="How do I ask for a raise without sounding greedy?", pen_name="Shy"):
    _, token_hash = Question.new_token()
    return Question.objects.create(
        text=text, pen_name=pen_name, email="private@example.com", consent=True,
        token_hash=token_hash,
    )  # fmt: skip


def make_scheduled(parent, title, days=3):
    """A guide approved to go live in `days` days (Wagtail's publish() schedules it)."""
    return make_article(
        parent, title=title, go_live_at=timezone.now() + datetime.timedelta(days=days)
    )


def make_staff(username, *groups, perms=()):
    person = make_reader(username, is_staff=True)
    person.user_permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in perms:
        person.user_permissions.add(Permission.objects.get(codename=codename))
    for name in groups:
        person.groups.add(Group.objects.get(name=name))
    return person


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def chief(site_tree):
    return make_reader("chief", is_staff=True, is_superuser=True)


def fill(site_tree, n):
    guide = make_article(site_tree["guides"], title="A guide with comments")
    for i in range(n):
        make_comment(guide, make_reader(), f"Held comment number {i}", status="pending")
        make_question(f"Question number {i} about a difficult colleague at work.", f"Pen {i}")
        make_scheduled(site_tree["guides"], f"Scheduled guide {i}", days=i + 1)
    make_comment(guide, make_reader(), "Already approved and not waiting")
    return guide


def test_dashboard_lists_what_waits_with_counts_and_links(chief, site_tree):
    fill(site_tree, 4)
    html = logged_in(chief).get(DASHBOARD).content.decode()
    assert "Waiting for you" in html
    assert 'href="/admin/comments/">Comments awaiting moderation: 4</a>' in html
    assert 'href="/admin/questions/">New questions: 4</a>' in html
    assert 'href="/admin/scheduled/">Scheduled pages: 4</a>' in html
    # The newest few of each, linked to where they are handled.
    assert "Held comment number 3" in html and "Held comment number 0" not in html
    assert "Already approved" not in html
    assert "Pen 3" in html and "Pen 0" not in html
    question = Question.objects.get(pen_name="Pen 3")
    assert f'href="/admin/questions/{question.pk}/"' in html
    assert "private@example.com" not in html  # the asker's address stays in the inbox
    # Scheduled: the soonest first.
    assert "Scheduled guide 0" in html and "Scheduled guide 3" not in html
    assert "goes live" in html
    assert "Moderate comments (4)" in html and "All scheduled pages (4)" in html


def test_an_empty_queue_says_so(chief, site_tree):
    html = logged_in(chief).get(DASHBOARD).content.decode()
    assert "Comments awaiting moderation: 0" in html and "No comment is waiting." in html
    assert "New questions: 0" in html and "No new question." in html
    assert "Scheduled pages: 0" in html and "No page is scheduled to go live." in html


def test_each_section_shows_only_to_those_who_may_act_on_it(site_tree):
    fill(site_tree, 1)
    moderator = make_staff("mod", perms=["can_moderate"])
    html = logged_in(moderator).get(DASHBOARD).content.decode()
    assert "Comments awaiting moderation: 1" in html
    assert "New questions" not in html and "Scheduled pages" not in html

    answerer = make_staff("ans", perms=["can_answer_questions"])
    html = logged_in(answerer).get(DASHBOARD).content.decode()
    assert "New questions: 1" in html and "Comments awaiting" not in html

    nobody = make_staff("nobody")
    html = logged_in(nobody).get(DASHBOARD).content.decode()
    assert "Waiting for you" not in html


def test_scheduled_pages_are_those_the_user_may_edit(site_tree):
    """An editor with rights over the guides section only sees the guides scheduled there."""
    make_scheduled(site_tree["guides"], "A scheduled guide")
    group = Group.objects.create(name="Guides only")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    GroupPagePermission.objects.create(
        group=group,
        page=site_tree["letters"],
        permission=Permission.objects.get(codename="change_page"),
    )
    editor = make_staff("letters-editor")
    editor.groups.add(group)
    html = logged_in(editor).get(DASHBOARD).content.decode()
    assert "Scheduled pages: 0" in html and "A scheduled guide" not in html
    html = logged_in(editor).get(SCHEDULED).content.decode()
    assert "A scheduled guide" not in html


def test_dashboard_queries_do_not_grow_with_what_waits(chief, site_tree):
    client = logged_in(chief)
    fill(site_tree, 1)
    client.get(DASHBOARD)  # warm Wagtail's caches (site root paths, content types)
    with CaptureQueriesContext(connection) as few:
        assert client.get(DASHBOARD).status_code == 200
    fill(site_tree, 6)
    with CaptureQueriesContext(connection) as many:
        assert client.get(DASHBOARD).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_scheduled_pages_list_all_of_them_soonest_first(chief, site_tree):
    for n in (5, 2, 9):
        make_scheduled(site_tree["guides"], f"Goes live in {n} days", days=n)
    html = logged_in(chief).get(SCHEDULED).content.decode()
    assert html.index("in 2 days") < html.index("in 5 days") < html.index("in 9 days")


@pytest.mark.parametrize("params", [{"p": "abc"}, {"p": "-1"}, {"p": "9" * 5000}])
def test_scheduled_pages_survive_bad_page_numbers(chief, site_tree, params):
    assert logged_in(chief).get(SCHEDULED, params).status_code == 200


def test_scheduled_pages_need_page_permissions(site_tree):
    assert Client().get(SCHEDULED).status_code == 302  # to the login page
    assert logged_in(make_reader("reader")).get(SCHEDULED).status_code == 403
    response = logged_in(make_staff("nobody")).get(SCHEDULED)
    assert response.status_code in (302, 403)  # Wagtail sends it back to its dashboard
