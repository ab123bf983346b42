"""A mixed soak (issue 6): 95% page reads across 1,000 pages, 4% comments, 1% questions, at 64
connections for 10 minutes on SQLite, against granian as `make run` starts it.

Passes when no response is a 5xx (or a broken connection), every accepted comment and question
is stored exactly once, the worker processes' memory grows less than 10% from the end of the
first tenth of the run to the end, and each worker ends under 150 MB RSS.

    .venv/bin/python bench/soak.py                  # 10 minutes
    .venv/bin/python bench/soak.py --short          # 1 minute, to try it
    .venv/bin/python bench/soak.py --minutes 3 --connections 32

The site is a scratch SQLite site: the demo, 1,000 published guides and letters (the
demo's plus letters inserted in bulk by bench/site_data.py), 300 comments on the demo guide and
50 readers with logged-in sessions. Each client thread keeps one keep-alive connection; half
of the reads are logged out (served by the page cache when warm), half logged in. Comments
are posted by logged-in readers with the form's CSRF token, questions through /ask/'s preview
and send steps like a browser. DEARLY_LOADTEST=1 lifts the per-IP limits (every client is
127.0.0.1). Standard library only outside the server.
"""

import argparse
import http.client
import json
import os
import random
import re
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import harness
from harness import HOST, percentile, python

PAGES = 1000
ACCOUNTS = 50
COMMENT_SHARE, QUESTION_SHARE = 0.04, 0.01
MEMORY_GROWTH_LIMIT = 0.10
MEMORY_LIMIT_MB = 150
QUESTION = (
    "Soak letter {marker}. My team lead keeps moving my deadlines forward without asking. "
    "How do I push back without seeming difficult?"
)


# --- inside the server's environment (run as child processes) -------------------------------


def inner_count(marker):
    """How many of this run's comments and questions are stored, and how many twice."""
    harness.django_setup()
    from dearly.comments.models import Comment
    from dearly.questions.models import Question

    comments = Counter(
        Comment.objects.filter(body__startswith=f"Soak comment {marker} ").values_list(
            "body", flat=True
        )
    )
    questions = Counter(
        re.search(r"Soak letter (\S+)\.", text)[1]
        for text in Question.objects.filter(text__startswith=f"Soak letter {marker}-").values_list(
            "text", flat=True
        )
    )
    print(
        "COUNT="
        + json.dumps(
            {
                "comments": sorted(comments),
                "comment_duplicates": sum(n - 1 for n in comments.values()),
                "questions": sorted(questions),
                "question_duplicates": sum(n - 1 for n in questions.values()),
            }
        )
    )


# --- the clients -----------------------------------------------------------------------------


class Client:
    """One keep-alive connection with its own cookies, like one browser tab."""

    # Like a browser, a connection left idle is not trusted: the server may have closed it
    # (keep-alive timeout) just as a request is sent on it, which no server can answer.
    IDLE_SECONDS = 1.0

    def __init__(self, port, cookies=None):
        self.port = port
        self.cookies = dict(cookies or {})
        self.conn = None
        self.used = 0.0

    def request(self, method, path, data=None, cookies=True):
        if self.conn is not None and time.monotonic() - self.used > self.IDLE_SECONDS:
            self.conn.close()
            self.conn = None
        if self.conn is None:
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
        headers = {"Host": f"{HOST}:{self.port}"}
        if cookies and self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://{HOST}:{self.port}"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = None
            raise
        self.used = time.monotonic()
        if cookies:
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location"), text


def field(html, name):
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    return found[1] if found else None


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.statuses = Counter()
        self.latencies = {"read": [], "comment": [], "question": []}
        self.comments, self.questions = [], []
        self.errors = Counter()
        self.examples = []

    def record(self, kind, status, seconds):
        with self.lock:
            self.statuses[f"{kind} {status}"] += 1
            self.latencies[kind].append(seconds)

    def error(self, kind, what):
        with self.lock:
            self.errors[kind] += 1
            if len(self.examples) < 10:
                self.examples.append(f"{kind}: {what}")


