"""What every benchmark in bench/ needs: free ports, a scratch site, the server as `make run`
starts it, nginx serving a saved copy, wrk and its figures, and result tables.

Standard library only, so the scripts run outside Django; work that needs Django runs as a
child process in the server's environment (`python(env, script, ...)`, then `django_setup()`
in the child). Every child process is started in its own process group and stopped with it.
"""

import argparse
import contextlib
import http.client
import json
import os
import re
import secrets
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
RESULTS = ROOT / "bench" / "results"
HOST = "127.0.0.1"
ARTICLE = "/guides/when-you-are-turned-down/"
WRK_THREADS = 2
# wrk's default of 2s would drop slow responses as "timeouts" and leave them out of the
# percentiles; a timeout is still counted and fails the run.
WRK_TIMEOUT = "10s"
TOOLS_HINT = "apt-get install wrk nginx"


class BenchError(Exception):
    """A reason to stop the run, shown as one message."""


# --- arguments -------------------------------------------------------------------------------


def wrk_duration(text, allow_zero=False):
    """A duration wrk accepts: whole seconds, minutes or hours ("10", "10s", "2m", "1h")."""
    match = re.fullmatch(r"(\d+)([smh]?)", str(text).strip())
    if not match or (int(match[1]) == 0 and not allow_zero):
        raise argparse.ArgumentTypeError(f"not a duration like 10s, 2m: {text!r}")
    return f"{int(match[1])}{match[2] or 's'}"


def seconds(duration):
    value, unit = int(duration[:-1]), duration[-1]
    return value * {"s": 1, "m": 60, "h": 3600}[unit]


def positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return value


def port_number(text):
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port out of range: {port}")
    return port


def env_flag(name):
    return os.environ.get(name, "").strip().lower() in {"1", "yes", "true", "on"}


def add_wrk_args(parser, rounds=True):
    """--duration, --warmup and --rounds, defaulting to BENCH_DURATION, BENCH_WARMUP and
    BENCH_ROUNDS, so `BENCH_DURATION=2s make bench` shortens every benchmark at once."""
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
    if rounds:
        parser.add_argument(
            "--rounds",
            type=positive_int,
            default=os.environ.get("BENCH_ROUNDS") or "1",
            help="measure this many times, interleaved, and report medians "
            "(env BENCH_ROUNDS; default 1)",
        )


def add_database_arg(parser):
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL") or None,
        help="a PostgreSQL server (postgres://user@host:port/db) to create a throwaway "
        "database on (env BENCH_DATABASE_URL); default: SQLite in a temporary directory",
    )


def check_database_arg(parser, args):
    if args.database_url and not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error(f"--database-url must be a postgres:// URL, not {args.database_url!r}")


# --- child processes -------------------------------------------------------------------------


class Child:
    """A process started in its own session, so that stopping it stops its workers too."""

    def __init__(self, name, cmd, log_path, env=None, cwd=ROOT):
        self.name = name
        self.cmd = [str(part) for part in cmd]
        self.log_path = log_path
        with log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                self.cmd,
                cwd=cwd,
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


class Children(contextlib.ExitStack):
    """`with Children() as children:` stops every child started through it, last first."""

    def start(self, *args, **kwargs):
        child = Child(*args, **kwargs)
        self.callback(child.stop)
        return child


