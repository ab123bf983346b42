"""Likely identifying details in a letter: the detector on sentences and rich text."""

import itertools
import time

import pytest

from dearly.articles.editor import rich_text_lines
from dearly.articles.privacy import MAX_TEXT, find_identifying_details, highlight, in_context

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
