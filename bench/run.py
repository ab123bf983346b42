"""Benchmark Dearly's server with wrk, against nginx serving a saved copy of one page.

`make bench` runs this after `make setup`; bench/README.md says what is measured and why.
Standard library only: the servers, nginx and wrk run as child processes, and every child is
stopped (with its whole process group) before the script exits.
"""

import argparse
import contextlib
import datetime
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
RESULTS = ROOT / "bench" / "results" / "latest.json"

ARTICLE = "/guides/when-you-are-turned-down/"
PAGES = [
    ("home", "/"),
    ("article", ARTICLE),
    ("letter", "/letters/dear-dr-mimi-poor/"),
]
CONNECTIONS = (16, 64)
WRK_THREADS = 2
# wrk's default of 2s would drop slow responses as "timeouts" and leave them out of the
# percentiles; a timeout is still counted and fails the run.
WRK_TIMEOUT = "10s"
HOST = "127.0.0.1"
TOOLS_HINT = "apt-get install wrk nginx"


class BenchError(Exception):
    """A reason to stop the run, shown as one message."""


# --- argument parsing ------------------------------------------------------------------------


def wrk_duration(text, allow_zero=False):
    """A duration wrk accepts: whole seconds, minutes or hours ("10", "10s", "2m", "1h")."""
    match = re.fullmatch(r"(\d+)([smh]?)", text.strip())
    if not match or (int(match[1]) == 0 and not allow_zero):
        raise argparse.ArgumentTypeError(f"not a duration like 10s, 2m: {text!r}")
    return f"{int(match[1])}{match[2] or 's'}"


def seconds(duration):
    value, unit = int(duration[:-1]), duration[-1]
    return value * {"s": 1, "m": 60, "h": 3600}[unit]


def port_number(text):
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port out of range: {port}")
    return port


def positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return value


def env_flag(name):
    return os.environ.get(name, "").strip().lower() in {"1", "yes", "true", "on"}


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=(
            "Benchmark Dearly (granian as `make run` starts it) with wrk against nginx "
            "serving a saved copy of the article page."
        ),
    )
    parser.add_argument(
        "--duration",
        type=wrk_duration,
        default=os.environ.get("BENCH_DURATION") or "10s",
        help="length of each measured wrk run (env BENCH_DURATION; default 10s)",
    )
    parser.add_argument(
        "--warmup",
        type=lambda text: wrk_duration(text, allow_zero=True),
        default=os.environ.get("BENCH_WARMUP") or "2s",
        help="unmeasured wrk run before each measurement, 0 to skip (env BENCH_WARMUP; 2s)",
    )
    parser.add_argument(
        "--port",
        type=port_number,
        default=os.environ.get("PORT") or None,
        help="port for the server under test (env PORT; default: a free port)",
    )
    parser.add_argument(
        "--workers",
        type=positive_int,
        default=os.environ.get("WORKERS") or "2",
        help="server worker processes, as in `make run` (env WORKERS; default 2)",
    )
    parser.add_argument(
        "--rounds",
        type=positive_int,
        default=os.environ.get("BENCH_ROUNDS") or "1",
        help="measure everything this many times, interleaved, and report medians "
        "(env BENCH_ROUNDS; default 1)",
    )
    parser.add_argument(
        "--servers",
        action="store_true",
        default=env_flag("BENCH_SERVERS"),
        help=(
            "also compare granian --blocking-threads 1, granian defaults and gunicorn sync "
            "workers on the article page (env BENCH_SERVERS=1)"
        ),
    )
    return parser.parse_args(argv)


# --- child processes -------------------------------------------------------------------------


