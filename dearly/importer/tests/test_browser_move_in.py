"""Moving in, in a real browser: from the admin's menu to an uploaded export's dry run and its
import, each followed on a status page that refreshes itself (no script), on a phone and a
desktop."""

import re

import pytest
from playwright.sync_api import expect

from dearly.comments.tests.helpers import make_reader
from dearly.core.tests.test_browser_csp import Violations
from dearly.importer.models import ImportRun
from dearly.testing import (
    DESKTOP,
    PHONE,
    admin_overflow,
    admin_screenshot,
    log_in_to_the_admin,
    serious_axe_violations,
)

from .conftest import WXR_HEAD, item_xml

pytestmark = pytest.mark.browser
WAIT = 60_000  # ms: a dry run and an import on a loaded machine


def test_an_editor_uploads_an_export_reads_the_dry_run_and_imports_it(
    page, site, settings, tmp_path
):
    settings.IMPORT_DIR = tmp_path / "imports"
    export = tmp_path / "askmimi.xml"
    export.write_text(
        WXR_HEAD
        + item_xml(10, "Saying no kindly", comments=[(1, 0)])
        + item_xml(11, "Asking for a raise")
        + "</channel></rss>\n"
    )
    chief = make_reader("chief", email="chief@example.com", is_staff=True, is_superuser=True)
    csp = Violations(page)
    log_in_to_the_admin(page, site, chief, "pw")
    page.set_viewport_size(PHONE)
    page.goto(f"{site}/admin/move-in/")
    assert admin_overflow(page) == []
    admin_screenshot(page, "admin-move-in", PHONE)

    page.set_viewport_size(DESKTOP)
    page.get_by_label("Export file").set_input_files(export)
    page.get_by_role("button", name="Upload and run a dry run").click()
    expect(page).to_have_url(re.compile(r"/admin/move-in/[0-9a-f-]{36}/$"))
    # The page reloads itself (<meta http-equiv="refresh">) until the dry run is done.
    expect(page.locator("#import-state")).to_have_text(
        "Dry run done: waiting for confirmation", timeout=WAIT
    )
    csp.after("the upload and the dry run's page, reloading itself")
    report = page.locator("#dry-run-report")
    expect(report).to_contain_text("Dry run: nothing was written.")
    expect(report).to_contain_text("guides: 2 created")
    assert serious_axe_violations(page) == []

    page.get_by_role("button", name="Import for real").click()
    expect(page.locator("#import-state")).to_have_text("Imported", timeout=WAIT)
    expect(page.locator("#import-report")).to_contain_text("comments: 1 created")
    # Its stylesheet wraps a long warning rather than widening the page.
    assert page.locator("#import-report").evaluate("e => getComputedStyle(e).whiteSpace") == (
        "pre-wrap"
    )
    page.set_viewport_size(PHONE)
    page.reload()  # Wagtail lays its breadcrumbs out for the width a page opens at
    overflow = admin_overflow(page)
    assert overflow == [], "\n".join(overflow)
    assert serious_axe_violations(page) == []
    admin_screenshot(page, "admin-move-in-report", PHONE)

    csp.after("the import's page")
    page.get_by_role("link", name="All imports").click()
    expect(page.get_by_role("link", name="askmimi.xml")).to_be_visible()
    page.get_by_text("Report", exact=True).click()  # the run's report, folded in the list
    expect(page.get_by_text("guides: 2 created")).to_be_visible()
    overflow = admin_overflow(page)
    assert overflow == [], "\n".join(overflow)
    admin_screenshot(page, "admin-move-in-listing", PHONE)
    run = ImportRun.objects.get()
    assert (
        run.state == ImportRun.State.DONE and not settings.IMPORT_DIR.joinpath(str(run.pk)).exists()
    )
    page.goto(f"{site}/10/")  # the old address, redirected to its new page
    expect(page.get_by_role("heading", name="Saying no kindly")).to_be_visible()
