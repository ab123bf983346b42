import pytest

from dearly.testing import make_article, make_letter

pytestmark = pytest.mark.django_db


def test_letter_excerpt_is_its_question_never_run_into_the_answer(site_tree):
    letter = make_letter(
        site_tree["letters"],
        question="<p>Dear readers know this:</p><p>How do I ask for training?</p>",
        answer="<p>Put it in writing.</p>",
    )
    assert letter.summary == "Dear readers know this: How do I ask for training?"


def test_a_long_question_is_cut_with_an_ellipsis(site_tree):
    question = " ".join(f"q{n}" for n in range(60))
    letter = make_letter(site_tree["letters"], question=f"<p>{question}</p>", answer="<p>A.</p>")
    assert letter.summary == " ".join(f"q{n}" for n in range(40)) + "…"


def test_search_snippets_stay_inside_the_question_or_the_answer(site_tree):
    from dearly.search.snippets import highlighted_snippet

    letter = make_letter(
        site_tree["letters"],
        question="<p>How do I stop without looking lazy?</p>",
        answer="<p>Decide your hours, tell your team, and keep to them.</p>",
    )
    assert str(highlighted_snippet(letter, ["lazy"])) == (
        "How do I stop without looking <mark>lazy</mark>?"
    )
    assert str(highlighted_snippet(letter, ["team"])) == (
        "Decide your hours, tell your <mark>team</mark>, and keep to them."
    )
    assert "lazy" not in str(highlighted_snippet(letter, ["hours"]))


def test_editor_excerpt_wins_over_the_text(site_tree):
    page = make_article(site_tree["guides"], excerpt="Six things to do after a no.")
    assert page.summary == "Six things to do after a no."


def test_article_excerpt_reads_intro_then_blocks_with_spaces_between(site_tree):
    body = [
        ("paragraph", "<p>First&nbsp;paragraph.</p>"),
        ("quote", {"quote": "Quoted & kept.", "attribution": "Someone"}),
        (
            "steps",
            {"heading": "", "steps": [{"lead": "Solicit feedback.", "text": "<p>Ask twice.</p>"}]},
        ),
    ]
    page = make_article(site_tree["guides"], intro="Intro words.", body=body)
    assert page.summary == (
        "Intro words. First paragraph. Quoted & kept. Solicit feedback. Ask twice."
    )


def test_long_article_excerpt_is_cut_near_forty_words_with_an_ellipsis(site_tree):
    words = " ".join(f"w{n}" for n in range(80))
    page = make_article(site_tree["guides"], intro="", body=[("paragraph", f"<p>{words}</p>")])
    assert page.summary == " ".join(f"w{n}" for n in range(40)) + "…"
