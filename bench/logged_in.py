"""The article page with 300 comments for a logged-in reader, against nginx serving a saved copy
of the same page in the same run (issue 6: at least 250 requests/s at 16 connections and p99
under 150 ms, on SQLite and on PostgreSQL; no page cache, as a session cookie bypasses it).

The server is granian as `make run` starts it (2 workers, --blocking-threads 1), on a scratch
site: SQLite in a temporary directory, or a new database created on the PostgreSQL server
given with --database-url (dropped afterwards). Needs wrk and nginx.

    .venv/bin/python bench/logged_in.py [--duration 10s] [--rounds 1]
    .venv/bin/python bench/logged_in.py --database-url postgres://postgres@127.0.0.1:55432/postgres

Exits 1 on any error response or socket error; missing the speed target is reported, not an
error (the figures depend on what else the machine is doing).
"""

import argparse
import datetime
import sys

import harness
from harness import ARTICLE

CONNECTIONS = 16
TARGET_RPS = 250
TARGET_P99_MS = 150


def run(args, tmp):
    harness.find_nginx()
    started = datetime.datetime.now(datetime.UTC)
    load_start = harness.load_average()
    port = harness.free_port()
    engine = "PostgreSQL" if args.database_url else "SQLite"
    with harness.database(args.database_url) as url, harness.Children() as children:
        env = harness.scratch_site(tmp, port, url)
        data = harness.commented_article(env, 5)
        cookie = f"sessionid={data['sessions'][0]}"
        app = harness.start_server(children, env, port, tmp, ARTICLE)
        if b"Post Comment" not in harness.expect_200(port, ARTICLE, "logged in", cookie):
            raise harness.BenchError("the page shows no comment form: the session is not in")
        nginx, nginx_port, saved = harness.nginx_copy(children, tmp, port, cookie=cookie)
        print(
            f"{engine}: article with {data['comments']} comments, {saved[ARTICLE]} bytes as the "
            f"logged-in reader sees it; wrk {CONNECTIONS} connections, {args.duration} per run"
        )
        rounds = {"nginx": [], "app": []}
        for n in range(args.rounds):
            rounds["nginx"].append(
                harness.measure("nginx copy", nginx, nginx_port, ARTICLE, CONNECTIONS, args,
                                quiet=True)
            )  # fmt: skip
            rounds["app"].append(
                harness.measure("logged-in reader", app, port, ARTICLE, CONNECTIONS, args,
                                cookie=cookie, quiet=True)
            )  # fmt: skip
            app_row = rounds["app"][-1]
            print(
                f"  round {n + 1}: nginx {rounds['nginx'][-1]['requests_per_sec']:.0f} req/s; "
                f"app {app_row['requests_per_sec']:.1f} req/s, p99 {app_row['p99_ms']:.1f} ms, "
                f"{app_row['cpu_ms_per_request']:.2f} CPU ms/req"
            )

    summary = {name: harness.summarize(rows) for name, rows in rounds.items()}
    harness.add_ratios(summary.values(), [summary["nginx"]])
    app_row = summary["app"]
    met = app_row["requests_per_sec"] >= TARGET_RPS and app_row["p99_ms"] < TARGET_P99_MS
    print(
        f"\n{started:%Y-%m-%d %H:%M} UTC, {engine}, load average {load_start:.2f} -> "
        f"{harness.load_average():.2f}"
    )
    print(harness.table(f"median of {args.rounds} round(s):", summary.values()))
    print(
        f"  target (>= {TARGET_RPS} req/s, p99 < {TARGET_P99_MS} ms): {'met' if met else 'MISSED'}"
    )
    harness.write_results(
        f"logged_in_{engine.lower()}.json",
        {
            "date": started.isoformat(timespec="seconds"),
            "database": engine,
            "load_average": [load_start, harness.load_average()],
            "comments_on_page": data["comments"],
            "connections": CONNECTIONS,
            "duration": args.duration,
            "rounds": rounds,
            "summary": summary,
            "ratio_to_nginx": round(app_row["vs_nginx"], 5),
            "target_met": met,
        },
    )
    problems = [p for row in summary.values() for p in harness.problems_in(row)]
    if problems:
        print("bench: FAILED: " + "; ".join(problems), file=sys.stderr)
        return 1
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    harness.add_wrk_args(parser)
    harness.add_database_arg(parser)
    args = parser.parse_args(argv)
    harness.check_database_arg(parser, args)
    return harness.in_scratch_dir("dearly-logged-in-", lambda tmp: run(args, tmp))


if __name__ == "__main__":
    sys.exit(main())
