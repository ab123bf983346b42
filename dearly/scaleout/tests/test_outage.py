"""Redis, then PostgreSQL, go away under load and come back: readers and writers get a clear
503 (or, with Redis gone, no change at all), the site recovers by itself, and every comment
that was answered with a redirect is in the database once.

The app server gets its own PostgreSQL and Redis (.ci/services.sh on free ports, filled with a
copy of the test database), so stopping them does not disturb the other test worker."""

import os
import shutil
import subprocess
import threading
import time

from django.conf import settings
from django.test import Client

import psycopg
import pytest
import requests

from dearly.comments.tests.helpers import make_reader

from .servers import app_server, database_url, free_port, server_env

PGBIN = os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin")
REDIS_AWAY, DATABASE_AWAY = 4, 10  # seconds
WROTE = (303,)


def _services_available():
    return all(shutil.which(p) for p in ("pg_dump", "psql", "redis-server", "redis-cli")) and (
        os.path.exists(f"{PGBIN}/pg_ctl")
    )


pytestmark = [
    pytest.mark.servers,
    pytest.mark.skipif(
        not (
            settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
            and settings.REDIS_URL
            and _services_available()
        ),
        reason="runs in CI's PostgreSQL + Redis run (DATABASE_URL=postgres://…, REDIS_URL=…, "
        "with PostgreSQL 15 server binaries, pg_dump and redis-server installed)",
    ),
]


class Services:
    """A private PostgreSQL and Redis, driven through .ci/services.sh."""

    def __init__(self):
        self.env = {**os.environ, "PG_PORT": str(free_port()), "REDIS_PORT": str(free_port())}
        self.env["SVC_DIR"] = self.sh("services_start >/dev/null && echo $SVC_DIR").strip()
        self.database = f"postgres://postgres@127.0.0.1:{self.env['PG_PORT']}/postgres"
        self.redis = f"redis://127.0.0.1:{self.env['REDIS_PORT']}/0"

    def sh(self, command):
        return subprocess.run(
            ["bash", "-c", f"source .ci/services.sh && {command}"],
            cwd=settings.BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
            timeout=90,
        ).stdout


@pytest.fixture
def services():
    running = Services()
    yield running
    running.sh("services_stop")


class Load:
    """A reader and a comment writer, each in a loop, recording every answer."""

    def __init__(self, base, page_path, post_path, cookies, csrf):
        self.base, self.page_path, self.post_path = base, page_path, post_path
        self.cookies, self.csrf = cookies, csrf
        self.records = []  # (kind, started, ended, status, comment body or None)
        self.bad_503s = []
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.read), threading.Thread(target=self.write)]

    def _record(self, kind, started, response, body=None):
        status = response.status_code if response is not None else "no answer"
        if status == 503 and (
            response.headers.get("Retry-After") is None
            or "We'll be right back" not in response.text
            or "Traceback" in response.text
        ):
            self.bad_503s.append(response.text[:300])
        self.records.append((kind, started, time.monotonic(), status, body))

    def _loop(self, kind, send):
        http = requests.Session()
        http.cookies.update(self.cookies if kind == "write" else {})
        n = 0
        while not self.stopping.is_set():
            n += 1
            started = time.monotonic()
            try:
                response, body = send(http, n)
            except requests.RequestException:
                response, body = None, None
            self._record(kind, started, response, body)
            time.sleep(0.05)

    def read(self):
        self._loop("read", lambda http, n: (http.get(self.base + self.page_path, timeout=15), None))

    def write(self):
        def post(http, n):
            body = f"Outage note number {n}, still here."
            data = {"csrfmiddlewaretoken": self.csrf, "body": body, "parent": "", "website": ""}
            url = self.base + self.post_path
            return http.post(url, data=data, allow_redirects=False, timeout=15), body

        self._loop("write", post)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def between(self, start, end, kind=None):
        return [r for r in self.records if start <= r[1] and r[2] <= end and kind in (None, r[0])]


def outage(services, stop, start, seconds):
    began = time.monotonic()
    services.sh(stop)
    down = time.monotonic()
    time.sleep(seconds)
    restarting = time.monotonic()
    services.sh(start)
    return began, down, restarting, time.monotonic()


def test_redis_and_database_outages_give_503s_then_recover_without_losing_writes(
    committed, services
):
    letter = committed["letter"]
    writer = make_reader("steady")
    browser = Client()
    browser.force_login(writer)
    session_cookie = browser.cookies[settings.SESSION_COOKIE_NAME].value
    # The server's database: a copy of the test database in the private PostgreSQL.
    dump = subprocess.run(
        ["pg_dump", "--no-owner", "--no-privileges", database_url()],
        capture_output=True,
        check=True,
    )
    subprocess.run(
        ["psql", "-q", "-v", "ON_ERROR_STOP=1", services.database],
        input=dump.stdout,
        capture_output=True,
        check=True,
    )

    with app_server(server_env(services.database, services.redis)) as server:
        http = requests.Session()
        http.cookies.set(settings.SESSION_COOKIE_NAME, session_cookie)
        assert "Leave a Reply" in http.get(server.url + letter.url, timeout=15).text
        cookies = {**http.cookies.get_dict()}
        post_path = f"/comments/post/{letter.pk}/"
        with Load(server.url, letter.url, post_path, cookies, cookies["csrftoken"]) as load:
            time.sleep(2)
            redis = outage(services, "redis_stop", "redis_start", REDIS_AWAY)
            time.sleep(3)
            database = outage(services, "pg_stop", "pg_start", DATABASE_AWAY)
            time.sleep(4)
        output = server.output()

    records = load.records
    statuses = {r[3] for r in records}
    assert statuses <= {200, 303, 503}, (statuses, output)
    assert load.bad_503s == []
    # Before anything went away, and once both were back for two seconds: all well.
    assert {r[3] for r in load.between(0, redis[0])} <= {200, 303}
    after = load.between(database[3] + 2, float("inf"))
    assert after and {r[3] for r in after} <= {200, 303}, output
    # Redis away: the cache and session copies are skipped, nothing else changes.
    without_redis = load.between(redis[1], redis[2])
    assert without_redis and {r[3] for r in without_redis} <= {200, 303}, output
    # Database away: every comment is refused with a 503 (pages may still come from the cache).
    without_database = load.between(database[1], database[2], "write")
    assert without_database and {r[3] for r in without_database} == {503}
    # Every comment answered with a redirect is stored, once.
    accepted = [r[4] for r in records if r[0] == "write" and r[3] in WROTE]
    with psycopg.connect(services.database) as db:
        stored = dict(
            db.execute(
                "select body, count(*) from comments_comment where body like %s group by body",
                ["Outage note %"],
            ).fetchall()
        )
    assert accepted and all(stored.get(body) == 1 for body in accepted)
    assert max(stored.values()) == 1