def python(env, *args, timeout=None, root=ROOT):
    """Run a Python script of the project (of the checkout `root`) in `env`; its output."""
    result = subprocess.run(
        [str(VENV_BIN / "python"), *map(str, args)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise BenchError(f"{' '.join(map(str, args))} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def django_setup():
    """In a child run by python(): Django configured as the server is."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dearly.settings.dev")
    sys.path.insert(0, os.getcwd())  # the checkout python() ran us in, which may be another
    import django

    django.setup()


# --- ports and HTTP --------------------------------------------------------------------------


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


def http_get(port, path, cookie=None, timeout=30):
    """GET without following redirects or using proxies: (status, headers, body)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        return response.status, response, response.read()
    finally:
        conn.close()


def expect_200(port, path, what, cookie=None):
    status, _, body = http_get(port, path, cookie)
    if status != 200:
        raise BenchError(f"{what}: GET {path} answered {status}, expected 200")
    return body


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


def expect_cache_hits(port, path):
    """Every worker has the page: a run of fresh connections all answered from the cache."""
    for _ in range(20):
        http_get(port, path)
    states = []
    for _ in range(10):
        status, response, _ = http_get(port, path)
        states.append((status, response.getheader("X-Page-Cache")))
    if states != [(200, "hit")] * 10:
        raise BenchError(f"{path} is not answered from the page cache: {states}")


# --- the site and its server -----------------------------------------------------------------


def server_env():
    """The environment of `make run`, pinned to the dev settings with DEBUG off."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("GRANIAN_") and key not in {"GUNICORN_CMD_ARGS", "DEBUG"}
    }
    env["DJANGO_SETTINGS_MODULE"] = "dearly.settings.dev"
    return env


def scratch_site(tmp, port, database_url=None, root=ROOT, **extra_env):
    """The environment of a `make run` server on a fresh database (SQLite in `tmp`, or the
    PostgreSQL database `database_url`), migrated and loaded with the demo by the checkout
    `root`; var/ is never touched. Per-IP limits are lifted (DEARLY_LOADTEST)."""
    env = server_env()
    env.update(
        DATABASE_URL=database_url or f"sqlite:///{tmp / 'bench.sqlite3'}",
        DEARLY_VAR_DIR=str(tmp),
        SITE_URL=f"http://{HOST}:{port}",
        DEARLY_LOADTEST="1",
        **extra_env,
    )
    for step in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        python(env, "manage.py", *step, root=root)
    python(env, "manage.py", "load_demo", root=root)
    return env


def site_data(env, command, *args, root=ROOT, timeout=None):
    """Run bench/site_data.py COMMAND (this checkout's script) on the site of `env` with the
    code of the checkout `root`: what it printed, as JSON."""
    out = python(env, ROOT / "bench" / "site_data.py", command, *args, root=root,
                 timeout=timeout)  # fmt: skip
    return json.loads(out.strip().splitlines()[-1])


def commented_article(env, readers, root=ROOT):
    """300 approved comments on the article and `readers` logged-in sessions:
    {page_id, sessions, comments}."""
    return site_data(env, "prepare", readers, root=root)


class Postgres:
    """A new database on the given server for this run, dropped afterwards."""

    def __init__(self, url):
        import psycopg  # from the project's venv: only --database-url needs it

        self.psycopg = psycopg
        self.admin_url = url
        self.name = f"dearly_bench_{secrets.token_hex(4)}"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        self.url = urlsplit(url)._replace(path=f"/{self.name}").geturl()

    def drop(self):
        with self.psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@contextlib.contextmanager
def database(url):
    """A throwaway PostgreSQL database's URL on the server `url`, or None for SQLite."""
    if not url:
        yield None
        return
    db = Postgres(url)
    try:
        yield db.url
    finally:
        db.drop()


def granian_cmd(port, workers=2, blocking_threads=1):
    """granian as `make run` starts it (blocking_threads=None: granian's default)."""
    cmd = [VENV_BIN / "granian", "--interface", "wsgi", "--host", HOST, "--port", port]
    cmd += ["--workers", workers]
    if blocking_threads is not None:
        cmd += ["--blocking-threads", blocking_threads]
    return [*cmd, "--no-ws", "dearly.wsgi:application"]


def gunicorn_cmd(port, workers=2):
    return [VENV_BIN / "gunicorn", "--bind", f"{HOST}:{port}", "--workers", workers,
            "--worker-class", "sync", "dearly.wsgi:application"]  # fmt: skip


def start_server(children, env, port, tmp, path="/", workers=2, cmd=None, name="granian",
                 root=ROOT):  # fmt: skip
    """The server (default: granian as `make run`) on `port`, answering `path`."""
    cmd = cmd or granian_cmd(port, workers)
    log = tmp / (re.sub(r"[^\w.]+", "-", name) + f"-{port}.log")
    child = children.start(name, cmd, log, env=env, cwd=root)
    wait_until_answers(child, port, path)
    return child


# --- nginx serving a saved copy --------------------------------------------------------------


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


def save_page(port, www, path=ARTICLE, cookie=None):
    """Save a page as the server answers it (to `cookie`'s reader) and its same-site
    stylesheets under www/, at the same paths: {path: bytes saved}."""
    html = expect_200(port, path, "saving the page", cookie)
    write_public(www / path.strip("/") / "index.html", html)
    parser = StylesheetLinks()
    parser.feed(html.decode("utf-8", errors="replace"))
    saved = {path: len(html)}
    for href in parser.hrefs:
        url = urlsplit(href)
        if url.scheme or url.netloc or not url.path.startswith("/"):
            continue
        css = expect_200(port, url.path, "saving the page's CSS")
        write_public(www / url.path.lstrip("/"), css)
        saved[url.path] = len(css)
    if len(saved) == 1:
        print("warning: the page links no local stylesheet; saved the HTML only")
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


def find_nginx():
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if not (found and shutil.which("wrk")):
        raise BenchError(f"wrk and nginx are needed: {TOOLS_HINT}")
    return found


def nginx_copy(children, tmp, app_port, path=ARTICLE, cookie=None):
    """nginx on a free port serving the page `path` as the app on `app_port` answers it:
    (child, port, saved {path: bytes})."""
    tmp.chmod(0o755)  # nginx's workers may run as an unprivileged user
    www = tmp / "www"
    saved = save_page(app_port, www, path, cookie)
    port = free_port()
    prefix = tmp / "nginx"
    prefix.mkdir()
    conf = prefix / "nginx.conf"
    conf.write_text(NGINX_CONF.format(prefix=prefix, host=HOST, port=port, www=www))
    cmd = [find_nginx(), "-c", conf, "-p", f"{prefix}/", "-e", prefix / "error.log"]
    child = children.start("nginx", cmd, tmp / "nginx.out")
    try:
        wait_until_answers(child, port, path)
        for saved_path, size in saved.items():
            body = expect_200(port, saved_path, "nginx serving the saved copy")
            if len(body) != size:
                raise BenchError(f"nginx served {len(body)} bytes for {saved_path}, saved {size}")
    except BenchError as error:
        error_log = (prefix / "error.log").read_text(errors="replace") if conf.exists() else ""
        raise BenchError(f"{error}\nnginx error log:\n{error_log[-2000:]}") from None
    return child, port, saved


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
    kinds = ("connect", "read", "write", "timeout")
    return {
        "requests_per_sec": float(find(r"^Requests/sec:\s+([\d.]+)")[1]),
        "requests": int(find(r"^\s+(\d+) requests in ")[1]),
        "p50_ms": percentiles[50],
        "p99_ms": percentiles[99],
        "non_2xx": int(non_2xx[1]) if non_2xx else 0,
        "socket_errors": dict(zip(kinds, map(int, errors.groups()) if errors else [0] * 4,
                                  strict=True)),
    }  # fmt: skip


def wrk(port, path, connections, duration, cookie=None):
    cmd = ["wrk", "--threads", WRK_THREADS, "--connections", connections]
    cmd += ["--duration", duration, "--timeout", WRK_TIMEOUT, "--latency"]
    if cookie:
        cmd += ["--header", f"Cookie: {cookie}"]
    url = f"http://{HOST}:{port}{path}"
    result = subprocess.run([*map(str, cmd), url], capture_output=True, text=True, check=False)
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


def measure(label, child, port, path, connections, args, cookie=None, quiet=False):
    """One wrk run of args.duration after args.warmup, with the backlog drained after each:
    wrk's figures, plus the server's CPU time per request."""
    if seconds(args.warmup):
        wrk(port, path, connections, args.warmup, cookie)
        drain(child, port, path)
    row = {"target": label, "path": path, "connections": connections}
    cpu_before = group_cpu_seconds(child.proc.pid)
    row.update(wrk(port, path, connections, args.duration, cookie))
    row["drain_s"] = round(drain(child, port, path), 3)
    # The server also finished the request each connection had in flight when wrk stopped,
    # and the drain request: count them, so CPU time per request is not overstated.
    served = row["requests"] + connections + 1
    cpu = group_cpu_seconds(child.proc.pid) - cpu_before
    row["cpu_ms_per_request"] = round(cpu * 1000 / served, 3)
    if not quiet:
        print(
            f"  {label:<16} {path:<36} c={connections:<3} {row['requests_per_sec']:>10.1f} "
            f"req/s  p99 {row['p99_ms']:>8.2f} ms  {row['cpu_ms_per_request']:>7.2f} CPU ms/req"
            f"  (backlog drained in {row['drain_s']:.2f}s)"
        )
    return row


# --- results ---------------------------------------------------------------------------------


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


def add_ratios(rows, baseline_rows, key="vs_nginx"):
    """Each row's requests/s over the baseline's at the same connection count."""
    baseline = {row["connections"]: row["requests_per_sec"] for row in baseline_rows}
    for row in rows:
        base = baseline.get(row["connections"])
        row[key] = round(row["requests_per_sec"] / base, 6) if base else None


def table(title, rows, ratio="vs_nginx"):
    """Rows of measure()/summarize() as a table, with the ratio to the baseline."""
    width = max(len(f"{row['target']} {row['path']}") for row in rows)
    header = f"{'target':<{width}} {'conns':>5} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9}"
    lines = [title, f"  {header} {ratio.replace('_', ' '):>9} {'CPU ms/req':>10}"]
    for row in rows:
        value = f"{row[ratio]:.4f}" if row.get(ratio) is not None else "-"
        flag = "  FAILED" if problems_in(row) else ""
        target = f"{row['target']} {row['path']}"
        lines.append(
            f"  {target:<{width}} {row['connections']:>5} {row['requests_per_sec']:>9.1f} "
            f"{row['p50_ms']:>9.2f} {row['p99_ms']:>9.2f} {value:>9} "
            f"{row['cpu_ms_per_request']:>10.3f}{flag}"
        )
    return "\n".join(lines)


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))] if values else None


def load_average():
    return round(os.getloadavg()[0], 2)


def write_results(name, data):
    """bench/results/<name> (gitignored), as indented JSON."""
    path = RESULTS / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n")
    print(f"results written to {path.relative_to(ROOT)}")
    return path


def git_state(root=ROOT):
    """The commit measured, and whether the working tree differed from it."""

    def git(*args):
        result = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, check=False, timeout=20
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


# --- running a benchmark ---------------------------------------------------------------------


def _exit_on_signal(signum, _frame):
    print(f"bench: stopped by {signal.Signals(signum).name}", file=sys.stderr)
    raise SystemExit(128 + signum)


def in_scratch_dir(prefix, work):
    """Run work(tmp) in a fresh folder, removed afterwards; a BenchError or ^C ends the run
    with one line and an exit code instead of a traceback, and SIGTERM stops every child."""
    signal.signal(signal.SIGTERM, _exit_on_signal)
    signal.signal(signal.SIGHUP, _exit_on_signal)
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


def main(run, inner=None):
    """A benchmark's entry point: `script.py inner-NAME ARGS` runs inner[NAME](*ARGS) (in a
    child with the server's environment), anything else run(argv)."""
    if inner and len(sys.argv) > 1 and sys.argv[1] in inner:
        inner[sys.argv[1]](*sys.argv[2:])
        sys.exit(0)
    sys.exit(run(sys.argv[1:]))
