"""Round-ups: several short letters on one page, each at its own anchor, written in the editor,
listed with the letters, and found by search and "already answered?" one letter at a time."""

import json
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

import pytest

from dearly.articles.editor import CONFIRM_FIELD
from dearly.articles.listing import load_posts
from dearly.articles.models import RoundupLetter, RoundupPage
from dearly.core.text import html_to_text
from dearly.questions.services import similar_letters
from dearly.retrieval import query
from dearly.retrieval.models import Document, Key
from dearly.testing import make_letter, make_roundup, make_topic

pytestmark = pytest.mark.django_db

FIVE = [
    (
        "Overlooked",
        "<p>My manager gives every interesting project to the colleague who sits nearest "
        "to her desk.</p>",
        "<p>Ask her, in your next one-to-one, for the next project by name.</p>",
    ),
    (
        "Night Owl",
        "<p>The office heating is switched off at five, and I work late shifts in a cold "
        "building.</p>",
        "<p>Put it in writing to facilities: temperature at work is a safety matter.</p>",
    ),
    (
        "Reluctant Host",
        "<p>I have been told to organise the team's holiday party with no budget at all.</p>",
        "<p>A party with no budget is a potluck; say so, and ask who will help.</p>",
    ),
]


def roundup(site_tree, letters=FIVE, **kw):
    return make_roundup(
        site_tree["letters"], letters, title="Three answers to three questions", **kw
    )


@pytest.fixture
def editor_client(client, django_user_model):
    editor = django_user_model.objects.create_superuser("ed", "ed@example.com", "pw")
    client.force_login(editor)
    return client


# The editor.


def add_url(site_tree):
    return reverse(
        "wagtailadmin_pages:add", args=["articles", "rounduppage", site_tree["letters"].pk]
    )


def letter_form(pen_name, question, answer):
    return {"pen_name": pen_name, "question": rich_text(question), "answer": rich_text(answer)}


def form_data(letters, publish=True, **fields):
    data = nested_form_data(
        {
            "title": "Three answers to three questions",
            "slug": "three-answers",
            "intro": "Short letters, short answers.",
            "date": "2026-01-05 09:00",
            "comments_open": "on",
            "email_subscribers": "",
            "tags": "",
            "letters": inline_formset([letter_form(*letter) for letter in letters]),
            **fields,
        }
    )
    if publish:
        data["action-publish"] = "action-publish"
    return data


def test_the_editor_writes_a_round_up_of_letters(editor_client, site_tree):
    assert editor_client.get(add_url(site_tree)).status_code == 200
    response = editor_client.post(add_url(site_tree), form_data(FIVE))
    assert response.status_code == 302, response.content.decode()[:3000]
    page = RoundupPage.objects.get(slug="three-answers")
    assert page.live
    assert [lt.pen_name for lt in page.numbered_letters()] == [n for n, _, _ in FIVE]
    assert [lt.anchor for lt in page.numbered_letters()] == ["letter-1", "letter-2", "letter-3"]
    edit = reverse("wagtailadmin_pages:edit", args=[page.pk])
    assert editor_client.get(edit).status_code == 200


def test_round_ups_live_only_in_the_column(site_tree):
    assert RoundupPage.can_create_at(site_tree["letters"])
    assert not RoundupPage.can_create_at(site_tree["guides"])
    assert not RoundupPage.can_create_at(site_tree["home"])


def test_an_empty_round_up_is_refused_and_nothing_is_written(editor_client, site_tree):
    response = editor_client.post(add_url(site_tree), form_data([]))
    assert response.status_code == 200
    assert "at least 1" in response.content.decode()
    assert not RoundupPage.objects.exists() and not RoundupLetter.objects.exists()


@pytest.mark.parametrize(
    "letter",
    [
        ("x" * 61, "<p>A question.</p>", "<p>An answer.</p>"),  # a pen name over 60 characters
        ("", "<p>A question.</p>", "<p>An answer.</p>"),  # no pen name
        ("Quiet", "", "<p>An answer.</p>"),  # no question
    ],
)
def test_a_broken_letter_is_refused_and_nothing_is_written(editor_client, site_tree, letter):
    response = editor_client.post(add_url(site_tree), form_data([FIVE[0], letter]))
    assert response.status_code == 200
    assert "The page could not be created" in response.content.decode()
    assert not RoundupPage.objects.exists() and not RoundupLetter.objects.exists()


