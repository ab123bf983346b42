"""Two commits in one run: cache hits and logged-in pages, old and new measured in turn.

The old commit is checked out into a temporary worktree (`git worktree add --detach`) and run
with the same venv; the new one is this checkout as it is (or --new REV, checked out the same
way). Each gets its own scratch site (the demo, 300 comments on the article, a logged-in
reader, as bench/logged_in.py builds it) and its own granian as `make run` starts it; both
stay up. Each round measures the article from the page cache (64 connections, logged out, as
bench/cache_hit.py) and for the logged-in reader (16 connections, as bench/logged_in.py) on
old and new alternately, the order flipped every round, so that the machine's noise falls on
both. Prints the medians, new / old, and whether new is within --tolerance of old.

    .venv/bin/python bench/compare.py --old a7655ea [--rounds 3] [--duration 10s]
"""

import argparse
import contextlib
import datetime
import subprocess
import sys

import harness
from harness import ARTICLE, ROOT

KINDS = {
    # name: (connections, logged in)
    "cache hit": (64, False),
    "logged in": (16, True),
}
FIGURES = ("requests_per_sec", "p99_ms", "cpu_ms_per_request")


def git(*args, cwd=ROOT):
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise harness.BenchError(f"git {' '.join(args)}: {result.stderr.strip()}")
    return result.stdout.strip()


@contextlib.contextmanager
def checkout(rev, path):
    """`rev` checked out at `path` for the run, removed afterwards."""
    commit = git("rev-parse", "--verify", f"{rev}^{{commit}}")
    git("worktree", "add", "--detach", str(path), commit)
    try:
        yield path, commit
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(path)], cwd=ROOT, check=False)


class Side:
    """One commit's site and server."""

    def __init__(self, name, root, commit, tmp):
        self.name, self.root, self.commit, self.tmp = name, root, commit, tmp

    def start(self, children, database_url, **extra_env):
        self.tmp.mkdir()
        self.port = harness.free_port()
        print(f"{self.name}: {self.commit[:10]} in {self.root}: setting up a scratch site…")
        env = harness.scratch_site(self.tmp, self.port, database_url, self.root, **extra_env)
        data = harness.commented_article(env, 5, root=self.root)
        self.cookie = f"sessionid={data['sessions'][0]}"
        self.server = harness.start_server(
            children, env, self.port, self.tmp, ARTICLE, name=f"granian-{self.name}",
            root=self.root,
        )  # fmt: skip
        harness.expect_cache_hits(self.port, ARTICLE)
        page = harness.expect_200(self.port, ARTICLE, f"{self.name}, logged in", self.cookie)
        if b"Post Comment" not in page:
            raise harness.BenchError(f"{self.name}: the reader's session is not logged in")

    def measure(self, kind, args):
        connections, logged_in = KINDS[kind]
        cookie = self.cookie if logged_in else None
        return harness.measure(
            f"{kind}, {self.name}", self.server, self.port, ARTICLE, connections, args, cookie
        )


def run(args, tmp):
    harness.find_nginx()  # wrk
    started = datetime.datetime.now(datetime.UTC)
    load_start = harness.load_average()
    with contextlib.ExitStack() as stack:
        old_root, old_commit = stack.enter_context(checkout(args.old, tmp / "old-checkout"))
        if args.new:
            new_root, new_commit = stack.enter_context(checkout(args.new, tmp / "new-checkout"))
        else:
            new_root, state = ROOT, harness.git_state()
            new_commit = state["commit"] + (" (with uncommitted changes)" if state["dirty"] else "")
        sides = [
            Side("old", old_root, old_commit, tmp / "old"),
            Side("new", new_root, new_commit, tmp / "new"),
        ]
        urls = [stack.enter_context(harness.database(args.database_url)) for _ in sides]
        children = stack.enter_context(harness.Children())  # stopped before the rest goes
        for n, (side, database_url) in enumerate(zip(sides, urls, strict=True), start=1):
            # Redis databases 1 and 2 keep the two sites' caches apart.
            redis = {"REDIS_URL": f"{args.redis_url}/{n}"} if args.redis_url else {}
            side.start(children, database_url, **redis)
        raw = {}
        for n in range(args.rounds):
            print(f"round {n + 1} of {args.rounds}")
            order = sides if n % 2 == 0 else sides[::-1]
            for kind in KINDS:
                for side in order:
                    raw.setdefault((kind, side.name), []).append(side.measure(kind, args))

    rows = {key: harness.summarize(runs) for key, runs in raw.items()}
    print(
        f"\n{started:%Y-%m-%d %H:%M} UTC, load average {load_start:.2f} -> "
        f"{harness.load_average():.2f}, {args.duration} per run, median of {args.rounds} "
        f"rounds\n  old {old_commit}\n  new {new_commit}"
    )
    print(f"  {'':<10} {'':<20} {'old':>10} {'new':>10} {'new/old':>8}")
    verdicts = []
    for kind in KINDS:
        old, new = rows[(kind, "old")], rows[(kind, "new")]
        for figure in FIGURES:
            ratio = new[figure] / old[figure] if old[figure] else float("nan")
            print(f"  {kind:<10} {figure:<20} {old[figure]:>10.3f} {new[figure]:>10.3f} "
                  f"{ratio:>8.3f}")  # fmt: skip
        rps = new["requests_per_sec"] / old["requests_per_sec"]
        within = rps >= 1 - args.tolerance
        verdicts.append(within)
        rounds = ", ".join(
            f"{a['requests_per_sec']:.0f}/{b['requests_per_sec']:.0f}"
            for a, b in zip(raw[(kind, "old")], raw[(kind, "new")], strict=True)
        )
        print(
            f"  {kind}: new makes {rps:.3f} of old's requests/s (rounds old/new: {rounds}): "
            f"{'within' if within else 'NOT within'} {args.tolerance:.0%}"
        )
    problems = [p for row in rows.values() for p in harness.problems_in(row)]
    harness.write_results(
        "compare.json",
        {
            "date": started.isoformat(timespec="seconds"),
            "old": old_commit,
            "new": new_commit,
            "duration": args.duration,
            "rounds": args.rounds,
            "rows": {f"{kind}, {side}": row for (kind, side), row in rows.items()},
            "within_tolerance": dict(zip(KINDS, verdicts, strict=True)),
            "problems": problems,
        },
    )
    if problems:
        print("bench: FAILED: " + "; ".join(problems), file=sys.stderr)
        return 1
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--old", required=True, help="the commit to compare with (a git rev)")
    parser.add_argument("--new", help="another commit instead of this checkout as it is")
    harness.add_wrk_args(parser)
    harness.add_database_arg(parser)
    parser.add_argument(
        "--redis-url",
        help="a Redis server (redis://host:port) both sites use, in databases 1 and 2; "
        "never one that tests or other sites use",
    )
    parser.add_argument(
        "--tolerance", type=float, default=0.10, help="how much slower new may be (0.10)"
    )
    args = parser.parse_args(argv)
    harness.check_database_arg(parser, args)
    return harness.in_scratch_dir("dearly-compare-", lambda tmp: run(args, tmp))


if __name__ == "__main__":
    sys.exit(main())
