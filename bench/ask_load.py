"""Ask Dr. Mimi under load (issue 4): 200 concurrent question submissions against the real
server on SQLite, and the latency of /ask/similar/ with 10,000 and 100,000 published letters.

Runs the production server (granian, as `make run`) on a scratch site (SQLite in a
temporary directory), so the demo database under var/ is never touched. Standard library
only from the outside; the steps that need Django run as child processes in the server's
environment (this same file, with an `inner-*` command).

    .venv/bin/python bench/ask_load.py                      # both parts, 10k and 100k letters
    .venv/bin/python bench/ask_load.py --letters 10000      # a quicker run
    .venv/bin/python bench/ask_load.py --skip-similar       # only the 200 submissions

Submissions: each of 200 threads fetches /ask/ (CSRF cookie and token), posts the preview
step, posts the send step and opens its status page, all starting together; every fourth
thread sends its preview twice at the same moment on two connections (a double click). Every
send must answer 303 to the thread's status page, and the database must then hold exactly one
question per thread.
The server runs with DEARLY_LOADTEST=1 (dearly/settings/dev.py), which lifts the per-IP limit
of 5 questions a minute: all 200 come from 127.0.0.1.

Similar letters: letters are bulk-inserted as real published LetterPages (tree paths, the
multi-table rows, live, public), indexed with `manage.py update_index`, then /ask/similar/ is
asked the labelled set's paraphrases (short) and its letters' questions (long).
"""

import argparse
import json
import os
import re
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import harness
from harness import HOST, ROOT, percentile, python

LABELLED = ROOT / "dearly" / "questions" / "data" / "similar_letters.json"
# Every this many readers also send their preview twice at once (see submit_one).
DOUBLE_SEND_EVERY = 4
QUESTION = (
    "Load test letter {marker}. My manager keeps promising a pay rise at every review and "
    "it never arrives. How do I ask again without sounding ungrateful?"
)


def ms(seconds):
    return None if seconds is None else round(1000 * seconds, 1)


# HTTP, one connection per simulated reader


