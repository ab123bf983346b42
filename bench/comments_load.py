"""Comments under load (issue 3): the article page with 300 comments for a logged-out and a
logged-in reader, and comment posting by 50 concurrent accounts for 30 s on SQLite.

Runs the production server (granian, as `make run`) on a throwaway SQLite database, so the
demo database under var/ is never touched. Needs wrk (`apt-get install wrk`).

    .venv/bin/python bench/comments_load.py [--duration 10s] [--post-seconds 30] [--accounts 50]
"""

import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import (  # the helpers of bench/run.py
    HOST,
    ROOT,
    BenchError,
    Child,
    free_port,
    granian_cmd,
    parse_wrk,
    percentile,
    positive_int,
    python,
    throwaway_demo_site,
    wait_until_answers,
    wrk_duration,
)

ARTICLE = "/guides/when-you-are-turned-down/"
RESULTS = ROOT / "bench" / "results" / "comments_load.json"


def wrk_page(port, connections, duration, cookie=None):
    cmd = ["wrk", "--threads", "2", "--connections", str(connections), "--duration", duration]
    cmd += ["--timeout", "10s", "--latency"]
    if cookie:
        cmd += ["--header", f"Cookie: sessionid={cookie}"]
    result = subprocess.run(
        [*cmd, f"http://{HOST}:{port}{ARTICLE}"], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BenchError(f"wrk failed: {result.stderr.strip()}")
    return parse_wrk(result.stdout)


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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--duration", type=wrk_duration, default=os.environ.get("BENCH_DURATION", "10s")
    )
    parser.add_argument("--post-seconds", type=positive_int, default=30)
    parser.add_argument("--accounts", type=positive_int, default=50)
    args = parser.parse_args(argv)
    if subprocess.run(["which", "wrk"], capture_output=True, check=False).returncode != 0:
        print("bench: wrk not found (apt-get install wrk)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="dearly-comments-bench-") as tmp:
        tmp = Path(tmp)
        port = free_port()
        env = throwaway_demo_site(tmp, port)
        prepared = python(env, "bench/comments_setup.py", "prepare", str(args.accounts))
        data = json.loads(prepared.split("SESSIONS=", 1)[1])
        server = Child(
            "granian", granian_cmd(port, 2, blocking_threads=1), tmp / "server.log", env=env
        )
        try:
            wait_until_answers(server, port, ARTICLE)
            comments, duration = data["comments"], args.duration
            print(f"Article page with {comments} approved comments, 16 connections, {duration}:")
            results = {"comments_on_page": data["comments"]}
            for label, cookie in (("logged out", None), ("logged in", data["sessions"][0])):
                wrk_page(port, 16, "2s", cookie)  # warm-up
                row = wrk_page(port, 16, args.duration, cookie)
                results[label] = row
                rate, p50, p99 = row["requests_per_sec"], row["p50_ms"], row["p99_ms"]
                print(
                    f"  {label:<10} {rate:>8.1f} req/s  p50 {p50:.1f} ms  p99 {p99:.1f} ms"
                    f"  non-2xx {row['non_2xx']}"
                )
            tally = {"accepted": 0, "statuses": {}, "latencies": [], "setup_failures": 0}
            lock = threading.Lock()
            threads = [
                threading.Thread(
                    target=poster,
                    args=(port, data["page_id"], session, args.post_seconds, tally, lock, i),
                )
                for i, session in enumerate(data["sessions"])
            ]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
        finally:
            server.stop()
        counted = python(env, "bench/comments_setup.py", "count")
        stored = int(re.search(r"COUNT=(\d+)", counted)[1])
        duplicates = int(re.search(r"DUPLICATES=(\d+)", counted)[1])
    server_errors = sum(
        n for s, n in tally["statuses"].items() if s.startswith("5") or s == "error"
    )
    results["posting"] = {
        "accounts": args.accounts,
        "seconds": round(elapsed, 1),
        "responses": tally["statuses"],
        "accepted": tally["accepted"],
        "stored": stored,
        "duplicates": duplicates,
        "accepted_per_sec": round(tally["accepted"] / elapsed, 1),
        "p50_ms": round(1000 * percentile(tally["latencies"], 50), 1)
        if tally["latencies"]
        else None,
        "p99_ms": round(1000 * percentile(tally["latencies"], 99), 1)
        if tally["latencies"]
        else None,
        "setup_failures": tally["setup_failures"],
    }
    p = results["posting"]
    print(
        f"Posting: {p['accounts']} accounts for {p['seconds']} s: {p['accepted']} accepted "
        f"({p['accepted_per_sec']}/s, p50 {p['p50_ms']} ms, p99 {p['p99_ms']} ms), "
        f"{p['stored']} stored, {p['duplicates']} duplicated, responses {p['responses']}"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    ok = (
        stored == tally["accepted"]
        and duplicates == 0
        and server_errors == 0
        and not tally["setup_failures"]
    )
    if not ok:
        print(
            "bench: FAILED: every accepted comment must be stored exactly once, with no 5xx",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
