import pytest

from dearly.testing import make_article, make_letter

pytestmark = pytest.mark.django_db


def test_letter_excerpt_starts_with_its_question(site_tree):
    letter = make_letter(
        site_tree["letters"],
        question="<p>Dear readers know this:</p><p>How do I ask for training?</p>",
        answer="<p>Put it in writing.</p>",
    )
    assert letter.summary == "Dear readers know this: How do I ask for training? Put it in writing."


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
