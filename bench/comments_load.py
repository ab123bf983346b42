"""Comments under load (issue 3): the article page with 300 comments for a logged-out and a
logged-in reader, and comment posting by 50 concurrent accounts for 30 s on SQLite.

Runs the production server (granian, as `make run`) on a scratch site, so the demo database
under var/ is never touched. Needs wrk (`apt-get install wrk`).

    .venv/bin/python bench/comments_load.py [--duration 10s] [--post-seconds 30] [--accounts 50]
"""

import argparse
import http.client
import os
import re
import shutil
import threading
import time
from urllib.parse import urlencode

import harness
from harness import ARTICLE, HOST


def poster(port, page_id, session, seconds, tally, lock, worker):
    """One account: fetch the page (CSRF cookie and token), then post until time is up."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    cookie = f"sessionid={session}"
    conn.request("GET", ARTICLE, headers={"Cookie": cookie})
    response = conn.getresponse()
    html = response.read().decode()
    csrf_cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not (csrf_cookie and token):
        with lock:
            tally["setup_failures"] += 1
        return
    cookie += f"; csrftoken={csrf_cookie[1]}"
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        body = urlencode({"csrfmiddlewaretoken": token[1], "body": f"Load post {worker}-{n}"})
        started = time.monotonic()
        try:
            conn.request(
                "POST",
                f"/comments/post/{page_id}/",
                body=body,
                headers={
                    "Cookie": cookie,
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Referer": f"http://{HOST}:{port}{ARTICLE}",
                },
            )
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=30)
            status = "error"
        with lock:
            tally["statuses"][str(status)] = tally["statuses"].get(str(status), 0) + 1
            if status == 303:
                tally["accepted"] += 1
                tally["latencies"].append(time.monotonic() - started)
        n += 1
    conn.close()


def post_comments(port, data, seconds):
    """Every account posting at once for `seconds`: the tally and the time it took."""
    tally = {"accepted": 0, "statuses": {}, "latencies": [], "setup_failures": 0}
    lock = threading.Lock()
    threads = [
        threading.Thread(
            target=poster, args=(port, data["page_id"], session, seconds, tally, lock, i)
        )
        for i, session in enumerate(data["sessions"])
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, time.monotonic() - started


def run(args, tmp):
    if not shutil.which("wrk"):
        raise harness.BenchError("wrk not found (apt-get install wrk)")
    port = harness.free_port()
    env = harness.scratch_site(tmp, port)
    data = harness.commented_article(env, args.accounts)
    with harness.Children() as children:
        server = harness.start_server(children, env, port, tmp, ARTICLE)
        comments, duration = data["comments"], args.duration
        print(f"Article page with {comments} approved comments, 16 connections, {duration}:")
        results = {"comments_on_page": comments}
        for label, session in (("logged out", None), ("logged in", data["sessions"][0])):
            cookie = session and f"sessionid={session}"
            row = harness.measure(label, server, port, ARTICLE, 16, args, cookie, quiet=True)
            results[label] = row
            print(
                f"  {label:<10} {row['requests_per_sec']:>8.1f} req/s  p50 {row['p50_ms']:.1f} "
                f"ms  p99 {row['p99_ms']:.1f} ms  non-2xx {row['non_2xx']}"
            )
        tally, elapsed = post_comments(port, data, args.post_seconds)
    counted = harness.site_data(env, "count")
    stored, duplicates = counted["count"], counted["duplicates"]
    server_errors = sum(
        n for s, n in tally["statuses"].items() if s.startswith("5") or s == "error"
    )
    latencies = tally["latencies"]
    p = results["posting"] = {
        "accounts": args.accounts,
        "seconds": round(elapsed, 1),
        "responses": tally["statuses"],
        "accepted": tally["accepted"],
        "stored": stored,
        "duplicates": duplicates,
        "accepted_per_sec": round(tally["accepted"] / elapsed, 1),
        "p50_ms": round(1000 * harness.percentile(latencies, 50), 1) if latencies else None,
        "p99_ms": round(1000 * harness.percentile(latencies, 99), 1) if latencies else None,
        "setup_failures": tally["setup_failures"],
    }
    print(
        f"Posting: {p['accounts']} accounts for {p['seconds']} s: {p['accepted']} accepted "
        f"({p['accepted_per_sec']}/s, p50 {p['p50_ms']} ms, p99 {p['p99_ms']} ms), "
        f"{p['stored']} stored, {p['duplicates']} duplicated, responses {p['responses']}"
    )
    harness.write_results("comments_load.json", results)
    if stored != tally["accepted"] or duplicates or server_errors or tally["setup_failures"]:
        raise harness.BenchError(
            "FAILED: every accepted comment must be stored exactly once, with no 5xx"
        )
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    harness.add_wrk_args(parser, rounds=False)
    parser.add_argument(
        "--post-seconds",
        type=harness.positive_int,
        default=os.environ.get("BENCH_POST_SECONDS") or "30",
        help="how long the accounts post (env BENCH_POST_SECONDS; default 30)",
    )
    parser.add_argument("--accounts", type=harness.positive_int, default=50)
    args = parser.parse_args(argv)
    return harness.in_scratch_dir("dearly-comments-bench-", lambda tmp: run(args, tmp))


if __name__ == "__main__":
    harness.main(main)
