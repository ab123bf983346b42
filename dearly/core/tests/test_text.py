from hypothesis import given
from hypothesis import strategies as st

from dearly.core.text import ELLIPSIS, excerpt_from_html, html_to_text, truncate_words


def test_paragraphs_are_separated_by_a_space_never_run_together():
    html = "<p>Dear Dr. Mimi,</p><p>How do I ask for a raise?</p>"
    assert html_to_text(html) == "Dear Dr. Mimi, How do I ask for a raise?"


def test_inline_markup_does_not_add_spaces_inside_words():
    assert html_to_text("<p><b>Solicit</b> feed<em>back</em>.</p>") == "Solicit feedback."


def test_entities_are_decoded_exactly_once():
    assert html_to_text("<p>Fish &amp; chips &amp;amp; &lt;b&gt;</p>") == "Fish & chips &amp; <b>"


def test_script_and_style_content_is_not_text():
    assert html_to_text("<p>Hi</p><script>alert(1)</script><style>p{}</style>") == "Hi"


def test_short_text_is_kept_whole_without_ellipsis():
    assert truncate_words("Just a few words.") == "Just a few words."


def test_long_text_is_cut_at_a_word_boundary_with_an_ellipsis():
    text = " ".join(f"word{i}" for i in range(100))
    excerpt = truncate_words(text, 40)
    assert excerpt.endswith("word39" + ELLIPSIS)
    assert len(excerpt[:-1].split(" ")) == 40


def test_cut_drops_trailing_punctuation_before_the_ellipsis():
    text = "one two three, four five six"
    assert truncate_words(text, 3) == "one two three…"


def test_excerpt_reads_several_html_parts_in_order():
    assert excerpt_from_html("<p>Question?</p>", "<p>Answer.</p>") == "Question? Answer."


block_tags = st.sampled_from(["p", "li", "h2", "blockquote", "div"])
words = st.lists(
    st.text(alphabet="abcdefghij&<>\"'", min_size=1, max_size=8), min_size=1, max_size=12
)


@given(st.lists(st.tuples(block_tags, words), min_size=1, max_size=20))
def test_generated_html_gives_plain_text_excerpts(blocks):
    from django.utils.html import escape

    html = "".join(f"<{tag}>{escape(' '.join(ws))}</{tag}>" for tag, ws in blocks)
    excerpt = excerpt_from_html(html)
    all_words = [w for _, ws in blocks for w in ws]
    # No markup survives, entities are decoded once, and blocks never run together.
    assert "&amp;" not in excerpt and "&lt;" not in excerpt
    assert "  " not in excerpt and excerpt == excerpt.strip()
    produced = excerpt.removesuffix(ELLIPSIS).split(" ")
    assert produced == all_words[: len(produced)]
    assert len(produced) <= 40
    assert excerpt.endswith(ELLIPSIS) == (len(all_words) > 40)
