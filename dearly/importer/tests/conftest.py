"""Fixtures for the WordPress import tests: the small exports in data/, and the theme test
data from ../shared when it is there (it is never copied into the repository)."""

import io
from pathlib import Path

from django.core.management import call_command

import pytest

DATA = Path(__file__).resolve().parent / "data"
THEME_EXPORT = (
    Path(__file__).resolve().parents[4]
    / "shared"
    / "testdata"
    / "wordpress"
    / "themeunittestdata.wordpress.xml"
)


def run_import(*args):
    """The command's summary, as the site operator would read it."""
    out = io.StringIO()
    call_command("import_wordpress", *[str(a) for a in args], stdout=out)
    return out.getvalue()


@pytest.fixture
def data():
    return DATA


@pytest.fixture
def theme_export():
    if not THEME_EXPORT.exists():
        pytest.skip(f"theme test data not found at {THEME_EXPORT} (../shared is optional)")
    return THEME_EXPORT
