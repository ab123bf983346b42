"""Both stores keep the same promise: an entry is valid until one of its tags is bumped, for
every process that shares the store. Redis runs as a real server started here."""

import os
import shutil
import signal
import socket
import subprocess
import time

import pytest

from dearly.core.invalidation.store import RedisStore, SQLiteStore, Stored


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server not found (apt-get install redis-server)")
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                os.killpg(proc.pid, signal.SIGKILL)
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=10)


@pytest.fixture(params=["sqlite", "redis"])
def make_store(request, tmp_path):
    """Builds independent handles on one shared store, as separate processes would have."""
    if request.param == "sqlite":
        return lambda: SQLiteStore(tmp_path / "pagecache", max_entries=20)
    url = request.getfixturevalue("redis_url")
    prefix = f"test:{tmp_path.name}"
    return lambda: RedisStore(url, prefix, max_entries=20, ttl=60)


def stored(url, tags, g0, body=b"<p>hello</p>"):
    return Stored(url, [("Content-Type", "text/html")], body, tags, g0, time.time())


def test_an_entry_is_valid_until_one_of_its_tags_is_bumped_anywhere(make_store):
    writer, reader = make_store(), make_store()
    g0 = writer.generation()
    writer.put("k", stored("http://x/a/", ["page:1", "pages"], g0))

    found = reader.get("k")
    assert found.body == b"<p>hello</p>"
    assert found.headers == [("Content-Type", "text/html")]
    assert reader.newest_version(found.tags) <= found.g0  # valid

    reader.bump(["page:2"])  # unrelated
    assert writer.newest_version(found.tags) <= found.g0
    assert writer.generation() > g0  # everyone re-checks
    writer.bump(["page:1"])
    assert reader.newest_version(found.tags) > found.g0  # stale for every process


def test_clear_invalidates_everything_stored_before(make_store):
    store = make_store()
    g0 = store.generation()
    store.put("k", stored("http://x/a/", ["page:1"], g0))
    store.clear()
    assert store.get("k") is None
    assert store.newest_version(["page:1"]) > g0  # a copy kept in memory is stale too


def test_a_store_that_lost_its_data_invalidates_what_workers_kept_from_before(make_store, tmp_path):
    """Redis restarted without persistence, or var/pagecache removed: bumps may have been lost
    with it, so nothing a worker still holds from before may be served."""
    store = make_store()
    store.bump(["page:1"])
    g0 = store.generation()
    store.put("k", stored("http://x/a/", ["page:1"], g0))
    kept = store.get("k")  # a worker's copy in memory
    if isinstance(store, RedisStore):
        store.client.flushdb()
    else:
        shutil.rmtree(tmp_path / "pagecache")
    fresh = make_store()  # as a worker opening the store anew
    assert fresh.generation() > g0
    assert fresh.newest_version(kept.tags) > kept.g0


def test_the_number_of_entries_stays_bounded(make_store):
    store = make_store()
    for n in range(store.TRIM_EVERY * 3):
        store.put(f"k{n}", stored(f"http://x/{n}/", ["pages"], 0))
    assert store.count() <= store.max_entries + store.TRIM_EVERY
    assert store.get(f"k{store.TRIM_EVERY * 3 - 1}") is not None  # the newest are kept


def test_urls_for_a_tag_are_what_a_cdn_purge_needs(make_store):
    store = make_store()
    store.put("a", stored("http://x/a/", ["page:1", "pages"], 0))
    store.put("b", stored("http://x/b/", ["page:2", "pages"], 0))
    assert store.urls_for(["page:1"]) == ["http://x/a/"]
    assert store.urls_for(["pages"]) == ["http://x/a/", "http://x/b/"]


def test_an_unreachable_redis_is_a_store_error_not_a_crash():
    from dearly.core.invalidation.store import StoreError

    store = RedisStore(f"redis://127.0.0.1:{free_port()}/0", "gone", max_entries=10, ttl=60)
    with pytest.raises(StoreError):
        store.generation()


def test_pages_are_cached_and_refreshed_through_redis(settings, site_tree, redis_url, tmp_path):
    from dearly.core.invalidation.store import get_store, reset_store
    from dearly.testing import make_article

    from .helpers import Reader

    settings.PAGECACHE_REDIS_URL = redis_url
    settings.PAGECACHE_KEY_PREFIX = f"test:{tmp_path.name}"
    reset_store()
    try:
        assert isinstance(get_store(), RedisStore)
        guide = make_article(site_tree["guides"], title="Asking for a raise", slug="raise")
        one, two = Reader(), Reader()  # two workers, or two app servers
        assert one.get("/guides/raise/").cache == "miss"
        assert two.get("/guides/raise/").cache == "hit"  # stored by the other one
        guide.title = "Asking for a pay rise"
        guide.save_revision().publish()
        for reader in (one, two):
            assert "Asking for a pay rise" in reader.get("/guides/raise/").text
    finally:
        reset_store()


def test_pages_are_served_uncached_while_the_store_is_away(site_tree):
    from django.core.handlers.wsgi import WSGIHandler

    from dearly.pagecache.wsgi import PageCache
    from dearly.testing import make_article

    from .helpers import Reader

    make_article(site_tree["guides"], title="Asking for a raise", slug="raise")
    reader = Reader()
    gone = RedisStore(f"redis://127.0.0.1:{free_port()}/0", "gone", max_entries=10, ttl=60)
    reader.app = PageCache(WSGIHandler(), store=gone)
    for _ in range(2):
        answer = reader.get("/guides/raise/")
        assert (answer.status_code, answer.cache) == (200, None)
        assert "Asking for a raise" in answer.text


def test_a_forked_worker_uses_its_own_handles_on_the_same_store(tmp_path):
    store = SQLiteStore(tmp_path / "pagecache", max_entries=10)
    before = store.generation()
    pid = os.fork()
    if pid == 0:  # the child, as a server's worker process
        try:
            store.bump(["page:1"])
        finally:
            os._exit(0 if store.generation() > before else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert store.generation() > before
    assert store.newest_version(["page:1"]) > before
