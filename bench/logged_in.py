"""The article page with 300 comments for a logged-in reader, against nginx serving a saved copy
of the same page in the same run (issue 6: at least 250 requests/s at 16 connections and p99
under 150 ms, on SQLite and on PostgreSQL; no page cache, as a session cookie bypasses it).

The server is granian as `make run` starts it (2 workers, --blocking-threads 1), on a throwaway
database: SQLite in a temporary directory, or a new database created on the PostgreSQL server
given with --database-url (dropped afterwards). Needs wrk and nginx.

    .venv/bin/python bench/logged_in.py [--duration 10s] [--rounds 1]
    .venv/bin/python bench/logged_in.py --database-url postgres://postgres@127.0.0.1:55432/postgres

Exits 1 on any error response or socket error; missing the speed target is reported, not an
error (the figures depend on what else the machine is doing).
"""

import argparse
import datetime
import http.client
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import (  # the helpers of bench/run.py
    HOST,
    ROOT,
    WRK_TIMEOUT,
    BenchError,
    Child,
    StylesheetLinks,
    drain,
    free_port,
    granian_cmd,
    group_cpu_seconds,
    in_scratch_dir,
    parse_wrk,
    positive_int,
    python,
    start_nginx,
    throwaway_demo_site,
    wait_until_answers,
    write_public,
    wrk_duration,
)

ARTICLE = "/guides/when-you-are-turned-down/"
RESULTS = ROOT / "bench" / "results" / "logged_in.json"
CONNECTIONS = 16
TARGET_RPS = 250
TARGET_P99_MS = 150


def get(port, path, cookie=None):
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def save_copy(port, www, cookie):
    """The logged-in page as the reader gets it, and its stylesheets, for nginx to serve."""
    status, html = get(port, ARTICLE, cookie)
    if status != 200:
        raise BenchError(f"GET {ARTICLE} as the logged-in reader answered {status}")
    if b"Post Comment" not in html:
        raise BenchError("the page did not show the comment form: the session is not logged in")
    write_public(www / ARTICLE.strip("/") / "index.html", html)
    saved = {ARTICLE: len(html)}
    parser = StylesheetLinks()
    parser.feed(html.decode())
    for href in parser.hrefs:
        url = urlsplit(href)
        if not url.scheme and url.path.startswith("/"):
            status, css = get(port, url.path)
            if status == 200:
                write_public(www / url.path.lstrip("/"), css)
                saved[url.path] = len(css)
    return saved


