"""The page cache under load (issue 6): the anonymous article page answered from the cache by
the production server (granian, 2 workers, as `make run` starts it, DEBUG off), against nginx
serving a saved copy of the same page in the same run, at 64 connections with wrk.

Targets: at least 25% of nginx's requests/s, p99 under 25 ms. Then a profile of the hit path:
cProfile around the WSGI callable, in-process, for a loop of hits.

Runs on a throwaway SQLite demo site; var/ is never touched.

    .venv/bin/python bench/cache_hit.py [--duration 10s] [--rounds 1] [--profile-hits 20000]
"""

import argparse
import cProfile
import http.client
import io
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import (  # the helpers of bench/run.py
    HOST,
    ROOT,
    BenchError,
    Child,
    find_tools,
    free_port,
    granian_cmd,
    in_scratch_dir,
    measure,
    positive_int,
    problems_in,
    python,
    save_article,
    start_nginx,
    summarize,
    throwaway_demo_site,
    wait_until_answers,
    wrk_duration,
)

ARTICLE = "/guides/when-you-are-turned-down/"
CONNECTIONS = 64
TARGET_RATIO = 0.25
TARGET_P99_MS = 25.0
RESULTS = ROOT / "bench" / "results" / "cache_hit.json"


def cache_state(port, path):
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status, response.getheader("X-Page-Cache")
    finally:
        conn.close()


def expect_hits(port, path):
    """Every worker has the page: a run of fresh connections all answered from the cache."""
    for _ in range(20):
        cache_state(port, path)
    states = [cache_state(port, path) for _ in range(10)]
    if states != [(200, "hit")] * 10:
        raise BenchError(f"{path} is not answered from the page cache: {states}")


# --- the profile, run in the server's environment -------------------------------------------


def profile_hits(hits):
    """In-process: µs per hit through dearly.wsgi.application, then cProfile of the same loop."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dearly.settings.dev")
    from dearly.wsgi import application

    host = os.environ["SITE_URL"].split("//", 1)[1]
    base = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": ARTICLE,
        "QUERY_STRING": "",
        "SERVER_NAME": host.split(":")[0],
        "SERVER_PORT": host.split(":")[1] if ":" in host else "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": host,
        "HTTP_ACCEPT_ENCODING": "gzip, deflate",
        "HTTP_USER_AGENT": "wrk",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
    }
    status = []

    def start_response(code, headers, exc_info=None):
        status.append((code, dict(headers).get("X-Page-Cache")))

    def one():
        result = application(dict(base), start_response)
        b"".join(result)
        if hasattr(result, "close"):
            result.close()

    one()  # the miss that stores it
    one()
    if status[-1] != ("200 OK", "hit"):
        raise SystemExit(f"expected a cache hit, got {status[-1]}")
    started = time.perf_counter()
    for _ in range(hits):
        one()
    plain_us = (time.perf_counter() - started) / hits * 1e6
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(hits):
        one()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("tottime")
    stats.print_stats(15)
    print(json.dumps({"us_per_hit": round(plain_us, 2), "hits": hits}))
    print(out.getvalue())


# --- the run ---------------------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=wrk_duration, default="10s", help="each wrk run")
    parser.add_argument("--warmup", type=lambda t: wrk_duration(t, allow_zero=True), default="2s")
    parser.add_argument("--rounds", type=positive_int, default=1, help="nginx/app pairs")
    parser.add_argument("--workers", type=positive_int, default=2)
    parser.add_argument("--profile-hits", type=int, default=20_000, help="0: no profile")
    parser.add_argument("--inner-profile", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.servers = False
    return args


def run(args, tmp):
    tools = find_tools(args)
    load_start = os.getloadavg()
    port, nginx_port = free_port(), free_port()
    env = throwaway_demo_site(tmp, port)
    children = []
    try:
        app = Child(
            "granian (make run)", granian_cmd(port, args.workers, blocking_threads=1),
            tmp / "granian.log", env=env,
        )  # fmt: skip
        children.append(app)
        wait_until_answers(app, port)
        expect_hits(port, ARTICLE)
        tmp.chmod(0o755)  # nginx's workers may run as an unprivileged user
        saved = save_article(port, tmp / "www")
        nginx = start_nginx(tools["nginx"], nginx_port, tmp, tmp / "www", saved)
        children.append(nginx)
        print(f"granian on port {port} ({args.workers} workers), nginx on port {nginx_port}")
        raw = {"nginx": [], "cache hit": []}
        for _ in range(args.rounds):
            raw["nginx"].append(
                measure("nginx copy", nginx, nginx_port, ARTICLE, CONNECTIONS, args)
            )
            raw["cache hit"].append(measure("cache hit", app, port, ARTICLE, CONNECTIONS, args))
            expect_hits(port, ARTICLE)  # still served from the cache after the load
    finally:
        for child in reversed(children):
            child.stop()
    rows = {name: summarize(runs) for name, runs in raw.items()}
    ratio = rows["cache hit"]["requests_per_sec"] / rows["nginx"]["requests_per_sec"]
    p99 = rows["cache hit"]["p99_ms"]
    load_end = os.getloadavg()

    profile = None
    if args.profile_hits:
        out = python(env, str(Path(__file__)), "--inner-profile", "--profile-hits",
                     str(args.profile_hits))  # fmt: skip
        first, _, table = out.partition("\n")
        profile = {**json.loads(first), "top_by_own_time": table}

    print()
    print(f"load average {load_start[0]:.2f} -> {load_end[0]:.2f} on {os.cpu_count()} CPUs")
    print(f"{'target':<12} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms/req':>11}")
    for name, row in rows.items():
        print(
            f"{name:<12} {row['requests_per_sec']:>10.1f} {row['p50_ms']:>8.2f} "
            f"{row['p99_ms']:>8.2f} {row['cpu_ms_per_request']:>11.3f}"
        )
    met_ratio, met_p99 = ratio >= TARGET_RATIO, p99 < TARGET_P99_MS
    print(
        f"cache hit / nginx: {ratio:.3f} (target >= {TARGET_RATIO}: "
        f"{'met' if met_ratio else 'MISSED'}); p99 {p99:.2f} ms (target < {TARGET_P99_MS} ms: "
        f"{'met' if met_p99 else 'MISSED'})"
    )
    if profile:
        print(f"\nin-process hit: {profile['us_per_hit']} µs of Python per request")
        print(profile["top_by_own_time"])
    problems = [p for row in rows.values() for p in problems_in(row)]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "load_average": [round(load_start[0], 2), round(load_end[0], 2)],
                "connections": CONNECTIONS,
                "rows": rows,
                "ratio": round(ratio, 4),
                "rounds_ratio": [
                    round(a["requests_per_sec"] / n["requests_per_sec"], 4)
                    for a, n in zip(raw["cache hit"], raw["nginx"], strict=True)
                ],
                "median_ratio": round(
                    statistics.median(
                        a["requests_per_sec"] / n["requests_per_sec"]
                        for a, n in zip(raw["cache hit"], raw["nginx"], strict=True)
                    ),
                    4,
                ),
                "targets": {"ratio": met_ratio, "p99": met_p99},
                "profile": profile,
                "problems": problems,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"results written to {RESULTS.relative_to(ROOT)}")
    if problems:
        print("FAILED: " + "; ".join(problems), file=sys.stderr)
        return 1
    return 0


def main(argv=None):
    args = parse_args(argv)
    if args.inner_profile:
        profile_hits(args.profile_hits)
        return 0
    return in_scratch_dir("dearly-cache-hit-", lambda tmp: run(args, tmp))


if __name__ == "__main__":
    sys.exit(main())
