"""The demo site in a real browser: accessibility (axe-core), HTML validity (Nu Html Checker),
the phone layout, and the search flow. Screenshots land in test-results/screenshots/.

Needs Chromium at /usr/bin/chromium (see dearly/conftest.py), the npm packages in node_modules
(`npm ci`) and Java for the HTML checker; each test skips with a reason when its tool is missing.
"""

import os

# Sync Playwright runs an event loop in this thread; the ORM would refuse to work without this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import json
import pathlib
import re
import shutil
import subprocess
import tempfile

from django.core.management import call_command
from django.db import connection

from wagtail.models import Page

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

REPO = pathlib.Path(__file__).resolve().parents[3]
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# pytest-playwright empties test-results/ when a session starts: the shots are from the last run.
SCREENSHOTS = REPO / "test-results" / "screenshots"

ARTICLE = "/guides/when-you-are-turned-down/"
PAGES = {
    "home": "/",
    "article": ARTICLE,
    "letter": "/letters/dear-dr-mimi-poor/",
    "search": "/search/?q=promotion",
    "topic": "/topics/career/",
    "year": "/2025/",
    "letters": "/letters/",
}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module", autouse=True)
def _migrated_rows(django_db_setup, django_db_blocker):
    """The rows the migrations made (Wagtail's root page, locale, collection, ...), serialized.

    live_server makes these tests transactional, and each one ends with a flush. Serialized
    rollback puts the rows back before the next test, but Django keeps the serialized copy on
    the connection object, and once Playwright has started, the tests see another connection
    object (Django's connections are context-local) that lacks it. `demo` copies it across.

    pytest regroups tests by pytest-playwright's session-scoped browser parameter, which can
    move these tests ahead of ordinary `db` tests, so the rows are also put back once this
    module is done: the next tests find the database as the migrations left it.
    """
    with django_db_blocker.unblock():
        rows = getattr(connection, "_test_serialized_contents", None)
        if rows is None:
            rows = connection.creation.serialize_db_to_string()
    yield rows
    with django_db_blocker.unblock():
        if not Page.objects.exists():
            connection.creation.deserialize_db_from_string(rows)


@pytest.fixture
def demo(transactional_db, django_db_serialized_rollback, _migrated_rows):
    """The demo column, as `make run` loads it."""
    if not hasattr(connection, "_test_serialized_contents"):
        connection._test_serialized_contents = _migrated_rows
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


@pytest.fixture
def site(demo, live_server):
    return live_server.url


def visit(page, base, path):
    response = page.goto(base + path)
    assert response is not None
    assert response.status == 200, f"{path} answered {response.status}"
    return response


def screenshot(page, name, size):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}-{size['width']}.png", full_page=True)


def test_pages_have_no_serious_axe_violations(page, site):
    if not AXE_JS.exists():
        pytest.skip(f"axe-core not installed ({AXE_JS} missing; run npm ci)")
    axe_source = AXE_JS.read_text()
    page.set_viewport_size(DESKTOP)
    problems = {}
    for name, path in PAGES.items():
        visit(page, site, path)
        screenshot(page, name, DESKTOP)
        page.evaluate(axe_source)
        result = page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
            AXE_TAGS,
        )
        found = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        if found:
            problems[path] = found
    assert not problems, json.dumps(problems, indent=2)


def test_pages_are_valid_html(client, demo):
    if not shutil.which("java"):
        pytest.skip("java not found (apt-get install openjdk-17-jre-headless)")
    if not VNU_JAR.exists():
        pytest.skip(f"Nu Html Checker not installed ({VNU_JAR} missing; run npm ci)")
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for name, path in PAGES.items():
            response = client.get(path)
            assert response.status_code == 200, f"{path} answered {response.status_code}"
            (pathlib.Path(tmp) / f"{name}.html").write_bytes(response.content)
            files[f"{name}.html"] = path
        run = subprocess.run(
            [
                "java",
                "-jar",
                str(VNU_JAR),
                "--format",
                "json",
                "--stdout",
                "--errors-only",
                "--exit-zero-always",
                tmp,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    messages = json.loads(run.stdout)["messages"]
    errors = [
        f"{files.get(m.get('url', '').rsplit('/', 1)[-1], m.get('url'))}"
        f":{m.get('lastLine')}: {m['message']} [{m.get('extract', '').strip()}]"
        for m in messages
        if m["type"] in ("error", "non-document-error")
    ]
    assert not errors, "\n".join(errors)


def test_phone_layout(page, site):
    page.set_viewport_size(PHONE)
    too_wide = {}
    for name, path in PAGES.items():
        visit(page, site, path)
        screenshot(page, name, PHONE)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[path] = width
    assert not too_wide, f"pages scroll sideways at {PHONE['width']} px: {too_wide}"

    visit(page, site, ARTICLE)
    ids = page.locator(".step-list > li").evaluate_all("items => items.map(li => li.id)")
    assert ids == [f"step-{n}" for n in range(1, 7)]
    page.goto(site + ARTICLE + "#step-3")  # same document: no new response
    expect(page.locator("#step-3")).to_be_in_viewport()
    assert page.evaluate("document.querySelector(':target')?.id") == "step-3"

    # Each step shows its lead and its text (not an empty "None" lead).
    leads = page.locator(".step-list > li .step-lead").all_inner_texts()
    assert len(leads) == 6 and all(lead.strip() and lead != "None" for lead in leads), leads
    texts = page.locator(".step-list > li").all_inner_texts()
    assert all(len(text) > len(lead) + 20 for text, lead in zip(texts, leads, strict=True)), texts


def test_search_from_header_and_open_a_result(page, site):
    page.set_viewport_size(DESKTOP)
    visit(page, site, "/")
    box = page.get_by_role("search", name="Site search").get_by_role("searchbox")
    box.fill("promotion")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=promotion$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    expect(page.locator(".result-count")).to_contain_text("for “promotion”")
    marks = page.locator(".post-list .excerpt mark")
    expect(marks.first).to_be_visible()
    assert all(m.lower() == "promotion" for m in marks.all_inner_texts())

    first = page.locator(".post-list .post-item h2 a").first
    title = first.inner_text()
    first.click()
    expect(page).not_to_have_url(re.compile(r"/search/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