def test_more_letters_than_a_round_up_holds_are_refused(editor_client, site_tree):
    from dearly.articles.models import ROUNDUP_MAX_LETTERS

    letters = [(f"Writer {n}", "<p>Why?</p>", "<p>Because.</p>") for n in range(101)]
    assert len(letters) > ROUNDUP_MAX_LETTERS
    response = editor_client.post(add_url(site_tree), form_data(letters))
    assert response.status_code == 200
    assert not RoundupPage.objects.exists() and not RoundupLetter.objects.exists()


def test_html_typed_into_a_question_is_sanitised_as_a_letters_is(editor_client, site_tree):
    hostile = (
        '<p>Is this <script>alert("x")</script>allowed?</p>'
        '<p><img src="x" onerror="alert(1)"/>Really <a href="javascript:alert(1)">here</a></p>'
    )
    response = editor_client.post(
        add_url(site_tree), form_data([("Curious", hostile, "<p>No.</p>")])
    )
    assert response.status_code == 302
    html = editor_client.get("/letters/three-answers/").content.decode()
    body = html[html.index('id="letter-1"') :]
    assert "<script>alert" not in body and "onerror" not in body and "javascript:" not in body
    assert "allowed?" in body


def test_raw_html_posted_instead_of_the_editors_format_never_reaches_the_page(
    editor_client, site_tree
):
    data = form_data([FIVE[0]])
    data["letters-0-question"] = '<script>alert("x")</script><p>Plain?</p>'
    response = editor_client.post(add_url(site_tree), data)
    assert response.status_code == 400  # as for a letter's own page: not the editor's format
    assert not RoundupPage.objects.exists() and not RoundupLetter.objects.exists()


def test_publishing_a_letter_with_identifying_details_needs_the_privacy_confirmation(
    editor_client, site_tree
):
    named = ("Worried", "<p>Write to me at jo.bloggs@example.com please.</p>", "<p>Yes.</p>")
    response = editor_client.post(add_url(site_tree), form_data([FIVE[0], named]))
    assert response.status_code == 200
    assert "letter 2 (jo.bloggs@example.com)" in response.content.decode()
    assert not RoundupPage.objects.exists()
    data = form_data([FIVE[0], named])
    data[CONFIRM_FIELD] = "on"
    assert editor_client.post(add_url(site_tree), data).status_code == 302
    assert RoundupPage.objects.get().live
    # A draft is never held back by the check.
    draft = form_data([named], publish=False, slug="draft-one")
    assert editor_client.post(add_url(site_tree), draft).status_code == 302


# Reading it.


def test_the_page_shows_each_letter_at_its_anchor_with_greetings_and_sign_offs(client, site_tree):
    page = roundup(site_tree)
    html = client.get(page.url).content.decode()
    for n, (pen_name, _, _) in enumerate(FIVE, start=1):
        assert f'id="letter-{n}"' in html
        assert f'href="#letter-{n}"' in html
        assert f"Dear {pen_name}," in html and f"—{pen_name}" in html
    assert html.count("Dear Dr. Mimi,") == len(FIVE)
    assert html.index("Overlooked") < html.index("Night Owl") < html.index("Reluctant Host")
    assert '"@type": "BlogPosting"' in html


def test_listed_with_the_letters_in_the_listing_feeds_and_sitemap(client, site_tree):
    page = roundup(site_tree, topics=[make_topic("Career")], tags=["office"])
    listing = client.get("/letters/").content.decode()
    assert page.title in listing and ">Letters</a>" in listing
    # Its excerpt is the readers' questions, not the answers.
    assert "My manager gives every interesting project" in listing
    assert "Ask her, in your next one-to-one" not in listing
    for feed in ("/feed/letters/", "/feed/", "/feed/atom/", "/topics/career/feed/"):
        assert page.title in client.get(feed).content.decode(), feed
    assert page.full_url in client.get("/sitemap.xml").content.decode()
    assert page.title in client.get("/tags/office/").content.decode()


def test_on_the_home_page_and_in_the_sidebar_with_the_letters(client, site_tree):
    from dearly.comments.tests.helpers import make_comment, make_reader

    make_letter(site_tree["letters"], title="An older letter")
    page = roundup(site_tree)
    RoundupPage.objects.filter(pk=page.pk).update(date=page.date.replace(year=2099))
    reader = make_reader("talker")
    for n in range(3):
        make_comment(page, reader, f"Comment {n}")
    html = client.get("/").content.decode()
    latest = html.split("Latest letters", 1)[1].split("More letters", 1)[0]
    assert latest.index(page.title) < latest.index("An older letter")  # newest first
    sidebar = html.split('<aside class="sidebar"', 1)[1].split("</aside>", 1)[0]
    assert page.title in sidebar.split("Most discussed", 1)[1]