class Reader:
    """A browser-like client: keeps cookies, sends Origin on POST like a browser does."""

    def __init__(self, port, timeout=180):
        import http.client

        self.port = port
        self.conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
        self.cookies = {}

    def request(self, method, path, data=None):
        headers = {"Host": f"{HOST}:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://{HOST}:{self.port}"
        started = time.monotonic()
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        elapsed = time.monotonic() - started
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location"), text, elapsed

    def close(self):
        self.conn.close()


def field(html, name):
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    return found[1] if found else None


def submit_one(port, n, marker, barrier, tally, lock):
    """GET the form, POST the preview, POST the send step, GET the status page."""
    record = {"n": n, "steps": {}, "ok": False}
    reader = Reader(port)
    try:
        barrier.wait()
        status, _, html, elapsed = reader.request("GET", "/ask/")
        record["steps"]["form"] = (status, elapsed)
        csrf = field(html, "csrfmiddlewaretoken")
        if status != 200 or not csrf or "csrftoken" not in reader.cookies:
            return
        data = {
            "csrfmiddlewaretoken": csrf,
            "question": QUESTION.format(marker=f"{marker}-{n}"),
            "pen_name": f"Loaded {n}",
            "email": f"writer{n}@example.com" if n % 2 == 0 else "",
            "consent": "on",
            "website": "",
        }
        status, _, html, elapsed = reader.request("POST", "/ask/", data)
        record["steps"]["preview"] = (status, elapsed)
        submission = field(html, "submission")
        if status != 200 or not submission:
            return
        send = {**data, "submission": submission}
        twin = None
        if n % DOUBLE_SEND_EVERY == 0:
            # An impatient double click: the same preview sent again on a second connection,
            # at the same moment. Both must land on the same status page, one question stored.
            twin = {}
            twin_reader = Reader(port)
            twin_reader.cookies = dict(reader.cookies)

            def send_twin():
                status, location, _, _ = twin_reader.request("POST", "/ask/send/", send)
                twin.update(status=status, location=location)

            twin_thread = threading.Thread(target=send_twin)
            twin_thread.start()
        status, location, _, elapsed = reader.request("POST", "/ask/send/", send)
        record["steps"]["send"] = (status, elapsed)
        if twin is not None:
            twin_thread.join()
            twin_reader.close()
            record["steps"]["double send"] = (twin.get("status"), 0)
            if twin.get("location") != location:
                record["error"] = f"double send went to {twin.get('location')}, not {location}"
                return
        if status != 303 or not location or "/ask/status/" not in location:
            return
        record["token"] = location.rstrip("/").rsplit("/", 1)[-1]
        status, _, html, elapsed = reader.request("GET", location)
        record["steps"]["status"] = (status, elapsed)
        record["ok"] = status == 200 and f"Loaded {n}" in html
    except Exception as error:  # any failure is counted, not raised
        record["error"] = f"{type(error).__name__}: {error}"
    finally:
        reader.close()
        with lock:
            tally.append(record)


def run_submissions(env, tmp, port, count):
    marker = f"run{time.time_ns()}"
    tally, lock = [], threading.Lock()
    barrier = threading.Barrier(count)
    threads = [
        threading.Thread(target=submit_one, args=(port, n, marker, barrier, tally, lock))
        for n in range(count)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    tokens_file = tmp / "tokens.json"
    tokens_file.write_text(json.dumps([r["token"] for r in tally if "token" in r]))
    stored = json.loads(python(env, __file__, "inner-count", marker, str(count), str(tokens_file)))
    outbox = tmp / "outbox"
    receipts = sum(
        (path.read_text(errors="replace").count("Subject: ") for path in outbox.glob("*.log"))
        if outbox.exists()
        else []
    )
    statuses = {}
    for record in tally:
        for step, (status, _) in record["steps"].items():
            key = f"{step} {status}"
            statuses[key] = statuses.get(key, 0) + 1
    errors = [record["error"] for record in tally if "error" in record]
    server_errors = sum(n for key, n in statuses.items() if key.split()[1].startswith("5"))

    def step_ms(step, p):
        values = [r["steps"][step][1] for r in tally if step in r["steps"]]
        return ms(percentile(values, p))

    result = {
        "submissions": count,
        "seconds": round(elapsed, 1),
        "completed": sum(1 for r in tally if r["ok"]),
        "responses": dict(sorted(statuses.items())),
        "client_errors": errors[:5],
        "client_error_count": len(errors),
        "server_errors": server_errors,
        "stored": stored,
        "receipts_sent": receipts,
        "latency_ms": {
            step: {"p50": step_ms(step, 50), "p95": step_ms(step, 95), "max": step_ms(step, 100)}
            for step in ("form", "preview", "send", "status")
        },
    }
    ok = (
        result["completed"] == count
        and server_errors == 0
        and not errors
        and stored["questions"] == count
        and stored["distinct_markers"] == count
        and stored["duplicates"] == 0
        and stored["tokens_found"] == count
        and receipts == (count + 1) // 2
    )
    return result, ok


# /ask/similar/ with many letters


def similar_queries():
    data = json.loads(LABELLED.read_text(encoding="utf-8"))
    short = [p["text"] for p in data["paraphrases"]] + list(data.get("off_topic", []))
    long = [letter["question"] for letter in data["letters"]]
    return {"short": short, "long": long}


def measure_similar(port, queries, samples, clients):
    """p50/p95 of /ask/similar/ over `samples` requests spread over `clients` threads."""
    latencies, failures, results = [], [], []
    lock = threading.Lock()
    plan = [queries[n % len(queries)] for n in range(samples)]

    def client(part):
        reader = Reader(port, timeout=120)
        try:
            for q in part:
                status, _, body, elapsed = reader.request("GET", "/ask/similar/?q=" + quote(q))
                with lock:
                    if status == 200:
                        latencies.append(elapsed)
                        results.append(len(json.loads(body)["results"]))
                    else:
                        failures.append(status)
        finally:
            reader.close()

    threads = [threading.Thread(target=client, args=(plan[i::clients],)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "requests": samples,
        "clients": clients,
        "p50_ms": ms(percentile(latencies, 50)),
        "p95_ms": ms(percentile(latencies, 95)),
        "max_ms": ms(max(latencies) if latencies else None),
        "mean_results": round(statistics.mean(results), 2) if results else None,
        "failures": failures,
    }


def run_similar(env, tmp, sizes, samples):
    rows = []
    queries = similar_queries()
    have = harness.site_data(env, "letter-count")["published_letters"]
    for size in sizes:
        add = max(0, size - have)
        started = time.monotonic()
        made = harness.site_data(env, "make-letters", add, timeout=3600)
        insert_s = time.monotonic() - started
        started = time.monotonic()
        python(env, "manage.py", "update_index", "--chunk_size", "2000", timeout=7200)
        index_s = time.monotonic() - started
        have = made["published_letters"]
        print(
            f"  {have:,} published letters (+{add:,} inserted in {insert_s:.0f} s, "
            f"update_index {index_s:.0f} s)",
            flush=True,
        )
        port = harness.free_port()
        with harness.Children() as children:
            harness.start_server(children, env, port, tmp, "/ask/")
            measure_similar(port, queries["short"][:10], 20, 2)  # warm both workers
            row = {"letters": have, "insert_s": round(insert_s), "update_index_s": round(index_s)}
            for kind in ("short", "long"):
                for clients in (1, 4):
                    key = f"{kind}, {clients} client{'s' if clients > 1 else ''}"
                    row[key] = measure_similar(port, queries[kind], samples, clients)
                    r = row[key]
                    print(
                        f"    {key:<16} p50 {r['p50_ms']:>7} ms  p95 {r['p95_ms']:>7} ms  "
                        f"max {r['max_ms']:>7} ms  results/query {r['mean_results']}  "
                        f"failures {len(r['failures'])}",
                        flush=True,
                    )
        rows.append(row)
    return rows


def run(args, tmp):
    sizes = sorted(int(n) for n in args.letters.split(",") if n.strip())
    results = {}
    ok = True
    port = harness.free_port()
    env = harness.scratch_site(tmp, port, DEARLY_SIMILAR=os.environ.get("DEARLY_SIMILAR", ""))
    if not args.skip_submissions:
        with harness.Children() as children:
            harness.start_server(children, env, port, tmp, "/ask/")
            print(f"{args.submissions} concurrent submissions (granian, 2 workers):")
            result, ok = run_submissions(env, tmp, port, args.submissions)
        results["submissions"] = result
        s, lat = result["stored"], result["latency_ms"]
        print(
            f"  {result['completed']}/{result['submissions']} completed in "
            f"{result['seconds']} s; stored {s['questions']} ({s['distinct_markers']} "
            f"distinct, {s['duplicates']} duplicated, {s['tokens_found']} status links "
            f"found); 5xx {result['server_errors']}; client errors "
            f"{result['client_error_count']}; receipts {result['receipts_sent']}"
        )
        print(f"  responses {result['responses']}")
        for step, row in lat.items():
            print(f"  {step:<8} p50 {row['p50']} ms  p95 {row['p95']} ms  max {row['max']} ms")
        if not ok:
            print("bench: FAILED: every submission must be stored exactly once", file=sys.stderr)
    if not args.skip_similar and sizes:
        print("/ask/similar/ latency (granian, 2 workers):")
        results["similar"] = run_similar(env, tmp, sizes, args.samples)
    harness.write_results("ask_load.json", results)
    return 0 if ok else 1


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--submissions",
        type=harness.positive_int,
        default=os.environ.get("BENCH_SUBMISSIONS") or "200",
        help="concurrent question submissions (env BENCH_SUBMISSIONS; default 200)",
    )
    parser.add_argument(
        "--letters",
        default=os.environ.get("BENCH_LETTERS") or "10000,100000",
        help="comma-separated numbers of published letters to measure /ask/similar/ with "
        "(env BENCH_LETTERS; default 10000,100000)",
    )
    parser.add_argument(
        "--samples",
        type=harness.positive_int,
        default=os.environ.get("BENCH_SAMPLES") or "200",
        help="requests per measurement (env BENCH_SAMPLES; default 200)",
    )
    parser.add_argument("--skip-submissions", action="store_true")
    parser.add_argument("--skip-similar", action="store_true")
    args = parser.parse_args(argv)
    return harness.in_scratch_dir("dearly-ask-bench-", lambda tmp: run(args, tmp))


# The inner commands: run by main() as child processes with the server's environment.


def inner_count(marker, expected, tokens_path):
    """How many of this run's questions are stored, how many twice, and whether every status
    link the clients were given leads to a stored question."""
    harness.django_setup()
    from collections import Counter

    from dearly.questions.models import Question, hash_token

    texts = Question.objects.filter(text__contains=f"letter {marker}-").values_list(
        "text", flat=True
    )
    markers = Counter(re.search(rf"letter {marker}-(\d+)\.", text)[1] for text in texts)
    tokens = json.loads(Path(tokens_path).read_text())
    found = Question.objects.filter(token_hash__in=[hash_token(t) for t in tokens]).count()
    print(
        json.dumps(
            {
                "questions": Question.objects.count(),
                "distinct_markers": len(markers),
                "duplicates": sum(n - 1 for n in markers.values()),
                "missing": int(expected) - len(markers),
                "tokens_found": found,
            }
        )
    )


INNER = {"inner-count": inner_count}

if __name__ == "__main__":
    harness.main(main, INNER)