class Child:
    """A process started in its own session, so that stopping it stops its workers too."""

    def __init__(self, name, cmd, log_path, env=None):
        self.name = name
        self.cmd = [str(part) for part in cmd]
        self.log_path = log_path
        with log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                self.cmd,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def log_tail(self, lines=20):
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def _signal_group(self, sig):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, sig)

    def stop(self):
        if self.proc.poll() is None:
            self._signal_group(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.proc.wait()
        # Workers left behind by a master that died first share its process group.
        self._signal_group(signal.SIGKILL)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def check_port_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            raise BenchError(
                f"port {port} is already in use (stop whatever listens there, or unset PORT)"
            ) from None


def http_get(port, path, timeout=10):
    """GET without following redirects or using proxies: (status, body)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_until_answers(child, port, path="/", timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        if child.proc.poll() is not None:
            raise BenchError(
                f"{child.name} exited (status {child.proc.returncode}) before answering; "
                f"its log ends:\n{child.log_tail()}"
            )
        try:
            http_get(port, path, timeout=5)
            return
        except (OSError, http.client.HTTPException):
            pass
        if time.monotonic() > deadline:
            raise BenchError(
                f"{child.name} did not answer on port {port} within {timeout}s; "
                f"its log ends:\n{child.log_tail()}"
            )
        time.sleep(0.2)


def expect_200(port, path, what):
    status, body = http_get(port, path)
    if status != 200:
        raise BenchError(f"{what}: GET {path} answered {status}, expected 200")
    return body


# --- helpers shared with the other bench scripts ----------------------------------------------


def python(env, *args, timeout=None):
    """Run a Python script of the project in the server's environment; its output."""
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise BenchError(f"{' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def throwaway_demo_site(tmp, port, **extra_env):
    """The environment of a `make run` server on a fresh SQLite database in `tmp`, migrated and
    loaded with the demo; var/ is never touched. Per-IP limits are lifted (DEARLY_LOADTEST)."""
    env = server_env()
    env.update(
        DATABASE_URL=f"sqlite:///{tmp / 'bench.sqlite3'}",
        DEARLY_VAR_DIR=str(tmp),
        SITE_URL=f"http://{HOST}:{port}",
        DEARLY_LOADTEST="1",
    )
    env.update(extra_env)  # may name another DATABASE_URL (a throwaway PostgreSQL database)
    for step in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        python(env, "manage.py", *step)
    python(env, "manage.py", "load_demo")
    return env


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))] if values else None


# --- servers ---------------------------------------------------------------------------------


def server_env():
    """The environment of `make run`, pinned to the dev settings with DEBUG off."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("GRANIAN_") and key not in {"GUNICORN_CMD_ARGS", "DEBUG"}
    }
    env["DJANGO_SETTINGS_MODULE"] = "dearly.settings.dev"
    return env


def granian_cmd(port, workers, blocking_threads=None):
    cmd = [VENV_BIN / "granian", "--interface", "wsgi", "--host", HOST, "--port", port]
    cmd += ["--workers", workers]
    if blocking_threads is not None:
        cmd += ["--blocking-threads", blocking_threads]
    return [*cmd, "--no-ws", "dearly.wsgi:application"]


def gunicorn_cmd(port, workers):
    return [
        VENV_BIN / "gunicorn",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        workers,
        "--worker-class",
        "sync",
        "dearly.wsgi:application",
    ]


# name -> (description, command builder taking port and workers)
SERVER_CONFIGS = {
    "granian-bt1": (
        "granian, --blocking-threads 1 (make run)",
        lambda port, workers: granian_cmd(port, workers, blocking_threads=1),
    ),
    "granian-default": (
        "granian, default blocking threads",
        lambda port, workers: granian_cmd(port, workers),
    ),
    "gunicorn-sync": (
        "gunicorn, sync workers",
        gunicorn_cmd,
    ),
}
MAIN_SERVER = "granian-bt1"


def start_server(config, port, workers, tmp):
    description, build = SERVER_CONFIGS[config]
    child = Child(description, build(port, workers), tmp / f"{config}.log", env=server_env())
    wait_until_answers(child, port)
    return child


# --- the saved copy and nginx ----------------------------------------------------------------


class StylesheetLinks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        rel = (attrs.get("rel") or "").lower().split()
        if tag == "link" and "stylesheet" in rel and attrs.get("href"):
            self.hrefs.append(attrs["href"])


def write_public(path, data):
    """Write a file nginx's unprivileged workers can read, whatever the umask."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(0o644)
    for parent in path.parents:
        parent.chmod(0o755)
        if parent.name == "www":
            break


