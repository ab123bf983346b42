"""Shared pytest fixtures: the page tree, and Chromium for the browser tests."""

import fcntl
import hashlib
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

# Playwright's sync API runs an event loop in the test thread; without this the ORM refuses to
# work in browser tests (SynchronousOnlyOperation).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

from wagtail.models import Page

import pytest
from playwright.sync_api import expect

from dearly import testing

# Two shared cores in CI: give browser assertions (JS fetches, server round trips) more than
# Playwright's 5 s before calling them failures.
expect.set_options(timeout=15_000)

CHROMIUM_BIN = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps dialling out on a closed network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _is_transactional(item):
    marker = item.get_closest_marker("django_db")
    return bool(
        {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
        or (marker and marker.kwargs.get("transaction"))
    )


def _load_migrated_rows_if_flushed(rows):
    if not Page.objects.exists():
        # Empty what is left and load the rows exactly as the migrations left them. Sequences
        # are not reset (as in Django's own serialized rollback), or PostgreSQL would hand
        # out the restored rows' ids again.
        tables = connection.introspection.django_table_names(only_existing=True)
        connection.ops.execute_sql_flush(
            connection.ops.sql_flush(no_style(), tables, allow_cascade=True)
        )
        connection.creation.deserialize_db_from_string(rows)


# Fixtures that start another process (in test files whose owners mark them by fixture).
PROCESS_FIXTURES = {"server", "redis_url", "redis_server", "committed"}


@pytest.hookimpl(tryfirst=True)  # before `-m` selects: the marks added here count
def pytest_collection_modifyitems(config, items):
    """Transactional tests (live_server, other processes reading committed rows) end with a
    flush of the database. pytest-django already runs them after the ordinary tests, as
    Django's runner does; here they get serialized rollback, and tests on a fixture that starts
    another process get the `servers` mark (`make test-fast` leaves them out)."""
    for item in items:
        if PROCESS_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.servers)
        if _is_transactional(item):
            # Serialized rollback: the flush at the end then leaves post_migrate out, so the
            # content types keep their ids when the migrations' rows are put back.
            serialized = pytest.mark.django_db(transaction=True, serialized_rollback=True)
            item.add_marker(serialized, append=False)


_snapshot = {}  # the migrations' rows once a transactional test has asked for them; the blocker


@pytest.fixture(scope="session", autouse=True)
def _db_blocker_for_hooks(django_db_blocker):
    """pytest-django's public blocker, for the teardown hook below (hooks get no fixtures)."""
    _snapshot["blocker"] = django_db_blocker


