"""The labelled sets bench/retrieval_eval.py measures with: their shape, read as plain JSON."""

import json
import re
from pathlib import Path

import pytest

DEARLY = Path(__file__).resolve().parents[2]
LETTERS = DEARLY / "questions" / "data" / "similar_letters.json"
SEARCH = DEARLY / "search" / "data" / "search_queries.json"
QUERY_TYPES = {
    "pen_name",
    "rare_word",
    "answer_word",
    "multi_word",
    "guide_title",
    "guide_body",
    "paraphrase",
}
_WORD = re.compile(r"[a-z0-9]+")


@pytest.fixture(scope="module")
def letters_set():
    return json.loads(LETTERS.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def search_set():
    return json.loads(SEARCH.read_text(encoding="utf-8"))


def _words(text):
    return set(_WORD.findall(text.lower()))


def test_every_letter_is_complete_and_unique(letters_set):
    letters = letters_set["letters"]
    slugs = [letter["slug"] for letter in letters]
    assert len(slugs) == len(set(slugs))
    for letter in letters:
        assert all(letter[key].strip() for key in ("slug", "title", "pen_name", "question"))
        assert letter["answer"].strip()
        assert letter["title"] == f"Dear Dr. Mimi – {letter['pen_name']}"
        # bench/distractors.py names its posts bench-letter-… and bench-guide-…
        assert not letter["slug"].startswith("bench-")


def test_paraphrases_name_known_letters_without_repeats(letters_set):
    slugs = {letter["slug"] for letter in letters_set["letters"]}
    paraphrases = letters_set["paraphrases"]
    assert len(paraphrases) >= 110
    assert {p["target"] for p in paraphrases} <= slugs
    texts = [p["text"].strip().lower() for p in paraphrases]
    assert len(texts) == len(set(texts))


def test_off_topic_questions_are_enough_and_distinct(letters_set):
    off_topic = [text.strip().lower() for text in letters_set["off_topic"]]
    assert len(off_topic) >= 15
    assert len(off_topic) == len(set(off_topic))
    assert not set(off_topic) & {p["text"].strip().lower() for p in letters_set["paraphrases"]}


def test_guides_are_complete_and_do_not_reuse_letter_slugs(letters_set, search_set):
    guides = search_set["guides"]
    slugs = [guide["slug"] for guide in guides]
    assert len(slugs) == len(set(slugs))
    assert not set(slugs) & {letter["slug"] for letter in letters_set["letters"]}
    for guide in guides:
        assert guide["title"].strip() and guide["intro"].strip()
        assert guide["body"] and all(paragraph.strip() for paragraph in guide["body"])
        assert not guide["slug"].startswith("bench-")


def test_search_queries_expect_known_posts(letters_set, search_set):
    known = {letter["slug"] for letter in letters_set["letters"]}
    known |= {guide["slug"] for guide in search_set["guides"]}
    queries = search_set["queries"]
    assert len(queries) >= 40
    texts = [query["q"].strip().lower() for query in queries]
    assert len(texts) == len(set(texts))
    for query in queries:
        assert query["type"] in QUERY_TYPES
        assert query["expect"] and set(query["expect"]) <= known, query


def test_word_queries_use_words_their_post_really_has(letters_set, search_set):
    """A typo in a query would measure nothing: every word of a non-paraphrase query is in
    one of the posts it expects (title, pen name, question, answer; or a guide's text)."""
    texts = {
        x["slug"]: " ".join([x["title"], x["pen_name"], x["question"], x["answer"]])
        for x in letters_set["letters"]
    }
    for guide in search_set["guides"]:
        texts[guide["slug"]] = " ".join([guide["title"], guide["intro"], *guide["body"]])
    for query in search_set["queries"]:
        if query["type"] == "paraphrase":
            continue
        assert any(_words(query["q"]) <= _words(texts[slug]) for slug in query["expect"]), query