def worker(n, port, pages, session, marker, deadline, tally, seed):
    rng = random.Random(seed)  # noqa: S311  # load, not secrets
    reader = Client(port, {"sessionid": session})
    anonymous = Client(port)
    count = 0
    while time.monotonic() < deadline:
        roll = rng.random()
        page_id, url = rng.choice(pages)
        started = time.monotonic()
        try:
            if roll < COMMENT_SHARE:
                kind = "comment"
                status = post_comment(reader, page_id, url, f"Soak comment {marker} {n}-{count}")
                if status == 303:
                    with tally.lock:
                        tally.comments.append(f"Soak comment {marker} {n}-{count}")
            elif roll < COMMENT_SHARE + QUESTION_SHARE:
                kind = "question"
                status = ask(anonymous, f"{marker}-{n}-{count}")
                if status == 303:
                    with tally.lock:
                        tally.questions.append(f"{marker}-{n}-{count}")
            else:
                kind = "read"
                client = reader if rng.random() < 0.5 else anonymous
                status, _, _ = client.request("GET", url, cookies=client is reader)
        except (OSError, http.client.HTTPException) as error:
            tally.error(kind, f"{type(error).__name__}: {error}")
            status = "error"
        tally.record(kind, status, time.monotonic() - started)
        count += 1


def post_comment(reader, page_id, url, body):
    """The page (for the form's CSRF token), then the comment; the POST's status."""
    status, _, html = reader.request("GET", url)
    token = field(html, "csrfmiddlewaretoken")
    if status != 200 or not token:
        return f"form {status}"
    status, _, _ = reader.request(
        "POST", f"/comments/post/{page_id}/", {"csrfmiddlewaretoken": token, "body": body}
    )
    return status


def ask(client, marker):
    """/ask/, the preview, the send step: the send's status (303 to the status page)."""
    client.cookies.pop("csrftoken", None)
    status, _, html = client.request("GET", "/ask/")
    token = field(html, "csrfmiddlewaretoken")
    if status != 200 or not token:
        return f"form {status}"
    data = {
        "csrfmiddlewaretoken": token,
        "question": QUESTION.format(marker=marker),
        "pen_name": "Soaked",
        "email": "",
        "consent": "on",
        "website": "",
    }
    status, _, html = client.request("POST", "/ask/", data)
    submission = field(html, "submission")
    if status != 200 or not submission:
        return f"preview {status}"
    status, location, _ = client.request("POST", "/ask/send/", {**data, "submission": submission})
    if status == 303 and "/ask/status/" not in (location or ""):
        return f"send went to {location}"
    return status


# --- memory ----------------------------------------------------------------------------------