def test_a_round_up_of_a_hundred_letters_costs_the_queries_of_two(client, site_tree):
    link = make_letter(site_tree["letters"], title="Linked letter")
    answer = f'<p>See <a linktype="page" id="{link.pk}">this one</a>.</p>'
    small = roundup(site_tree, [(f"Writer {n}", "<p>Why?</p>", answer) for n in range(2)])
    big = make_roundup(
        site_tree["letters"], [(f"Writer {n}", "<p>Why?</p>", answer) for n in range(100)]
    )
    warm = roundup(site_tree, [("Early", "<p>First?</p>", answer)], slug="warm-up")
    client.get(warm.url)  # per-process and per-site caches (site root paths, settings) warmed

    def first_render(page):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(page.url)
        assert response.status_code == 200
        return len(ctx.captured_queries), response.content.decode()

    small_count, _ = first_render(small)
    big_count, html = first_render(big)
    assert big_count == small_count
    assert 'id="letter-100"' in html and html.count(f'href="{link.url}"') >= 100


# Finding each letter.


@pytest.mark.search_indexes
def test_each_letter_has_its_own_document_titled_with_its_pen_name(site_tree):
    page = roundup(site_tree)
    documents = Document.objects.filter(page_id=page.pk, live=True).order_by("anchor")
    assert [(d.anchor, d.kind) for d in documents] == [
        ("letter-1", "letter"),
        ("letter-2", "letter"),
        ("letter-3", "letter"),
    ]
    assert documents[0].title == "Three answers to three questions – Overlooked"
    assert "colleague who sits nearest" in documents[0].body
    assert "heating" not in documents[0].body  # one letter, not the page
    assert all(len(bytes(d.vector)) == 384 * 4 for d in documents)


@pytest.mark.search_indexes
def test_search_finds_each_letter_at_its_anchor(client, site_tree):
    page = roundup(site_tree)
    make_letter(site_tree["letters"], title="Dear Dr. Mimi – Chilly", question="<p>Cold feet.</p>")
    html = client.get("/search/", {"q": "heating"}).content.decode()
    assert f'href="{page.url}#letter-2"' in html
    assert "Three answers to three questions – Night Owl" in html
    assert "The office <mark>heating</mark> is switched off" in html
    # The other letters of the round-up are not this result's snippet.
    results = html[html.index('class="result-count"') :]
    assert "holiday party" not in results.split("</li>")[0]
    html = client.get("/search/", {"q": "potluck party budget"}).content.decode()
    assert f'href="{page.url}#letter-3"' in html and "– Reluctant Host" in html


@pytest.mark.search_indexes
def test_search_lists_each_letter_of_a_round_up_apart(client, site_tree):
    page = roundup(site_tree)
    html = client.get("/search/", {"q": "three answers"}).content.decode()
    for n in (1, 2, 3):
        assert f'href="{page.url}#letter-{n}"' in html
    assert f'href="{page.url}"' not in html  # never the round-up as one blob


@pytest.mark.search_indexes
def test_already_answered_finds_a_round_ups_letter_at_its_anchor(client, site_tree):
    page = roundup(site_tree)
    response = client.get("/ask/similar/", {"q": "My building is freezing in the evening"})
    results = json.loads(response.content)["results"]
    assert results[0]["url"] == f"{page.url}#letter-2"
    assert results[0]["title"] == "Three answers to three questions – Night Owl"
    assert results[0]["excerpt"].startswith("The office heating is switched off")
    found = similar_letters("Nobody gives me the good projects, my boss picks her favourite")
    assert found[0]["url"] == f"{page.url}#letter-1"


@pytest.mark.search_indexes
def test_unpublishing_or_deleting_a_round_up_takes_every_letter_out(client, site_tree):
    page = roundup(site_tree)
    other = roundup(site_tree, slug="another")
    page.unpublish()
    assert not Document.objects.filter(page_id=page.pk, live=True).exists()
    assert Document.objects.filter(page_id=page.pk).count() == 3  # kept, not live
    assert f"{page.url}#" not in client.get("/search/", {"q": "heating"}).content.decode()
    assert all(key.page_id != page.pk for key, _ in query.similar("office heating off at five"))
    other.delete()
    assert not Document.objects.filter(page_id=other.pk, live=True).exists()
    assert query.search("heating") == []


