"""The page cache under load (issue 6): the anonymous article page answered from the cache by
the production server (granian, 2 workers, as `make run` starts it, DEBUG off), against nginx
serving a saved copy of the same page in the same run, at 64 connections with wrk.

Targets: at least 25% of nginx's requests/s, p99 under 25 ms. Then a profile of the hit path:
cProfile around the WSGI callable, in-process, for a loop of hits. Runs on a scratch site.

    .venv/bin/python bench/cache_hit.py [--duration 10s] [--rounds 1] [--profile-hits 20000]
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time

import harness
from harness import ARTICLE

CONNECTIONS = 64
TARGET_RATIO = 0.25
TARGET_P99_MS = 25.0


def profile_hits(hits):
    """In the server's environment: µs per hit through dearly.wsgi.application, then
    cProfile of the same loop."""
    hits = int(hits)
    harness.django_setup()
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
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(15)
    print(json.dumps({"us_per_hit": round(plain_us, 2), "hits": hits}))
    print(out.getvalue())


def run(args, tmp):
    harness.find_nginx()
    load_start = harness.load_average()
    port = harness.free_port()
    env = harness.scratch_site(tmp, port)
    with harness.Children() as children:
        app = harness.start_server(children, env, port, tmp, workers=args.workers)
        harness.expect_cache_hits(port, ARTICLE)
        nginx, nginx_port, _ = harness.nginx_copy(children, tmp, port)
        print(f"granian on port {port} ({args.workers} workers), nginx on port {nginx_port}")
        raw = {"nginx": [], "cache hit": []}
        for _ in range(args.rounds):
            raw["nginx"].append(
                harness.measure("nginx copy", nginx, nginx_port, ARTICLE, CONNECTIONS, args)
            )
            raw["cache hit"].append(
                harness.measure("cache hit", app, port, ARTICLE, CONNECTIONS, args)
            )
            harness.expect_cache_hits(port, ARTICLE)  # still served from the cache after load
    rows = {name: harness.summarize(runs) for name, runs in raw.items()}
    harness.add_ratios(rows.values(), [rows["nginx"]])
    ratio, p99 = rows["cache hit"]["vs_nginx"], rows["cache hit"]["p99_ms"]
    load_end = harness.load_average()

    profile = None
    if args.profile_hits:
        out = harness.python(env, __file__, "inner-profile", args.profile_hits)
        first, _, table = out.partition("\n")
        profile = {**json.loads(first), "top_by_own_time": table}

    print(f"\nload average {load_start:.2f} -> {load_end:.2f} on {os.cpu_count()} CPUs")
    print(harness.table(f"{CONNECTIONS} connections, median of {args.rounds}:", rows.values()))
    met_ratio, met_p99 = ratio >= TARGET_RATIO, p99 < TARGET_P99_MS
    print(
        f"cache hit / nginx: {ratio:.3f} (target >= {TARGET_RATIO}: "
        f"{'met' if met_ratio else 'MISSED'}); p99 {p99:.2f} ms (target < {TARGET_P99_MS} ms: "
        f"{'met' if met_p99 else 'MISSED'})"
    )
    if profile:
        print(f"\nin-process hit: {profile['us_per_hit']} µs of Python per request")
        print(profile["top_by_own_time"])
    problems = [p for row in rows.values() for p in harness.problems_in(row)]
    rounds_ratio = [
        round(a["requests_per_sec"] / n["requests_per_sec"], 4)
        for a, n in zip(raw["cache hit"], raw["nginx"], strict=True)
    ]
    harness.write_results(
        "cache_hit.json",
        {
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "load_average": [load_start, load_end],
            "connections": CONNECTIONS,
            "rows": rows,
            "ratio": round(ratio, 4),
            "rounds_ratio": rounds_ratio,
            "median_ratio": round(statistics.median(rounds_ratio), 4),
            "targets": {"ratio": met_ratio, "p99": met_p99},
            "profile": profile,
            "problems": problems,
        },
    )
    if problems:
        print("FAILED: " + "; ".join(problems), file=sys.stderr)
        return 1
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    harness.add_wrk_args(parser)
    parser.add_argument("--workers", type=harness.positive_int, default=2)
    parser.add_argument(
        "--profile-hits",
        type=int,
        default=os.environ.get("BENCH_PROFILE_HITS") or "20000",
        help="hits to profile in-process, 0 for none (env BENCH_PROFILE_HITS; default 20000)",
    )
    args = parser.parse_args(argv)
    return harness.in_scratch_dir("dearly-cache-hit-", lambda tmp: run(args, tmp))


if __name__ == "__main__":
    harness.main(main, {"inner-profile": profile_hits})