def save_article(port, www):
    """Save the article page and its same-site stylesheets under www/, at the same paths."""
    html = expect_200(port, ARTICLE, "saving the article")
    write_public(www / ARTICLE.strip("/") / "index.html", html)
    parser = StylesheetLinks()
    parser.feed(html.decode("utf-8", errors="replace"))
    saved = {ARTICLE: len(html)}
    for href in parser.hrefs:
        url = urlsplit(href)
        if url.scheme or url.netloc or not url.path.startswith("/"):
            continue
        css = expect_200(port, url.path, "saving the article's CSS")
        write_public(www / url.path.lstrip("/"), css)
        saved[url.path] = len(css)
    if len(saved) == 1:
        print("warning: the article page links no local stylesheet; saved the HTML only")
    return saved


NGINX_CONF = """\
daemon off;
worker_processes auto;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    types {{ text/html html; text/css css; }}
    default_type application/octet-stream;
    charset utf-8;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    server {{
        listen {host}:{port};
        root {www};
        index index.html;
    }}
}}
"""


def start_nginx(nginx, port, tmp, www, saved):
    prefix = tmp / "nginx"
    prefix.mkdir()
    conf = prefix / "nginx.conf"
    conf.write_text(NGINX_CONF.format(prefix=prefix, host=HOST, port=port, www=www))
    child = Child(
        "nginx",
        [nginx, "-c", conf, "-p", f"{prefix}/", "-e", prefix / "error.log"],
        tmp / "nginx.out",
    )
    try:
        wait_until_answers(child, port, ARTICLE)
        for path, size in saved.items():
            body = expect_200(port, path, "nginx serving the saved copy")
            if len(body) != size:
                raise BenchError(f"nginx served {len(body)} bytes for {path}, saved {size}")
    except BenchError as error:
        error_log = (prefix / "error.log").read_text(errors="replace") if conf.exists() else ""
        child.stop()
        raise BenchError(f"{error}\nnginx error log:\n{error_log[-2000:]}") from None
    return child


# --- wrk -------------------------------------------------------------------------------------

TIME_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def to_ms(text):
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not match:
        raise BenchError(f"cannot read wrk's time {text!r}")
    return round(float(match[1]) * TIME_UNITS_MS[match[2]], 3)


def parse_wrk(output):
    def find(pattern):
        match = re.search(pattern, output, re.MULTILINE)
        if not match:
            raise BenchError(f"cannot read wrk's output (no match for {pattern!r}):\n{output}")
        return match

    percentiles = {
        int(m[1]): to_ms(m[2])
        for m in re.finditer(r"^\s+(\d+)%\s+([\d.]+(?:us|ms|s|m|h))\s*$", output, re.MULTILINE)
    }
    if 50 not in percentiles or 99 not in percentiles:
        raise BenchError(f"wrk printed no latency distribution:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return {
        "requests_per_sec": float(find(r"^Requests/sec:\s+([\d.]+)")[1]),
        "requests": int(find(r"^\s+(\d+) requests in ")[1]),
        "p50_ms": percentiles[50],
        "p99_ms": percentiles[99],
        "non_2xx": int(non_2xx[1]) if non_2xx else 0,
        "socket_errors": dict(
            zip(("connect", "read", "write", "timeout"), map(int, errors.groups()), strict=True)
        )
        if errors
        else {"connect": 0, "read": 0, "write": 0, "timeout": 0},
    }


