"""Likely identifying details: the detector on sentences, and the check in the letter editor."""

import itertools
import time

from django.core import mail
from django.test import Client
from django.urls import reverse

from wagtail.test.utils.form_data import querydict_from_html, rich_text

import pytest

from dearly.articles.models import LetterPage
from dearly.questions.editor import CONFIRM_FIELD, rich_text_lines
from dearly.questions.privacy import MAX_TEXT, find_identifying_details, highlight, in_context

from .test_inbox import make_question, make_staff

IGNORE = ["Dr. Mimi", "Poor"]


def found(text, ignore=IGNORE):
    return [(f.kind, f.text) for f in find_identifying_details(text, ignore=ignore)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "I work at Globex Corporation in Leeds",
            [("name", "Globex Corporation"), ("name", "Leeds")],
        ),
        (
            "Call me on 020 7946 0958 at Acme Widgets Ltd",
            [("phone", "020 7946 0958"), ("name", "Acme Widgets Ltd")],
        ),
        (
            "Write to me at jo.bloggs+work@example.co.uk please",
            [("email", "jo.bloggs+work@example.co.uk")],
        ),
        (
            "My blog is https://jo.example.org/about, read it.",
            [("url", "https://jo.example.org/about")],
        ),
        ("See www.acme-widgets.com for my photo", [("url", "www.acme-widgets.com")]),
        ("I post on jobloggs.net daily", [("url", "jobloggs.net")]),
        ("Ring +44 20 7946 0958 tonight", [("phone", "+44 20 7946 0958")]),
        ("Ring +44 (0)20 7946 0958 tonight", [("phone", "+44 (0)20 7946 0958")]),
        ("Ring 0044 20 7946 0958 tonight", [("phone", "0044 20 7946 0958")]),
        ("my mobile is 07700 900123.", [("phone", "07700 900123")]),
        ("my mobile is 07700900123.", [("phone", "07700900123")]),
        (
            "in the US it is (555) 010-4477 or 555.010.4477",
            [("phone", "(555) 010-4477"), ("phone", "555.010.4477")],
        ),
        ("My manager, Sarah Jones, shouts.", [("name", "Sarah Jones")]),
        ("I studied at the University of Leeds.", [("name", "University of Leeds")]),
        ("She said: “You are fired.” Then Tom laughed.", [("name", "Tom")]),
        ("Acme Ltd is hiring again.", [("name", "Acme Ltd")]),
        ("Things changed when Mr. Patel arrived.", [("name", "Patel")]),
        ("Our client, McKinsey, wants it by Friday.", [("name", "McKinsey")]),
    ],
)
def test_finds_identifying_details(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I feel Monday mornings are hard",
        "Sarah told me the plan was off.",  # a name at the start of a sentence is not flagged
        "In March I asked for a raise, and in December I asked again.",
        "My boss and HR say the CEO wants my CV by Friday.",
        "I use Excel, Zoom and Slack all day, and I dread Christmas.",
        "It started on 01.02.2023 and lasted from 2019 to 2021.",
        "It cost £20,000, or 1,500 a month, for 12 months.",
        "Our Group is growing fast.",
        "Dear Dr. Mimi, I am Poor and tired.",
        "Everyone says I should ask Dr. Mimi. So I am asking you, Dr. Mimi!",
        "I moved from England to Scotland and learned French.",
        "",
    ],
)
def test_ordinary_sentences_have_no_findings(text):
    assert found(text) == []


def test_pen_name_and_columnist_are_ignored_only_when_given():
    text = "I told Aunt Agatha that Worried would write."
    assert found(text, ignore=[]) == [("name", "Aunt Agatha"), ("name", "Worried")]
    assert found(text, ignore=["Aunt Agatha", "Worried"]) == []


def test_findings_never_overlap_and_come_in_reading_order():
    text = "Email sarah@acme.com or visit acme.com, or call 020 7946 0958, says Sarah Smith."
    findings = find_identifying_details(text)
    assert [f.kind for f in findings] == ["email", "url", "phone", "name"]
    assert all(a.end <= b.start for a, b in itertools.pairwise(findings))
    assert all(text[f.start : f.end] == f.text for f in findings)


def test_highlight_escapes_everything_and_marks_each_finding():
    text = "<script>x</script> & call 020 7946 0958"
    html = highlight(text, find_identifying_details(text))
    assert html == (
        '&lt;script&gt;x&lt;/script&gt; &amp; call <mark title="Phone number">020 7946 0958</mark>'
    )


def test_a_name_with_html_in_it_is_escaped_inside_the_mark():
    text = "I met Jo <b>O'Brien</b> there"
    html = highlight(text, find_identifying_details(text))
    assert "<b>" not in html and "O&#x27;Brien" in html and "<mark" in html


def test_in_context_shows_the_finding_with_a_little_text_around_it():
    text = "word " * 30 + "call 020 7946 0958 now " + "word " * 30
    [finding] = find_identifying_details(text)
    snippet = in_context(text, finding, width=20)
    assert snippet.startswith("…") and snippet.endswith("…")
    assert '<mark title="Phone number">020 7946 0958</mark>' in snippet
    assert len(snippet) < 120


def test_hostile_input_does_not_break_the_detector():
    assert found("\x00" * 1000) == []
    long_text = ("I met Acme Widgets Ltd at 9. " * 5000) + "0" * 10_000
    started = time.perf_counter()
    findings = find_identifying_details(long_text)
    assert time.perf_counter() - started < 5
    assert 1000 < len(findings) <= 5000 and findings[-1].end <= MAX_TEXT
    assert found("+" * 50 + "(((((" + "1-" * 100) == []


