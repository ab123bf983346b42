"""Shared pytest fixtures: the page tree, and Chromium for the browser tests."""

import os
import shutil

import pytest

from dearly import testing

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


def pytest_collection_modifyitems(config, items):
    """Browser tests use live_server, which empties the database after each test; run them
    after the ordinary tests so those never start from a flushed database."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and cached site data must not leak from one test to the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def site_tree(db):
    """Home page, the guides section and the letters column, as the demo has them."""
    return testing.make_site_tree()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM_BIN):
        pytest.skip(f"Chromium not found at {CHROMIUM_BIN} (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM_BIN, "args": CHROMIUM_ARGS}