def wrk(url, connections, duration):
    cmd = ["wrk", "--threads", WRK_THREADS, "--connections", connections]
    cmd += ["--duration", duration, "--timeout", WRK_TIMEOUT, "--latency", url]
    result = subprocess.run(
        [str(part) for part in cmd], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BenchError(f"wrk failed ({result.returncode}) on {url}: {result.stderr.strip()}")
    return parse_wrk(result.stdout)


def group_cpu_seconds(pgid):
    """User + system CPU time of every process in a process group (Linux /proc)."""
    ticks = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # Fields after "(comm)": state ppid pgrp ... utime stime cutime cstime (proc(5)).
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid:
            ticks += sum(int(value) for value in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def drain(child, port, path, timeout=300):
    """Wait out the requests still queued in the server when wrk stops: servers finish
    requests whose client has gone, and that backlog would eat into the next run. One GET
    must get an answer, then the server's processes must stop using CPU (a server with many
    threads answers that GET while older requests are still running)."""
    started = time.monotonic()
    try:
        http_get(port, path, timeout=timeout)
    except (OSError, http.client.HTTPException) as error:
        raise BenchError(f"{child.name} stopped answering after a wrk run: {error}") from None
    used = group_cpu_seconds(child.proc.pid)
    while time.monotonic() - started < timeout:
        time.sleep(0.25)
        now = group_cpu_seconds(child.proc.pid)
        if now - used < 0.02:  # under 8% of one core: idle
            return time.monotonic() - started
        used = now
    raise BenchError(f"{child.name} was still busy {timeout}s after a wrk run")


def measure(label, child, port, path, connections, args):
    url = f"http://{HOST}:{port}{path}"
    if seconds(args.warmup):
        wrk(url, connections, args.warmup)
        drain(child, port, path)
    row = {"target": label, "path": path, "connections": connections}
    cpu_before = group_cpu_seconds(child.proc.pid)
    row.update(wrk(url, connections, args.duration))
    row["drain_s"] = round(drain(child, port, path), 3)
    # The server also finished the request each connection had in flight when wrk stopped,
    # and the drain request: count them, so CPU time per request is not overstated.
    served = row["requests"] + connections + 1
    cpu = group_cpu_seconds(child.proc.pid) - cpu_before
    row["cpu_ms_per_request"] = round(cpu * 1000 / served, 3)
    print(
        f"  {label:<16} {path:<36} c={connections:<3} {row['requests_per_sec']:>10.1f} req/s"
        f"  {row['cpu_ms_per_request']:>7.2f} CPU ms/req"
        f"  (backlog drained in {row['drain_s']:.2f}s)"
    )
    return row


def summarize(runs):
    """One row from the rounds of one measurement: medians, summed errors, worst drain."""
    first = runs[0]
    row = {key: first[key] for key in ("target", "path", "connections")}
    for key in ("requests_per_sec", "p50_ms", "p99_ms", "cpu_ms_per_request"):
        row[key] = round(statistics.median(run[key] for run in runs), 3)
    row["requests"] = sum(run["requests"] for run in runs)
    row["non_2xx"] = sum(run["non_2xx"] for run in runs)
    row["socket_errors"] = {
        kind: sum(run["socket_errors"][kind] for run in runs) for kind in first["socket_errors"]
    }
    row["drain_s"] = max(run["drain_s"] for run in runs)
    if len(runs) > 1:
        row["rounds_requests_per_sec"] = [run["requests_per_sec"] for run in runs]
    return row


def problems_in(row):
    found = []
    where = f"{row['target']} {row['path']} at {row['connections']} connections"
    if row["non_2xx"]:
        found.append(f"{where}: {row['non_2xx']} non-2xx/3xx responses")
    if any(row["socket_errors"].values()):
        errors = ", ".join(f"{k} {v}" for k, v in row["socket_errors"].items() if v)
        found.append(f"{where}: socket errors ({errors})")
    if not row["requests"]:
        found.append(f"{where}: no request completed")
    return found


# --- report ----------------------------------------------------------------------------------


def add_ratios(rows, nginx_rows):
    baseline = {row["connections"]: row["requests_per_sec"] for row in nginx_rows}
    for row in rows:
        base = baseline.get(row["connections"])
        row["vs_nginx"] = round(row["requests_per_sec"] / base, 6) if base else None


def table(title, rows):
    width = max(len(f"{row['target']} {row['path']}") for row in rows)
    header = f"{'target':<{width}} {'conns':>5} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9}"
    lines = [title, f"  {header} {'vs nginx':>9} {'CPU ms/req':>10}"]
    for row in rows:
        ratio = f"{row['vs_nginx']:.4f}" if row.get("vs_nginx") is not None else "-"
        flag = "  FAILED" if problems_in(row) else ""
        target = f"{row['target']} {row['path']}"
        lines.append(
            f"  {target:<{width}} {row['connections']:>5} {row['requests_per_sec']:>9.1f} "
            f"{row['p50_ms']:>9.2f} {row['p99_ms']:>9.2f} {ratio:>9} "
            f"{row['cpu_ms_per_request']:>10.3f}{flag}"
        )
    return "\n".join(lines)


def git_state():
    """The commit measured, and whether the working tree differed from it."""

    def git(*args):
        result = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False, timeout=20
        )
        return result.stdout.strip() if result.returncode == 0 else None

    try:
        return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain"))}
    except OSError:
        return None


def tool_version(cmd):
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=20)
    except OSError:
        return None
    text = (result.stdout + result.stderr).strip()
    return text.splitlines()[0] if text else None