def wrk(port, duration, cookie=None):
    cmd = ["wrk", "--threads", "2", "--connections", str(CONNECTIONS), "--duration", duration]
    cmd += ["--timeout", WRK_TIMEOUT, "--latency"]
    if cookie:
        cmd += ["--header", f"Cookie: {cookie}"]
    result = subprocess.run(
        [*cmd, f"http://{HOST}:{port}{ARTICLE}"], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BenchError(f"wrk failed: {result.stderr.strip()}")
    return parse_wrk(result.stdout)


def measure(child, port, args, cookie=None):
    wrk(port, args.warmup, cookie)
    drain(child, port, ARTICLE)
    before = group_cpu_seconds(child.proc.pid)
    row = wrk(port, args.duration, cookie)
    drain(child, port, ARTICLE)
    served = row["requests"] + CONNECTIONS + 1
    row["cpu_ms_per_request"] = round(
        (group_cpu_seconds(child.proc.pid) - before) * 1000 / served, 3
    )
    return row


class Postgres:
    """A new database on the given server for this run, dropped afterwards."""

    def __init__(self, url):
        import psycopg

        self.psycopg = psycopg
        self.admin_url = url
        self.name = f"dearly_bench_{secrets.token_hex(4)}"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        self.url = urlsplit(url)._replace(path=f"/{self.name}").geturl()

    def drop(self):
        with self.psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def site_env(tmp, port, database_url):
    extra = {"DATABASE_URL": database_url} if database_url else {}
    return throwaway_demo_site(tmp, port, **extra)


def run(args, tmp):
    nginx_bin = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if not (shutil.which("wrk") and nginx_bin):
        raise BenchError("wrk and nginx are needed: apt-get install wrk nginx")
    started = datetime.datetime.now(datetime.UTC)
    load_start = os.getloadavg()
    port = free_port()
    database = Postgres(args.database_url) if args.database_url else None
    children = []
    try:
        env = site_env(tmp, port, database.url if database else None)
        prepared = python(env, "bench/comments_setup.py", "prepare", "5")
        data = json.loads(prepared.split("SESSIONS=", 1)[1])
        cookie = f"sessionid={data['sessions'][0]}"
        app = Child("granian", granian_cmd(port, 2, blocking_threads=1), tmp / "app.log", env=env)
        children.append(app)
        wait_until_answers(app, port, ARTICLE)
        tmp.chmod(0o755)  # nginx's workers may run as an unprivileged user
        saved = save_copy(port, tmp / "www", cookie)
        nginx_port = free_port()
        nginx = start_nginx(nginx_bin, nginx_port, tmp, tmp / "www", saved)
        children.append(nginx)
        engine = "PostgreSQL" if database else "SQLite"
        print(
            f"{engine}: article with {data['comments']} comments, {saved[ARTICLE]} bytes as the "
            f"logged-in reader sees it; wrk {CONNECTIONS} connections, {args.duration} per run"
        )
        rounds = {"nginx": [], "app": []}
        for n in range(args.rounds):
            rounds["nginx"].append(measure(nginx, nginx_port, args))
            rounds["app"].append(measure(app, port, args, cookie))
            app_row = rounds["app"][-1]
            print(
                f"  round {n + 1}: nginx {rounds['nginx'][-1]['requests_per_sec']:.0f} req/s; "
                f"app {app_row['requests_per_sec']:.1f} req/s, p99 {app_row['p99_ms']:.1f} ms, "
                f"{app_row['cpu_ms_per_request']:.2f} CPU ms/req"
            )
    finally:
        for child in reversed(children):
            child.stop()
        if database:
            database.drop()

    def median(rows, key):
        return round(statistics.median(row[key] for row in rows), 3)

    summary = {}
    for name, rows in rounds.items():
        summary[name] = {
            key: median(rows, key)
            for key in ("requests_per_sec", "p50_ms", "p99_ms", "cpu_ms_per_request")
        }
        summary[name]["non_2xx"] = sum(row["non_2xx"] for row in rows)
        summary[name]["socket_errors"] = sum(sum(row["socket_errors"].values()) for row in rows)
    app_row, nginx_row = summary["app"], summary["nginx"]
    ratio = app_row["requests_per_sec"] / nginx_row["requests_per_sec"]
    met = app_row["requests_per_sec"] >= TARGET_RPS and app_row["p99_ms"] < TARGET_P99_MS
    load_end = os.getloadavg()
    print(
        f"\n{started:%Y-%m-%d %H:%M} UTC, {engine}, load average {load_start[0]:.2f} -> "
        f"{load_end[0]:.2f}, median of {args.rounds} round(s):\n"
        f"  nginx copy        {nginx_row['requests_per_sec']:>9.0f} req/s  "
        f"p50 {nginx_row['p50_ms']:.2f} ms  p99 {nginx_row['p99_ms']:.2f} ms\n"
        f"  logged-in reader  {app_row['requests_per_sec']:>9.1f} req/s  "
        f"p50 {app_row['p50_ms']:.1f} ms  p99 {app_row['p99_ms']:.1f} ms  "
        f"{app_row['cpu_ms_per_request']:.2f} CPU ms/req  ({ratio:.4f} of nginx)\n"
        f"  target (>= {TARGET_RPS} req/s, p99 < {TARGET_P99_MS} ms): "
        f"{'met' if met else 'MISSED'}"
    )
    result = {
        "date": started.isoformat(timespec="seconds"),
        "database": engine,
        "load_average": [round(load_start[0], 2), round(load_end[0], 2)],
        "comments_on_page": data["comments"],
        "connections": CONNECTIONS,
        "duration": args.duration,
        "rounds": rounds,
        "summary": summary,
        "ratio_to_nginx": round(ratio, 5),
        "target_met": met,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    out = RESULTS.with_name(f"logged_in_{engine.lower()}.json")
    out.write_text(json.dumps(result, indent=2) + "\n")
    errors = [
        f"{name}: {row['non_2xx']} non-2xx, {row['socket_errors']} socket errors"
        for name, row in summary.items()
        if row["non_2xx"] or row["socket_errors"]
    ]
    if errors:
        print("bench: FAILED: " + "; ".join(errors), file=sys.stderr)
        return 1
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--duration", type=wrk_duration, default=os.environ.get("BENCH_DURATION") or "10s"
    )
    parser.add_argument(
        "--warmup", type=wrk_duration, default=os.environ.get("BENCH_WARMUP") or "2s"
    )
    parser.add_argument(
        "--rounds", type=positive_int, default=os.environ.get("BENCH_ROUNDS") or "1"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL") or None,
        help="a PostgreSQL server (postgres://user@host:port/db) to create a throwaway "
        "database on (env BENCH_DATABASE_URL); default: SQLite in a temporary directory",
    )
    args = parser.parse_args(argv)
    if args.database_url and not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error(f"--database-url must be a postgres:// URL, not {args.database_url!r}")
    return in_scratch_dir("dearly-logged-in-", lambda tmp: run(args, tmp))


if __name__ == "__main__":
    sys.exit(main())
