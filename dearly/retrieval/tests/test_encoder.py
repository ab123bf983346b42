"""The NumPy encoder computes all-MiniLM-L6-v2 as the reference implementation does, and any
text a reader can type gives a unit vector."""

import json
from pathlib import Path

import numpy as np
import pytest

from dearly.retrieval import encoder as encoders
from dearly.retrieval.encoder import DIMENSIONS, Encoder
from dearly.retrieval.tests.hostile import HOSTILE

REFERENCE = Path(__file__).parent / "data" / "reference_vectors.json"


@pytest.fixture(scope="module")
def model():
    return encoders.encoder()


def test_vectors_match_the_reference_implementation(model):
    """transformers on torch made the reference (bench/reference_vectors.py)."""
    reference = json.loads(REFERENCE.read_text())
    vectors = model.encode(reference["texts"])
    expected = np.asarray(reference["vectors"], dtype=np.float32)
    assert vectors.shape == (len(reference["texts"]), DIMENSIONS)
    assert np.abs(vectors - expected).max() < 1e-3
    assert (vectors * expected).sum(axis=1).min() > 0.9999


def test_batches_give_what_one_at_a_time_gives(model):
    texts = ["short", "a somewhat longer sentence about asking for a raise at work", "mid length"]
    together = model._encode(texts, 32, encoders.MAX_TOKENS)  # not through the cache
    alone = np.vstack([model._encode([t], 32, encoders.MAX_TOKENS) for t in texts])
    assert np.abs(together - alone).max() < 1e-5
    assert np.array_equal(model.encode(texts), model.encode(list(reversed(texts)))[::-1])


def test_meaning_not_words_decides(model):
    boss, micromanage, orchid = model.encode(
        [
            "My boss hovers over my desk and checks every email I send.",
            "How do I get my supervisor to stop micromanaging me?",
            "How often should I water an orchid?",
        ]
    )
    assert boss @ micromanage > boss @ orchid + 0.2


@pytest.mark.parametrize("text", HOSTILE)
def test_any_text_gives_a_unit_vector(model, text):
    (vector,) = model.encode([text])
    assert vector.shape == (DIMENSIONS,)
    assert np.isfinite(vector).all()
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-4


def test_a_missing_or_corrupt_model_is_logged_and_gives_none(tmp_path, monkeypatch, caplog):
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "model.safetensors").write_bytes(b"not a model")
    with pytest.raises(Exception):  # noqa: B017  # whatever the loader raises
        Encoder(tmp_path)
    monkeypatch.setattr(encoders, "model_dir", lambda: tmp_path)
    monkeypatch.setattr(encoders, "_loaded", {})
    assert encoders.encoder() is None
    assert "could not be loaded" in caplog.text