@pytest.mark.search_indexes
def test_a_letter_taken_out_of_a_round_up_leaves_the_index(client, site_tree):
    page = roundup(site_tree)
    page = RoundupPage.objects.get(pk=page.pk)
    page.letters = [lt for lt in page.letters.all() if lt.pen_name != "Night Owl"]
    page.save_revision().publish()
    live = Document.objects.filter(page_id=page.pk, live=True)
    assert sorted(live.values_list("anchor", "title")) == [
        ("letter-1", "Three answers to three questions – Overlooked"),
        ("letter-2", "Three answers to three questions – Reluctant Host"),
    ]
    assert not Document.objects.filter(body__contains="heating", live=True).exists()
    assert "Night Owl" not in client.get("/search/", {"q": "heating"}).content.decode()
    html = client.get("/search/", {"q": "potluck"}).content.decode()
    assert f'href="{page.url}#letter-2"' in html


@pytest.mark.search_indexes
def test_a_round_up_is_related_to_posts_as_one_post(client, site_tree):
    page = roundup(site_tree)
    letter = make_letter(
        site_tree["letters"],
        title="Dear Dr. Mimi – Frozen",
        question="<p>Our office heating goes off at five and I work until nine.</p>",
    )
    ranked = query.neighbours(letter.pk, limit=10)
    assert [pk for pk, _ in ranked].count(page.pk) == 1
    assert letter.pk in [pk for pk, _ in query.neighbours(page.pk, limit=10)]
    html = client.get(letter.url).content.decode()
    related = html[html.index('id="related-heading"') :]
    assert f'href="{page.url}"' in related


@pytest.mark.search_indexes
def test_search_costs_no_more_queries_for_ordinary_pages(client, site_tree):
    for n in range(3):
        make_letter(
            site_tree["letters"],
            title=f"Dear Dr. Mimi – Warm {n}",
            question="<p>The heating at work is too high.</p>",
        )

    def search_sql(q):
        client.get("/search/", {"q": "heating"})  # the model and vectors loaded
        with CaptureQueriesContext(connection) as ctx:
            html = client.get("/search/", {"q": q}).content.decode()
        return [query["sql"] for query in ctx.captured_queries], html

    plain, _ = search_sql("heating work")
    assert not [sql for sql in plain if "roundup" in sql]  # no round-up found, none looked for
    roundup(site_tree)
    mixed, html = search_sql("heating work")
    assert "#letter-2" in html
    assert len(mixed) <= len(plain) + 2  # the round-ups found, and their letters


def test_a_letter_cut_since_it_was_indexed_is_left_out_of_a_list(site_tree):
    page = roundup(site_tree)
    shown = load_posts([Key(page.pk, "letter-3"), Key(page.pk, "letter-9"), page.pk])
    assert [p.title for p in shown] == [
        "Three answers to three questions – Reluctant Host",
        "Three answers to three questions",
    ]
    assert shown[0].summary.startswith("I have been told to organise")
    assert shown[1].summary.startswith("My manager gives every interesting project")
    assert re.search(r"letter-\d", shown[1].anchor or "") is None


def test_its_text_reads_letter_by_letter_with_pen_names(site_tree):
    """What an email of the round-up shows (newsletter: page.text_html)."""
    text = html_to_text(roundup(site_tree, [("<b>Bold</b>", "<p>Q?</p>", "<p>A.</p>")]).text_html())
    assert text == "1. <b>Bold</b> Q? —<b>Bold</b> A."  # a pen name is text, never markup


def test_a_pen_name_with_markup_is_shown_as_text(client, site_tree):
    page = roundup(site_tree, [('<script>alert("x")</script>', "<p>Q?</p>", "<p>A.</p>")])
    html = client.get(page.url).content.decode()
    assert '<script>alert("x")' not in html and "Dear &lt;script&gt;" in html


def test_letters_given_in_code_keep_the_order_given(site_tree):
    """The demo and tests build round-ups in code, where no editor numbers the letters: without
    a sort_order PostgreSQL returned them in any order, and search linked a letter's title to
    another letter's anchor."""
    page = roundup(site_tree)
    stored = RoundupLetter.objects.filter(page=page).values_list("pen_name", "sort_order")
    assert list(stored) == [(name, n) for n, (name, _, _) in enumerate(FIVE)]
    fresh = RoundupPage.objects.get(pk=page.pk)
    assert [(lt.anchor, lt.pen_name) for lt in fresh.numbered_letters()] == [
        (f"letter-{n}", name) for n, (name, _, _) in enumerate(FIVE, start=1)
    ]