# --- main ------------------------------------------------------------------------------------


def find_tools(args):
    found = {"wrk": shutil.which("wrk")}
    found["nginx"] = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    missing = [name for name, path in found.items() if not path]
    if missing:
        raise BenchError(f"{' and '.join(missing)} not found; install with: {TOOLS_HINT}")
    needed = ["granian"] + (["gunicorn"] if args.servers else [])
    for name in needed:
        if not (VENV_BIN / name).exists():
            hint = (
                "make install (gunicorn is in the dev lock)" if name == "gunicorn" else "make setup"
            )
            raise BenchError(f"{VENV_BIN / name} not found; run {hint}")
    return found


def run(args, tools, tmp):
    started = datetime.datetime.now(datetime.UTC)
    load_start = os.getloadavg()
    workers = args.workers
    others = [name for name in SERVER_CONFIGS if name != MAIN_SERVER] if args.servers else []
    n_runs = args.rounds * (len(PAGES) + 1 + len(others)) * len(CONNECTIONS)
    estimate = n_runs * (seconds(args.duration) + seconds(args.warmup))
    print(
        f"dearly bench: {n_runs} wrk runs of {args.duration} (+{args.warmup} warm-up), "
        f"about {estimate // 60}m{estimate % 60:02d}s; load average {load_start[0]:.2f}"
    )
    if load_start[0] > 0.5:
        print("warning: the machine is busy (load average above 0.5); figures will be noisy")

    children = []
    try:
        port = args.port or free_port()
        check_port_free(port)
        app = start_server(MAIN_SERVER, port, workers, tmp)
        children.append(app)
        for _, path in PAGES:
            expect_200(port, path, "the server under test")
        print(f"{app.name} on port {port} ({workers} workers)")

        tmp.chmod(0o755)  # nginx's workers may run as an unprivileged user
        www = tmp / "www"
        saved = save_article(port, www)
        nginx_port = free_port()
        nginx = start_nginx(tools["nginx"], nginx_port, tmp, www, saved)
        children.append(nginx)
        print(f"nginx on port {nginx_port}, serving {', '.join(saved)}")

        # Every server stays up (idle when not measured) and each round measures all of
        # them in turn, so that a change in the machine's load falls on all of them.
        servers = {MAIN_SERVER: (app, port)}
        for config in others:
            config_port = free_port()
            child = start_server(config, config_port, workers, tmp)
            children.append(child)
            expect_200(config_port, ARTICLE, child.name)
            servers[config] = (child, config_port)
            print(f"{child.name} on port {config_port} ({workers} workers)")

        plan = [("nginx", "nginx copy", nginx, nginx_port, ARTICLE)]
        plan += [("pages", label, app, port, path) for label, path in PAGES]
        plan += [("servers", config, *servers[config], ARTICLE) for config in others]
        raw = {}
        for round_number in range(1, args.rounds + 1):
            if args.rounds > 1:
                print(f"round {round_number} of {args.rounds}")
            for group, label, child, target_port, path in plan:
                for conns in CONNECTIONS:
                    row = measure(label, child, target_port, path, conns, args)
                    raw.setdefault((group, label, path, conns), []).append(row)
    finally:
        for child in reversed(children):
            child.stop()

    summary = {key: summarize(runs) for key, runs in raw.items()}
    nginx_rows = [row for key, row in summary.items() if key[0] == "nginx"]
    rows = [row for key, row in summary.items() if key[0] == "pages"]
    server_rows = []
    if args.servers:
        for config, (child, _) in servers.items():
            if config == MAIN_SERVER:
                picked = [{**row} for row in rows if row["path"] == ARTICLE]
            else:
                picked = [row for key, row in summary.items() if key[1] == config]
            for row in picked:
                row.update(target=config, server=child.name, command=child.cmd)
                server_rows.append(row)
    add_ratios(nginx_rows + rows + server_rows, nginx_rows)
    # granian-bt1's rows in server_rows are copies of the article rows: check those once.
    others_rows = [row for row in server_rows if row["target"] != MAIN_SERVER]
    problems = [p for row in nginx_rows + rows + others_rows for p in problems_in(row)]
    load_end = os.getloadavg()

    rounds = f", median of {args.rounds} rounds" if args.rounds > 1 else ""
    print()
    print(
        f"{started:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, wrk {WRK_THREADS} threads, "
        f"{args.duration} per run after {args.warmup} warm-up{rounds}, load average "
        f"{load_start[0]:.2f} -> {load_end[0]:.2f}"
    )
    title = f"{app.name}, {workers} workers, vs nginx serving the saved article:"
    print(table(title, nginx_rows + rows))
    if server_rows:
        print()
        title = f"Server configurations on the article page, {workers} workers each:"
        print(table(title, server_rows))
        for config, (child, _) in servers.items():
            print(f"  {config}: {child.name}")

    result = {
        "date": started.isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_average_start": [round(x, 2) for x in load_start],
            "load_average_end": [round(x, 2) for x in load_end],
        },
        "git": git_state(),
        "versions": {
            "wrk": tool_version(["wrk", "-v"]),
            "nginx": tool_version([tools["nginx"], "-v"]),
            "granian": tool_version([str(VENV_BIN / "granian"), "--version"]),
            "gunicorn": tool_version([str(VENV_BIN / "gunicorn"), "--version"])
            if args.servers
            else None,
        },
        "wrk": {
            "threads": WRK_THREADS,
            "duration": args.duration,
            "warmup": args.warmup,
            "timeout": WRK_TIMEOUT,
            "rounds": args.rounds,
        },
        "server": {"name": MAIN_SERVER, "workers": workers, "command": app.cmd},
        "nginx": nginx_rows,
        "pages": rows,
        "servers": server_rows,
        "ok": not problems,
        "problems": problems,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nresults written to {RESULTS.relative_to(ROOT)}")
    if problems:
        print("\nFAILED: wrk counted error responses or socket errors:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    return 0


def _exit_on_signal(signum, _frame):
    print(f"bench: stopped by {signal.Signals(signum).name}", file=sys.stderr)
    raise SystemExit(128 + signum)


def main(argv=None):
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _exit_on_signal)
    signal.signal(signal.SIGHUP, _exit_on_signal)
    return in_scratch_dir("dearly-bench-", lambda tmp: run(args, find_tools(args), tmp))


def in_scratch_dir(prefix, work):
    """Run work(tmp) in a fresh folder, removed afterwards; a BenchError or ^C ends the run
    with one line and an exit code instead of a traceback."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        return work(tmp)
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
