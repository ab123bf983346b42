"""How to rank letters by meaning, compared offline: the encoder run directly over the labelled
letters and the distractor letters of bench/retrieval_eval.py, without a site or HTTP. For
choosing a method quickly; the product's figures come from retrieval_eval.py over HTTP.

    .venv/bin/python bench/meaning_offline.py [--distractors 3000] [--seed 11] [--runtime numpy]

Prints recall@1 and recall@3 of the labelled paraphrases for each method, and for the
off-topic questions the highest plain cosine any letter gets (what a gate must cut).
"""

import argparse
import collections
import json
import math
import os
import re
import sys
import time

import distractors
import numpy as np
from harness import ROOT
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(ROOT))

from dearly.retrieval.encoder import DOCUMENT_TOKENS, MAX_TOKENS, Encoder


def int8_encoder():
    """The site's encoder, its file built under a scratch var/ (settings need Django)."""
    import tempfile

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dearly.settings.dev")
    os.environ.setdefault("DEARLY_VAR_DIR", tempfile.mkdtemp(prefix="dearly-meaning-"))
    import django

    django.setup()
    from dearly.retrieval.onnx_model import load

    return load()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--distractors", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--runtime", choices=["int8", "numpy"], default="int8",
        help="int8: the graph the site runs (onnx_model.py); numpy: the float32 NumPy pass",
    )  # fmt: skip
    args = parser.parse_args(argv)
    threadpool_limits(1, "blas")
    labelled = json.loads(distractors.LETTERS.read_text(encoding="utf-8"))
    letters = list(labelled["letters"]) + [
        d for d in distractors.distractors(args.distractors, args.seed) if d["kind"] == "letter"
    ]
    slugs = [letter["slug"] for letter in letters]
    paraphrases = labelled["paraphrases"]
    target = np.array([slugs.index(p["target"]) for p in paraphrases])
    model = Encoder() if args.runtime == "numpy" else int8_encoder()
    questions = model.encode([p["text"] for p in paraphrases])
    off_topic = model.encode(labelled["off_topic"])
    print(f"{len(letters)} letters, {len(paraphrases)} paraphrases")

    def report(name, scores, off_scores=None):
        top = np.argsort(-scores, axis=1)[:, :3]
        r1 = np.mean(top[:, 0] == target)
        r3 = np.mean([t in row for t, row in zip(target, top, strict=True)])
        line = f"{name:42s} R@1 {r1:.3f}  R@3 {r3:.3f}"
        if off_scores is not None:
            best = sorted(round(float(x), 2) for x in off_scores.max(axis=1))
            line += f"  off-topic best cosine {best}"
        print(line, flush=True)

    recipes = {
        "question": (lambda x: x["question"], MAX_TOKENS),
        "pen name + question": (lambda x: f"{x['pen_name']}. {x['question']}", MAX_TOKENS),
        "pen name + question + answer": (
            lambda x: f"{x['pen_name']}. {x['question']} {x['answer']}",
            MAX_TOKENS,
        ),
        "pen name + question + answer, 128 pieces": (
            lambda x: f"{x['pen_name']}. {x['question']} {x['answer']}",
            DOCUMENT_TOKENS,
        ),
    }
    matrix = None
    matrices = {}
    for name, (text, tokens) in recipes.items():
        started = time.perf_counter()
        matrix = matrices[name] = model.encode([text(x) for x in letters], max_tokens=tokens)
        per_letter = (time.perf_counter() - started) / len(letters) * 1000
        report(f"cosine, {name} ({per_letter:.0f} ms/letter)", questions @ matrix.T)
    # The last recipe is what the site embeds: the other methods start from it.
    report("cosine (as above), off-topic", questions @ matrix.T, off_topic @ matrix.T)
    mean = matrix.mean(axis=0)

    def centred(x):
        x = x - mean
        return x / np.linalg.norm(x, axis=1, keepdims=True)

    site = centred(questions) @ centred(matrix).T
    report("centred cosine (the site's ranking)", site)
    # Re-rankers tried on top of it (issue 11): a second vector per letter, of its question
    # alone; and the words a paraphrase shares with a letter, weighted by rarity, over the 20
    # closest letters.
    alone = matrices["pen name + question"]
    alone_mean = alone.mean(axis=0)
    alone_scores = _unit(questions - alone_mean) @ _unit(alone - alone_mean).T
    for weight in (0.3, 1.0):
        report(f"two vectors: + {weight} x question alone", site + weight * alone_scores)
    for beta in (0.02, 0.05, 0.1):
        report(f"word overlap re-ranks the top 20 (beta {beta})",
               _word_rerank(site, [p["text"] for p in paraphrases], letters, beta))  # fmt: skip
    _, _, directions = np.linalg.svd(matrix - mean, full_matrices=False)
    for removed in (1, 2, 4, 8):
        top = directions[:removed]

        def project(x, top=top):
            x = x - mean
            x = x - (x @ top.T) @ top
            return x / np.linalg.norm(x, axis=1, keepdims=True)

        report(f"mean and top {removed} directions removed", project(questions) @ project(matrix).T)
    return 0


def _unit(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


STOPWORDS = set(
    "a an the and or but if of to in on at for with by from is are was were be been am i me my "
    "we our you your he she it they them their this that these those do does did have has had "
    "not no so as just about what how can could would should will".split()
)


def _stems(text):
    """Content words cut to five letters: a crude stem, enough to test the idea."""
    words = re.findall(r"[a-z']+", text.lower())
    return {w[:5] for w in words if w not in STOPWORDS and len(w) > 2}


def _word_rerank(scores, texts, letters, beta, top=20):
    docs = [_stems(f"{x['pen_name']} {x['question']} {x['answer']}") for x in letters]
    df = collections.Counter(w for d in docs for w in d)
    out = scores.copy()
    for i, text in enumerate(texts):
        words = _stems(text)
        for j in np.argsort(-scores[i])[:top]:
            shared = sum(math.log(len(docs) / df[w]) for w in words & docs[j])
            out[i, j] += beta * shared / max(1, len(words))
    return out


if __name__ == "__main__":
    sys.exit(main())