def test_rich_text_paragraphs_become_lines_so_each_starts_a_sentence():
    assert rich_text_lines("<p>First line</p><p>Sarah wrote</p><ul><li>Item</li></ul>") == (
        "First line\nSarah wrote\nItem"
    )
    assert found(rich_text_lines("<p>I asked</p><p>Sarah said no</p>")) == []


# The check in Wagtail's letter editor, through the real admin views.

QUESTION = "Call me on 020 7946 0958 at Acme Widgets Ltd. My boss ignores every deadline I set."


@pytest.fixture
def moderator_client(django_user_model, site_tree):
    """Wagtail's Moderators group may answer questions and publish pages."""
    client = Client()
    client.force_login(make_staff(django_user_model, "mod", "Moderators"))
    return client


def open_answer(client, question):
    """Answer from the inbox; the editor's form data as the browser would post it."""
    response = client.post(f"/admin/questions/{question.pk}/answer/")
    edit_url = response["Location"]
    html = client.get(edit_url).content.decode()
    data = querydict_from_html(html, form_id="page-edit-form")
    data["answer"] = rich_text("<p>Tell your boss, calmly, what you can do by when.</p>")
    return edit_url, html, data


@pytest.mark.django_db
def test_editor_shows_the_privacy_check_with_each_finding_highlighted(moderator_client):
    question = make_question(QUESTION, pen_name="Poor")
    _, html, _ = open_answer(moderator_client, question)
    assert "Privacy check" in html
    assert '<mark title="Phone number">020 7946 0958</mark>' in html
    assert '<mark title="Name">Acme Widgets Ltd</mark>' in html
    assert "I have checked this letter for identifying details" in html


@pytest.mark.django_db
def test_publishing_with_findings_needs_the_tick_then_notifies_the_writer(
    moderator_client, django_capture_on_commit_callbacks
):
    question = make_question(QUESTION, pen_name="Poor", email="writer@example.com")
    edit_url, _, data = open_answer(moderator_client, question)
    data["action-publish"] = "action-publish"

    with django_capture_on_commit_callbacks(execute=True):
        response = moderator_client.post(edit_url, data)
    assert response.status_code == 200
    assert "Remove them, or tick" in response.content.decode()
    question.refresh_from_db()
    assert not question.letter.live and question.status == "answered"
    assert not LetterPage.objects.live().exists()
    assert mail.outbox == []

    data[CONFIRM_FIELD] = "on"
    with django_capture_on_commit_callbacks(execute=True):
        response = moderator_client.post(edit_url, data)
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.letter.live and question.status == "published"
    assert [m.to for m in mail.outbox] == [["writer@example.com"]]
    assert question.letter.full_url in mail.outbox[0].body


@pytest.mark.django_db
def test_saving_a_draft_never_needs_the_tick(moderator_client):
    question = make_question(QUESTION, pen_name="Poor")
    edit_url, _, data = open_answer(moderator_client, question)
    response = moderator_client.post(edit_url, data)
    assert response.status_code == 302
    question.refresh_from_db()
    letter = question.letter
    assert not letter.live and question.status == "answered"
    assert "Tell your boss" in letter.get_latest_revision_as_object().answer


@pytest.mark.django_db
def test_a_letter_without_findings_publishes_without_the_tick(moderator_client):
    question = make_question("My boss ignores every deadline I set. What can I do?")
    edit_url, html, data = open_answer(moderator_client, question)
    assert "No likely identifying details" in html
    data["action-publish"] = "action-publish"
    assert moderator_client.post(edit_url, data).status_code == 302
    question.refresh_from_db()
    assert question.letter.live and question.status == "published"


@pytest.mark.django_db
def test_findings_added_in_the_answer_are_caught_too(moderator_client):
    question = make_question("My boss ignores every deadline I set. What can I do?")
    edit_url, _, data = open_answer(moderator_client, question)
    data["answer"] = rich_text("<p>Email me at mimi.private@example.com and we can talk.</p>")
    data["action-publish"] = "action-publish"
    response = moderator_client.post(edit_url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Remove them, or tick" in html
    assert '<mark title="Email address">mimi.private@example.com</mark>' in html
    question.refresh_from_db()
    assert not question.letter.live


@pytest.mark.django_db
def test_new_letters_made_in_the_editor_get_the_check_too(moderator_client, site_tree):
    url = reverse(
        "wagtailadmin_pages:add", args=["articles", "letterpage", site_tree["letters"].pk]
    )
    html = moderator_client.get(url).content.decode()
    assert "Privacy check" in html
    data = querydict_from_html(html, form_id="page-edit-form")
    data.update(
        {
            "title": "Dear Dr. Mimi – Direct",
            "slug": "direct",
            "pen_name": "Direct",
            "question": rich_text("<p>My manager Sarah Jones shouts.</p>"),
            "answer": rich_text("<p>Talk to her.</p>"),
            "action-publish": "action-publish",
        }
    )
    response = moderator_client.post(url, data)
    assert response.status_code == 200 and "Remove them, or tick" in response.content.decode()
    assert not LetterPage.objects.filter(slug="direct").exists()
    data[CONFIRM_FIELD] = "on"
    assert moderator_client.post(url, data).status_code == 302
    assert LetterPage.objects.get(slug="direct").live
