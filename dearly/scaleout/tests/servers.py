"""Real app servers for the scale-out tests: granian started as `make run` starts it, pointed at
the test database, plus a small cookie-keeping HTTP client."""

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

import requests

VENV_BIN = Path(sys.executable).parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url():
    """The URL of the database this test run uses (pytest-django's test database)."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    return f"postgres://{user}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"


def server_env(database, redis=None, **extra):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dearly.settings.test",
        "DATABASE_URL": database,
        "DEARLY_LOADTEST": "1",  # the clients below post faster than a reader's rate limit
        # One page cache for the test and its servers, as every process on a machine shares it
        # (in Redis when REDIS_URL is set, under a name derived from this directory).
        "DEARLY_PAGECACHE_DIR": str(settings.PAGECACHE_DIR),
        **extra,
    }
    env.pop("REDIS_URL", None)
    if redis:
        env["REDIS_URL"] = redis
    return env


def _tail(log, size=4000):
    log.seek(0)
    return log.read().decode(errors="replace")[-size:]


class Server:
    def __init__(self, url, log):
        self.url, self._log = url, log

    def output(self):
        """The end of the server's own log, to show when an assertion fails."""
        return _tail(self._log)


@contextlib.contextmanager
def app_server(env, startup_timeout=60):
    """One granian server (1 worker, as many threads as `make run` gives each worker)."""
    port = free_port()
    # A file, not a pipe: a full pipe would block the server once it logs enough.
    log = tempfile.TemporaryFile()  # noqa: SIM115  # closed below
    command = [str(VENV_BIN / "granian"), "--interface", "wsgi", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", "1", "--blocking-threads", "1", "--no-ws"]
    process = subprocess.Popen(
        [*command, "dearly.wsgi:application"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            try:
                requests.get(base + "/robots.txt", timeout=5)
                break
            except requests.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"granian did not start: {_tail(log)}") from None
                time.sleep(0.2)
        yield Server(base, log)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def csrf_token(http):
    return http.cookies.get("csrftoken")


def log_in(http, base, email, password):
    """Log in through allauth's form, as a person would."""
    form = http.get(base + "/accounts/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    answer = http.post(
        base + "/accounts/login/",
        data={"csrfmiddlewaretoken": token, "login": email, "password": password},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text[:500]
    return answer


def have(*programs):
    return all(shutil.which(p) for p in programs)