@pytest.fixture(autouse=True)
def _migrated_rows_known_to_transactional_tests(request):
    if _is_transactional(request.node):
        _snapshot["rows"] = request.getfixturevalue("_migrated_rows")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends with a flush, which also empties the rows the migrations made
    (Wagtail's root page, locale, collection); put them back for whichever test comes next.
    Done here, after every fixture's teardown, because the flush can come after a fixture's."""
    yield
    rows = _snapshot.get("rows")
    if rows is not None and nextitem is not None and _is_transactional(item):
        with _snapshot["blocker"].unblock():
            _load_migrated_rows_if_flushed(rows)


class ModuleRows:
    """One transaction open around a module's tests, so that rows its tests only read are built
    once (as Django's TestCase.setUpTestData does for a class): each test runs in a savepoint
    inside it and rolls back to these rows, and the module's end rolls them back too."""

    def __init__(self, blocker, transactional):
        self.blocker = blocker
        self.atomic = None
        if not transactional:  # a transactional test commits: its rows go with its flush
            self.atomic = transaction.atomic()
            with blocker.unblock():
                self.atomic.__enter__()

    def unblocked(self):
        """Database access for a module-scoped fixture that builds rows."""
        return self.blocker.unblock()

    def release(self):
        if self.atomic is not None:
            with self.blocker.unblock():
                transaction.set_rollback(True)
                self.atomic.__exit__(None, None, None)
            self.atomic = None


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """Rows built in a module-scoped fixture on top of this stay for the module's tests. Only
    for tests that read them: hand each test its own copy (copy.deepcopy), as setUpTestData
    does, so that a change to an object in memory does not reach the next test."""
    rows = _snapshot["module rows"] = ModuleRows(django_db_blocker, _snapshot["transactional"])
    yield rows
    rows.release()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """A transactional test commits and flushes: the module's transaction (`module_db`) ends
    before it. pytest-django runs transactional tests after the module's other tests."""
    _snapshot["transactional"] = _is_transactional(item)
    rows = _snapshot.get("module rows")
    if rows is not None and _snapshot["transactional"]:
        rows.release()


@pytest.fixture(scope="session", autouse=True)
def _search_indexes_off():
    """Wagtail's search and reference indexes cost about a third of the CPU of saving a page,
    and embedding a page for dearly.retrieval more than saving it; only the tests marked
    `search_indexes` read them (search, related posts, similar letters, the editor's search,
    "used in" counts): the others save pages without updating them."""
    testing.connect_indexes(on=False)
    yield
    testing.connect_indexes(on=True)


@pytest.fixture(autouse=True)
def _search_indexes_when_marked(request):
    if request.node.get_closest_marker("search_indexes") is None:
        yield
    else:
        with testing.search_indexes():
            yield


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    """Rate-limit counters, cached site data and cached pages must not leak between tests. The
    database cache (settings.CACHES) keeps only what transactional tests commit, the others
    roll back; and only transactional tests have the database open this early."""
    from django.conf import settings
    from django.core.cache import caches
    from django.core.cache.backends.db import DatabaseCache

    from dearly.core.invalidation.store import get_store
    from dearly.retrieval.vectors import vectors

    def clear():
        for alias in settings.CACHES:
            if _is_transactional(request.node) or not isinstance(caches[alias], DatabaseCache):
                caches[alias].clear()

    clear()
    get_store().clear()
    vectors.reset()  # rows of earlier tests rolled back, and their page ids come again
    yield
    clear()


@pytest.fixture(scope="session", autouse=True)
def _page_cache_directory_removed():
    """The test run's page-cache store is a temporary directory (settings/test.py)."""
    yield
    from django.conf import settings

    if not os.environ.get("DEARLY_PAGECACHE_DIR"):  # one a caller chose stays theirs
        shutil.rmtree(settings.PAGECACHE_DIR, ignore_errors=True)


# The test database on SQLite: migrated once per set of migrations and copied for each run and
# xdist worker, instead of running some 230 migrations every time.


def _migrations_key():
    from django.apps import apps

    digest = hashlib.sha256()
    for app in sorted(apps.get_app_configs(), key=lambda a: a.label):
        for path in sorted(Path(app.path, "migrations").glob("*.py")):
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def _sqlite_copy(source, target):
    """sqlite3's backup API: a consistent copy, WAL included."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


@pytest.fixture(scope="session")
def _sqlite_test_template(django_db_modify_db_settings):
    """The migrated database this run's test database starts from (None: not on SQLite, or
    not made yet). Several workers starting at once wait for the one that makes it."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.sqlite3":
        return None
    template = Path(tempfile.gettempdir(), f"dearly-test-migrated-{_migrations_key()}.sqlite3")
    lock = open(f"{template}.lock", "w")  # noqa: SIM115 (held for the session's setup)
    fcntl.flock(lock, fcntl.LOCK_EX)
    if template.exists():
        _sqlite_copy(template, db["TEST"]["NAME"])
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()
        return template
    return {"lock": lock, "template": template}  # this worker migrates and keeps the result


@pytest.fixture(scope="session")
def django_db_keepdb(_sqlite_test_template, django_db_keepdb):
    """Keep (do not recreate) a test database copied from the migrated template."""
    return django_db_keepdb or isinstance(_sqlite_test_template, Path)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, _sqlite_test_template, django_db_keepdb, django_db_blocker):
    from django.conf import settings

    name = settings.DATABASES["default"]["TEST"].get("NAME")
    if isinstance(_sqlite_test_template, dict):  # just migrated: the template for later runs
        making = _sqlite_test_template
        partial = making["template"].with_suffix(".partial")
        with django_db_blocker.unblock():
            connection.close()
        _sqlite_copy(name, partial)
        partial.rename(making["template"])
        fcntl.flock(making["lock"], fcntl.LOCK_UN)
        making["lock"].close()
    else:
        # As migrating leaves it: every content type in ContentType's cache. Putting back the
        # migrations' rows after a flush relies on it (Wagtail's Task.save asks for its own).
        from django.apps import apps
        from django.contrib.contenttypes.models import ContentType

        with django_db_blocker.unblock():
            ContentType.objects.get_for_models(*apps.get_models(), for_concrete_models=False)
    yield
    if isinstance(_sqlite_test_template, Path):  # kept above, so Django leaves it: removed here
        with django_db_blocker.unblock():
            connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{name}{suffix}").unlink(missing_ok=True)


@pytest.fixture(scope="module")
def _module_site_tree(module_db):
    with module_db.unblocked():
        testing.make_site_tree()


@pytest.fixture
def site_tree(_module_site_tree, db):
    """Home page, the guides section and the letters column, as the demo has them. Built once
    per module (`module_db`): what a test changes rolls back after it, and each test gets its
    own page objects, read afresh (or built again after a transactional test's flush)."""
    return testing.make_site_tree()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM_BIN):
        pytest.skip(f"Chromium not found at {CHROMIUM_BIN} (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM_BIN, "args": CHROMIUM_ARGS}


# Browser tests: the demo column served by live_server.


@pytest.fixture
def site(demo, live_server, settings):
    """The demo column's address in a live server, which emails link to (SITE_URL)."""
    settings.SITE_URL = settings.WAGTAILADMIN_BASE_URL = live_server.url
    return live_server.url


@pytest.fixture(scope="session")
def _migrated_rows(django_db_setup, django_db_blocker):
    """The rows the migrations made (Wagtail's root page, locale, collection, ...), serialized
    once per test run, so that every restore puts back the same rows under the same ids.

    live_server makes these tests transactional, and each one ends with a flush. Serialized
    rollback puts the rows back before the next test, but Django keeps the serialized copy on
    the connection object, and once Playwright has started, the tests see another connection
    object (Django's connections are context-local) that lacks it. `demo` copies it across.

    Transactional tests put them back after their flush (`_migrated_rows_back_after_a_flush`).
    """
    with django_db_blocker.unblock():
        rows = getattr(connection, "_test_serialized_contents", None)
        if rows is None:
            rows = connection.creation.serialize_db_to_string()
    return rows


@pytest.fixture
def demo(transactional_db, django_db_serialized_rollback, _migrated_rows):
    """The demo column, as `make run` loads it, with its search indexes."""
    if not hasattr(connection, "_test_serialized_contents"):
        connection._test_serialized_contents = _migrated_rows
    with testing.search_indexes():
        call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        yield
