"""The labelled set of letters and reworded questions that retrieval's quality is measured on
(bench/), and the plain text a letter's question gives."""

import importlib.util
from pathlib import Path

import pytest

from dearly.questions import similarity

ROOT = Path(__file__).resolve().parents[3]


def _eval_module():
    spec = importlib.util.spec_from_file_location("similar_eval", ROOT / "bench/similar_eval.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def labelled():
    evaluation = _eval_module()
    letters, paraphrases, _ = evaluation.load_set()
    return evaluation, letters, paraphrases


def test_labelled_set_passes_its_own_checks(labelled):
    evaluation, letters, paraphrases = labelled
    assert evaluation.check_set(letters, paraphrases) == []
    assert len(letters) >= 40
    assert len(paraphrases) >= 40


def test_the_overlap_check_catches_shared_words(labelled):
    evaluation = labelled[0]
    letter = {"title": "Dear Dr. Mimi – Underpaid", "question": "My manager refused a salary rise."}
    shared = evaluation.shared_words("Management won't budge on salaries", letter)
    assert shared == ["management", "salar"]
    assert evaluation.shared_words("My boss said no to more pay", letter) == []


def test_question_plain_text_reads_the_rich_text():
    html = "<p>Dear Dr. Mimi,</p><p>My boss &amp; I <b>disagree</b>.</p><script>x()</script>"
    assert similarity.question_plain_text(html) == "Dear Dr. Mimi, My boss & I disagree."
