"""The demo site in a real browser: accessibility (axe-core), HTML validity (Nu Html Checker),
the phone layout, and the search flow. Screenshots land in test-results/screenshots/.

Needs Chromium at /usr/bin/chromium (see dearly/conftest.py), the npm packages in node_modules
(`npm ci`) and Java for the HTML checker; each test skips with a reason when its tool is missing.
"""

import json
import pathlib
import re
import shutil
import subprocess
import tempfile

import pytest
from playwright.sync_api import expect

from dearly.testing import (
    DESKTOP,
    PHONE,
    VNU_JAR,
    screenshot,
    serious_axe_violations,
    visit,
)

pytestmark = pytest.mark.browser

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


def test_pages_have_no_serious_axe_violations(page, site):
    page.set_viewport_size(DESKTOP)
    problems = {}
    for name, path in PAGES.items():
        visit(page, site, path)
        screenshot(page, name, DESKTOP)
        found = serious_axe_violations(page)
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