def worker_rss_mb(server):
    """RSS of each process in the server's group other than granian's main process."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == server.proc.pid:
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
            status = Path(entry.path, "status").read_text()
        except OSError:
            continue
        if int(stat[stat.rindex(")") + 2 :].split()[2]) != server.proc.pid:
            continue
        rss = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        if rss:
            found[int(entry.name)] = round(int(rss[1]) / 1024, 1)
    return found


# --- main ------------------------------------------------------------------------------------


def run(args, tmp):
    port = harness.free_port()
    print(f"Setting up: the demo, {PAGES} published pages, {ACCOUNTS} logged-in readers…")
    env = harness.scratch_site(tmp, port)
    have = len(harness.site_data(env, "pages"))
    if have < PAGES:
        harness.site_data(env, "make-letters", PAGES - have)
    pages = harness.site_data(env, "pages")
    sessions = harness.commented_article(env, ACCOUNTS)["sessions"]
    marker = f"{random.randrange(16**6):06x}"  # noqa: S311  # tells this run's writes apart
    tally = Tally()
    samples = []
    with harness.Children() as children:
        server = harness.start_server(children, env, port, tmp, pages[0][1])
        seconds = args.minutes * 60
        print(
            f"Soak: {len(pages)} pages, {args.connections} connections, {args.minutes:g} "
            f"minutes; 95% reads (half logged in), 4% comments, 1% questions"
        )
        started = time.monotonic()
        deadline = started + seconds
        threads = [
            threading.Thread(
                target=worker,
                args=(n, port, pages, sessions[n % len(sessions)], marker, deadline, tally, n),
                daemon=True,
            )
            for n in range(args.connections)
        ]
        for thread in threads:
            thread.start()
        baseline = None
        while time.monotonic() < deadline:
            time.sleep(min(10, max(0.1, deadline - time.monotonic())))
            elapsed = time.monotonic() - started
            rss = worker_rss_mb(server)
            samples.append({"seconds": round(elapsed), "rss_mb": rss})
            if baseline is None and elapsed >= seconds / 10:
                baseline = rss  # after the first tenth: imports done, caches filled
            with tally.lock:
                done = sum(tally.statuses.values())
            print(f"  {elapsed:5.0f} s  {done:7d} requests  workers {sorted(rss.values())} MB")
        for thread in threads:
            thread.join(timeout=120)
        elapsed = time.monotonic() - started
        final = worker_rss_mb(server)
    counted = json.loads(python(env, __file__, "inner-count", marker).split("COUNT=", 1)[1])
    return summarize(args, tally, counted, baseline or {}, final, samples, elapsed, len(pages))


def summarize(args, tally, counted, baseline, final, samples, elapsed, pages):
    server_errors = {
        key: n
        for key, n in tally.statuses.items()
        if key.split()[-1].startswith("5") or key.endswith("error")
    }
    accepted_comments, accepted_questions = set(tally.comments), set(tally.questions)
    stored_comments, stored_questions = set(counted["comments"]), set(counted["questions"])
    growth = {
        pid: round((final[pid] - baseline[pid]) / baseline[pid], 4)
        for pid in final
        if baseline.get(pid)
    }
    checks = {
        "no 5xx or broken connections": not server_errors and not tally.errors,
        "every accepted comment stored once": accepted_comments == stored_comments
        and not counted["comment_duplicates"],
        "every accepted question stored once": accepted_questions == stored_questions
        and not counted["question_duplicates"],
        "worker memory grew < 10%": bool(growth)
        and all(g < MEMORY_GROWTH_LIMIT for g in growth.values()),
        "each worker < 150 MB RSS at the end": bool(final)
        and all(mb < MEMORY_LIMIT_MB for mb in final.values()),
    }
    latency = {
        kind: {
            "p50_ms": round(1000 * percentile(values, 50), 1),
            "p99_ms": round(1000 * percentile(values, 99), 1),
        }
        for kind, values in tally.latencies.items()
        if values
    }
    total = sum(tally.statuses.values())
    result = {
        "minutes": args.minutes,
        "connections": args.connections,
        "pages": pages,
        "seconds": round(elapsed, 1),
        "requests": total,
        "requests_per_sec": round(total / elapsed, 1),
        "responses": dict(sorted(tally.statuses.items())),
        "latency": latency,
        "comments": {
            "accepted": len(accepted_comments),
            "stored": len(stored_comments),
            "duplicates": counted["comment_duplicates"],
            "accepted_not_stored": len(accepted_comments - stored_comments),
        },
        "questions": {
            "accepted": len(accepted_questions),
            "stored": len(stored_questions),
            "duplicates": counted["question_duplicates"],
            "accepted_not_stored": len(accepted_questions - stored_questions),
        },
        "worker_rss_mb": {"baseline": baseline, "final": final, "growth": growth},
        "rss_samples": samples,
        "client_errors": dict(tally.errors),
        "error_examples": tally.examples,
        "checks": checks,
    }
    print(
        f"\n{total} requests in {elapsed:.0f} s ({result['requests_per_sec']}/s); "
        f"responses {result['responses']}"
    )
    for kind, row in latency.items():
        print(f"  {kind:<9} p50 {row['p50_ms']} ms  p99 {row['p99_ms']} ms")
    c, q = result["comments"], result["questions"]
    print(
        f"  comments: {c['accepted']} accepted, {c['stored']} stored, {c['duplicates']} "
        f"duplicated; questions: {q['accepted']} accepted, {q['stored']} stored, "
        f"{q['duplicates']} duplicated"
    )
    print(f"  worker RSS MB: after the first tenth {baseline}, at the end {final}")
    for name, ok in checks.items():
        print(f"  [{'ok' if ok else 'FAILED'}] {name}")
    for example in tally.examples:
        print(f"  error: {example}")
    harness.write_results("soak.json", result)
    return 0 if all(checks.values()) else 1


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--minutes",
        type=float,
        default=float(os.environ.get("SOAK_MINUTES") or 10),
        help="length of the soak (env SOAK_MINUTES; default 10)",
    )
    parser.add_argument("--short", action="store_true", help="a one-minute run to try it")
    parser.add_argument("--connections", type=harness.positive_int, default=64)
    args = parser.parse_args(argv)
    if args.short:
        args.minutes = 1
    if not 0 < args.minutes <= 24 * 60:
        parser.error(f"--minutes must be between 0 and 1440, not {args.minutes:g}")
    return harness.in_scratch_dir("dearly-soak-", lambda tmp: run(args, tmp))


INNER = {"inner-count": inner_count}

if __name__ == "__main__":
    harness.main(main, INNER)
