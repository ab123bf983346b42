"""The production server (granian, two worker processes, as `make run` starts it) in front of
the test database: a change made in this process is served by every worker on the next
request."""

import http.client
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection

import pytest

from dearly.comments.services import moderate
from dearly.comments.tests.helpers import make_comment, make_reader
from dearly.testing import make_article, make_site_tree, make_topic

GRANIAN = Path(__file__).resolve().parents[3] / ".venv" / "bin" / "granian"
REQUESTS = 12  # new connections each: both workers answer some of them


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url():
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{db['NAME']}").geturl()


def get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.getheader("X-Page-Cache"), response.read().decode()
    finally:
        conn.close()


@pytest.fixture
def server(transactional_db):
    if not GRANIAN.exists():
        pytest.skip(f"{GRANIAN} not found (make install)")
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dearly.settings.test",
        "DATABASE_URL": database_url(),
        "DEARLY_PAGECACHE_DIR": str(settings.PAGECACHE_DIR),
    }
    cmd = [GRANIAN, "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--workers", "2", "--blocking-threads", "1", "--no-ws", "dearly.wsgi:application"]
    proc = subprocess.Popen(
        [str(part) for part in cmd],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            get(port, "/robots.txt")
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                os.killpg(proc.pid, signal.SIGKILL)
                pytest.fail(f"granian did not start:\n{proc.stdout.read().decode()[-2000:]}")
            time.sleep(0.2)
    yield port
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def read_all(port, path):
    """REQUESTS fresh connections: (statuses, cache states, bodies)."""
    answers = [get(port, path) for _ in range(REQUESTS)]
    return [a[0] for a in answers], [a[1] for a in answers], [a[2] for a in answers]


def test_every_worker_serves_a_change_made_in_another_process_on_the_next_request(server):
    tree = make_site_tree()
    career = make_topic("Career")
    guide = make_article(tree["guides"], title="Asking for a raise", slug="raise", topics=[career])
    path = "/guides/raise/"

    statuses, states, bodies = read_all(server, path)
    assert set(statuses) == {200}
    assert states.count("hit") >= REQUESTS - 2  # at most one miss per worker
    assert all("Asking for a raise" in body for body in bodies)
    read_all(server, "/")

    guide.title = "Asking for a pay rise"
    guide.save_revision().publish()
    _, _, bodies = read_all(server, path)
    assert all("Asking for a pay rise" in body for body in bodies)
    _, _, bodies = read_all(server, "/")
    assert all("Asking for a pay rise" in body for body in bodies)

    comment = make_comment(guide, make_reader("ada"), body="Put it in writing.", status="pending")
    moderate([comment], "approve")
    _, _, bodies = read_all(server, path)
    assert all("Put it in writing." in body for body in bodies)

    career.name = "Careers and pay"
    career.save()
    _, states, bodies = read_all(server, path)
    assert all("Careers and pay" in body for body in bodies)
    assert "hit" in states  # cached again after the first request of each worker
