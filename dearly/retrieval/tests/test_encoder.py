"""The encoders compute all-MiniLM-L6-v2 as the reference implementation does: the NumPy pass
to 1e-4, the int8 graph the site runs (onnx_model.py) to a cosine of 0.97 or better; and any
text a reader can type gives a unit vector."""

import json
from pathlib import Path

import numpy as np
import pytest

from dearly.retrieval import encoder as encoders
from dearly.retrieval import onnx_model
from dearly.retrieval.encoder import DIMENSIONS, Encoder
from dearly.retrieval.onnx_model import OnnxEncoder
from dearly.retrieval.tests.hostile import HOSTILE

REFERENCE = Path(__file__).parent / "data" / "reference_vectors.json"


@pytest.fixture(scope="module")
def model():
    return encoders.encoder()


@pytest.fixture(scope="module")
def numpy_model():
    return Encoder()


@pytest.fixture(scope="module")
def reference():
    """transformers on torch made it (bench/reference_vectors.py)."""
    reference = json.loads(REFERENCE.read_text())
    return reference["texts"], np.asarray(reference["vectors"], dtype=np.float32)


def test_the_site_runs_the_int8_graph(model):
    assert isinstance(model, OnnxEncoder)


def test_numpy_vectors_match_the_reference_implementation(numpy_model, reference):
    texts, expected = reference
    vectors = numpy_model.encode(texts)
    assert vectors.shape == (len(texts), DIMENSIONS)
    assert np.abs(vectors - expected).max() < 1e-3
    assert (vectors * expected).sum(axis=1).min() > 0.9999


def test_int8_vectors_stay_close_to_the_reference(model, reference):
    texts, expected = reference
    cosines = (model.encode(texts) * expected).sum(axis=1)
    assert cosines.min() > 0.97 and cosines.mean() > 0.99


def test_batches_give_what_one_at_a_time_gives(numpy_model, model):
    texts = ["short", "a somewhat longer sentence about asking for a raise at work", "mid length"]
    together = numpy_model._encode(texts, 32, encoders.MAX_TOKENS)  # not through the cache
    alone = np.vstack([numpy_model._encode([t], 32, encoders.MAX_TOKENS) for t in texts])
    assert np.abs(together - alone).max() < 1e-5
    # The int8 graph runs one text at a time: a vector never depends on its neighbours.
    together = model._encode(texts, 1, encoders.MAX_TOKENS)
    alone = np.vstack([model._encode([t], 1, encoders.MAX_TOKENS) for t in texts])
    assert np.array_equal(together, alone)
    assert np.array_equal(model.encode(texts), model.encode(list(reversed(texts)))[::-1])


@pytest.mark.parametrize("runtime", ["model", "numpy_model"])
def test_meaning_not_words_decides(runtime, request):
    boss, micromanage, orchid = request.getfixturevalue(runtime).encode(
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


def test_the_int8_file_is_built_once_and_kept(model, tmp_path, settings):
    settings.VAR_DIR = tmp_path
    path = onnx_model.model_path()
    assert path.parent == tmp_path / "models" and path.stat().st_size > 10_000_000
    built = path.stat().st_mtime_ns
    assert onnx_model.model_path() == path and path.stat().st_mtime_ns == built
    assert [p.name for p in path.parent.glob("*.onnx")] == [path.name]  # no partial files left


def test_without_the_int8_graph_the_numpy_pass_runs(monkeypatch, caplog):
    def broken():
        raise RuntimeError("onnxruntime is not installed")

    monkeypatch.setattr(onnx_model, "load", broken)
    monkeypatch.setattr(encoders, "_loaded", {})
    assert type(encoders.encoder()) is Encoder
    assert "using NumPy" in caplog.text


def test_a_missing_or_corrupt_model_is_logged_and_gives_none(tmp_path, monkeypatch, caplog):
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "model.safetensors").write_bytes(b"not a model")
    with pytest.raises(Exception):  # noqa: B017  # whatever the loader raises
        Encoder(tmp_path)
    monkeypatch.setattr(encoders, "model_dir", lambda: tmp_path)
    monkeypatch.setattr(encoders, "_loaded", {})
    assert encoders.encoder() is None
    assert "int8 sentence model could not be built" in caplog.text
    assert "could not be loaded: ranking by words only" in caplog.text
