"""The labelled set of letters and reworded questions, checked: every paraphrase names a letter
and shares none of its distinctive words (so finding it takes meaning, not words).

    .venv/bin/python bench/similar_eval.py

Until issue 11 this script also ranked the paraphrases against the 51 labelled letters alone
(figures in bench/README-similar.md). That measured the ranker, not the product; the product is
measured over HTTP among thousands of distractors by bench/retrieval_eval.py.
"""

import argparse
import json
import re
import sys
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


# ---------------------------------------------------------------- the command


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DATA))
    args = parser.parse_args(argv)
    letters, paraphrases, off_topic = load_set(args.data)
    problems = check_set(letters, paraphrases)
    print(
        f"set: {len(letters)} letters, {len(paraphrases)} paraphrases, "
        f"{len(off_topic)} off-topic questions, {Path(args.data).name}"
    )
    for problem in problems:
        print(f"  SET PROBLEM: {problem}")
    if problems:
        return 1
    print(
        f"  checks passed; most alike letters (Jaccard of words): {nearest_letter_overlap(letters)}"
    )
    print("quality is measured end to end, over HTTP: bench/retrieval_eval.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
