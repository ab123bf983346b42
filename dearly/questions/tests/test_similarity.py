"""The similar-letters ranker: recall on the labelled set, and odd input never raises.

None of this needs torch: the lexical ranker is tested on the labelled set, and the embedding
path's logic (threshold, order, cache, fallback) with a tiny fake model."""

import importlib.util
import re
from pathlib import Path

import pytest

from dearly.questions import similarity

ROOT = Path(__file__).resolve().parents[3]
# Measured with bench/similar_eval.py on data/similar_letters.json (116 paraphrases, 51 letters):
# lexical recall@1 0.103, recall@3 0.241. The margin is 2 queries; a regression fails the test.
LEXICAL_RECALL_AT_1 = 0.103 - 0.017
LEXICAL_RECALL_AT_3 = 0.241 - 0.017


def _eval_module():
    spec = importlib.util.spec_from_file_location("similar_eval", ROOT / "bench/similar_eval.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def labelled():
    evaluation = _eval_module()
    letters, paraphrases, _ = evaluation.load_set()
    candidates = [(x["slug"], x["title"], x["question"]) for x in letters]
    return evaluation, letters, paraphrases, candidates


@pytest.fixture
def lexical_only(monkeypatch):
    """rank_similar as a site without the optional model runs it."""
    monkeypatch.setattr(similarity, "default_embedder", lambda: None)


def test_labelled_set_passes_its_own_checks(labelled):
    evaluation, letters, paraphrases, _ = labelled
    assert evaluation.check_set(letters, paraphrases) == []
    assert len(letters) >= 40
    assert len(paraphrases) >= 40


def test_the_overlap_check_catches_shared_words(labelled):
    evaluation = labelled[0]
    letter = {"title": "Dear Dr. Mimi – Underpaid", "question": "My manager refused a salary rise."}
    shared = evaluation.shared_words("Management won't budge on salaries", letter)
    assert shared == ["management", "salar"]
    assert evaluation.shared_words("My boss said no to more pay", letter) == []


def _recall(paraphrases, candidates, k):
    found = 0
    for p in paraphrases:
        top = [slug for slug, _ in similarity.rank_lexical(p["text"], candidates, k)]
        found += p["target"] in top
    return found / len(paraphrases)


def test_lexical_recall_does_not_regress(labelled):
    _, _, paraphrases, candidates = labelled
    assert _recall(paraphrases, candidates, 1) >= LEXICAL_RECALL_AT_1
    assert _recall(paraphrases, candidates, 3) >= LEXICAL_RECALL_AT_3


def test_each_letter_finds_itself_first(labelled):
    _, letters, _, candidates = labelled
    for letter in letters:
        assert similarity.rank_lexical(letter["question"], candidates, 1)[0][0] == letter["slug"]


def test_rank_similar_without_the_model_is_lexical(labelled, lexical_only):
    _, _, paraphrases, candidates = labelled
    text = paraphrases[0]["text"]
    assert similarity.rank_similar(text, candidates) == similarity.rank_lexical(text, candidates)
    ranked = similarity.rank_similar("My boss won't give me a pay rise", candidates, limit=5)
    assert 0 < len(ranked) <= 5
    scores = [score for _, score in ranked]
    assert scores == sorted(scores, reverse=True)


HOSTILE = [
    "",
    "   \n\t ",
    None,
    "x" * 5000,
    ("pay rise boss " * 400)[:5000],
    '"',
    '"unterminated phrase',
    "*",
    "pay*",
    "NEAR(",
    "NEAR(pay rise, 2)",
    "OR OR",
    "AND NOT OR",
    "title:boss",
    "^boss",
    "{title question}: boss",
    "boss\x00pay",
    "\x00",
    "مديري يأخذ الفضل في عملي",
    "\u202eeman ym si siht\u202c boss",
    "שלום ‏עולם",
    "Café crème, naïve résumé",
    "🙂💼🔥",
    "'; drop table letters; --",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_questions_never_raise(labelled, lexical_only, text):
    _, _, _, candidates = labelled
    for ranker in (similarity.rank_similar, similarity.rank_lexical):
        ranked = ranker(text, candidates, limit=5)
        assert isinstance(ranked, list)
        assert len(ranked) <= 5


@pytest.mark.parametrize("text", HOSTILE)
def test_fts_query_is_only_quoted_words(text):
    query = similarity.fts_query(text)
    assert re.fullmatch(r'("[a-z0-9]+"( OR "[a-z0-9]+")*)?', query)
    assert query.count(" OR ") < similarity.MAX_QUERY_TERMS


def test_hostile_candidates_and_limits(lexical_only):
    candidates = [
        (1, 'Dear Dr. Mimi – "Quote', "NEAR( my boss * OR OR shouts\x00"),
        ("two", "", ""),
        (None, "Dear Dr. Mimi – مجهول", "مديري يصرخ boss"),
    ]
    assert {i for i, _ in similarity.rank_similar("boss", candidates)} == {1, None}
    assert similarity.rank_similar("boss", candidates, limit=0) == []
    assert similarity.rank_similar("boss", []) == []
    assert len(similarity.rank_similar("boss", iter(candidates), limit=1)) == 1


def test_accents_are_folded_on_both_sides(lexical_only):
    candidates = [(1, "Dear Dr. Mimi – Rushed", "My résumé has a gap"), (2, "x", "cafe rota")]
    assert similarity.rank_similar("resume", candidates)[0][0] == 1
    assert similarity.rank_similar("café", candidates)[0][0] == 2


def test_question_plain_text_reads_the_rich_text():
    html = "<p>Dear Dr. Mimi,</p><p>My boss &amp; I <b>disagree</b>.</p><script>x()</script>"
    assert similarity.question_plain_text(html) == "Dear Dr. Mimi, My boss & I disagree."


class _Vector(tuple):
    def __matmul__(self, other):
        return sum(a * b for a, b in zip(self, other, strict=True))


def _fake_embedder(calls):
    """Unit vectors by topic word: enough to test the embedding path without a model."""

    def encode(texts):
        calls.append(list(texts))
        out = []
        for text in texts:
            t = text.lower()
            v = (float("pay" in t), float("boss" in t), float("zzz" in t) + 0.01)
            norm = sum(x * x for x in v) ** 0.5
            out.append(_Vector(x / norm for x in v))
        return out

    return similarity.Embedder(encode)


def test_embedding_path_orders_thresholds_and_caches():
    calls = []
    embedder = _fake_embedder(calls)
    candidates = [
        ("a", "Dear Dr. Mimi – Low Pay", "about money"),  # the pen name is embedded too
        ("b", "Dear Dr. Mimi – Shouted At", "my boss yells"),
        ("c", "", "zzz"),
    ]
    ranked = similarity.rank_embedding("my pay", candidates, 5, embedder)
    assert [i for i, _ in ranked] == ["a"]  # "b" and "c" are under the threshold
    assert calls == [["Low Pay. about money", "Shouted At. my boss yells", "zzz"], ["my pay"]]
    similarity.rank_embedding("boss", candidates, 5, embedder)
    assert calls[2:] == [["boss"]]  # the letters came from the cache, questions are not kept
    assert len(embedder.cache) == 3
    assert similarity.rank_embedding("", candidates, 5, embedder) == []
    assert similarity.rank_embedding("boss", candidates, 0, embedder) == []


def test_rank_similar_uses_the_model_when_there_is_one(monkeypatch):
    embedder = _fake_embedder([])
    monkeypatch.setattr(similarity, "default_embedder", lambda: embedder)
    candidates = [(1, "", "pay pay"), (2, "", "boss boss")]
    assert [i for i, _ in similarity.rank_similar("my boss", candidates)] == [2]


def test_a_failing_model_falls_back_to_lexical(monkeypatch, caplog):
    def broken(texts):
        raise RuntimeError("model files missing")

    monkeypatch.setattr(similarity, "default_embedder", lambda: similarity.Embedder(broken))
    candidates = [(1, "", "my boss shouts"), (2, "", "pay rise")]
    assert [i for i, _ in similarity.rank_similar("boss", candidates)] == [1]
    assert "lexical ranker" in caplog.text


def test_lexical_switch_disables_the_model(monkeypatch):
    monkeypatch.setenv("DEARLY_SIMILAR", "lexical")
    similarity.default_embedder.cache_clear()
    try:
        assert similarity.default_embedder() is None
    finally:
        similarity.default_embedder.cache_clear()
