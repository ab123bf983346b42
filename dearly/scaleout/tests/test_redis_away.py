"""A real Redis server stopped and started again under the cache: while it is away the cache
acts as empty instead of failing requests, and it is used again once it is back."""

import logging
import shutil
import subprocess
import time

from django.test import Client, override_settings

import pytest

from dearly.scaleout import cache as tolerant

from .servers import free_port

pytestmark = [
    pytest.mark.servers,
    pytest.mark.skipif(
        not shutil.which("redis-server"), reason="needs redis-server (apt-get install redis-server)"
    ),
]


class RedisServer:
    def __init__(self, directory):
        self.port, self.directory, self.process = free_port(), directory, None

    def start(self):
        self.process = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.directory)),
            ],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(100):
            if subprocess.run(
                ["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True
            ).stdout.startswith("PONG"):
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()


def test_the_cache_acts_as_empty_while_redis_is_away_and_recovers(
    redis_server, monkeypatch, caplog
):
    monkeypatch.setattr(tolerant, "RETRY_AFTER_SECONDS", 0.2)
    store = tolerant.TolerantRedisCache(
        f"redis://127.0.0.1:{redis_server.port}/0",
        {"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}},
    )
    store.set("counter", 1)
    assert store.get("counter") == 1

    redis_server.stop()
    caplog.set_level(logging.WARNING, logger="dearly.scaleout.cache")
    assert store.get("counter", "missing") == "missing"
    store.set("counter", 2)  # dropped, no error
    assert store.add("other", 1) is False
    assert store.get_many(["counter", "other"]) == {}
    assert store.delete("counter") is False
    with pytest.raises(ValueError, match="Redis unreachable"):
        store.incr("counter")
    # One warning per outage, not one per call.
    assert sum("Redis unreachable" in r.getMessage() for r in caplog.records) == 1

    redis_server.start()
    time.sleep(0.3)
    assert store.get("counter", "missing") == "missing"  # a fresh Redis: empty, and reachable
    store.set("counter", 3)
    assert store.get("counter") == 3
    assert "Redis reachable again" in caplog.text


def test_a_redis_failure_inside_a_middleware_becomes_the_503_page(redis_server):
    """Django's own RedisCache raises; a middleware using it (here the per-site cache) fails
    before any view runs, and the reader still gets the 503 page rather than a 500."""
    redis_server.stop()
    with override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{redis_server.port}/0",
            }
        },
        MIDDLEWARE=[
            "dearly.scaleout.middleware.ServiceUnavailableMiddleware",
            "django.middleware.cache.FetchFromCacheMiddleware",
        ],
    ):
        # Django's test client re-raises what it sees logged; a browser would get the page.
        response = Client(raise_request_exception=False).get("/robots.txt")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "no-store" in response["Cache-Control"]
    assert "We'll be right back" in response.content.decode()
    assert "Traceback" not in response.content.decode()
