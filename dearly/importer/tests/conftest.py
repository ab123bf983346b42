"""Fixtures for the import tests: the small WordPress exports in data/, and the theme test
data from ../shared when it is there (it is never copied into the repository). Ghost and
Substack exports are written by the tests themselves (test_ghost.py, test_substack.py)."""

import io
import os
import subprocess
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import call_command

from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page, PageViewRestriction, Revision

import pytest

from dearly.importer.models import ImportedObject
from dearly.newsletter.models import Subscriber

DATA = Path(__file__).resolve().parent / "data"
THEME_EXPORT = (
    Path(__file__).resolve().parents[4]
    / "shared"
    / "testdata"
    / "wordpress"
    / "themeunittestdata.wordpress.xml"
)

# The start of a small WXR 1.2 export, for tests that write their own items.
WXR_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/"
 xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/">
<channel><title>Ask Dr. Mimi</title><link>https://askmimi.example</link>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>https://askmimi.example</wp:base_site_url>
<wp:base_blog_url>https://askmimi.example</wp:base_blog_url>
"""


def run_import(*args, command="import_wordpress"):
    """The command's summary, as the site operator would read it."""
    out = io.StringIO()
    call_command(command, *[str(a) for a in args], stdout=out)
    return out.getvalue()


def manage_py(tmp_path, *args):
    """`manage.py ARGS` as a site operator runs it, in a process of its own (on an empty
    database: what it prints before touching one)."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'none.sqlite3'}"}
    env["DJANGO_SETTINGS_MODULE"] = "dearly.settings.test"
    return subprocess.run(
        [sys.executable, "manage.py", *map(str, args)],
        cwd=Path(__file__).resolve().parents[3],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def imported_page(source, key):
    """The page a source's post or page `key` became."""
    row = ImportedObject.objects.get(source=source, kind__in=["post", "page"], key=key)
    return Page.objects.get(pk=row.object_id).specific


def row_counts():
    """How many rows an import may write, table by table: equal before and after a refusal."""
    tables = (Page, Redirect, ImportedObject, Revision, PageViewRestriction, Subscriber)
    return [model.objects.count() for model in (*tables, get_user_model())]


@pytest.fixture
def data():
    return DATA


@pytest.fixture
def theme_export():
    if not THEME_EXPORT.exists():
        pytest.skip(f"theme test data not found at {THEME_EXPORT} (../shared is optional)")
    return THEME_EXPORT
