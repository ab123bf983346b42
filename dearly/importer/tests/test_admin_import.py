"""Moving in from the admin: upload an export, read its dry run, confirm, follow the import to its
report; who may; and what hostile or broken uploads get (a clear line, never a 500, nothing
written, nothing left on disk)."""

import gzip
import io
import json
import logging
import threading
import time
import uuid
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from wagtail.models import Page

import pytest

from dearly.importer import runs
from dearly.importer.mapping.run import Import
from dearly.importer.models import ImportRun
from dearly.newsletter.models import Subscriber
from dearly.questions.tests.test_inbox import make_staff

from .conftest import WXR_HEAD, item_xml, row_counts
from .test_ghost import export as ghost_export
from .test_ghost import post as ghost_post
from .test_substack import _bomb, _zip_with, row, substack_zip

pytestmark = pytest.mark.django_db
State = ImportRun.State
INDEX = "/admin/move-in/"
UPLOAD = "/admin/move-in/upload/"
MEMBERS = (
    "email,name,note,subscribed_to_emails,complimentary_plan,stripe_customer_id,created_at,"
    "deleted_at,labels\n"
    "ann@example.com,Ann,,true,,,2023-01-02T10:00:00.000Z,,\n"
)


def wxr(*items):
    return (WXR_HEAD + "".join(items) + "</channel></rss>\n").encode()


WXR = wxr(
    item_xml(10, "Saying no kindly", comments=[(1, 0), (2, 1)]),
    item_xml(11, "Asking for a raise"),
)


def upload(client, content, name="export.xml", **fields):
    data = {"export": SimpleUploadedFile(name, content), **fields}
    return client.post(UPLOAD, data)


def run_url(run, action=""):
    return f"{INDEX}{run.pk}/{action + '/' if action else ''}"


def uploads_left(settings):
    folder = settings.IMPORT_DIR
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"
    return settings.IMPORT_DIR


@pytest.fixture
def inline(monkeypatch):
    """The background thread replaced by a plain call, so the test sees the run end."""
    monkeypatch.setattr(runs, "in_background", lambda function, *args: function(*args))


@pytest.fixture
def importer(django_user_model, site_tree):
    return make_staff(django_user_model, "mover", perms=["run_import"])


@pytest.fixture
def importer_client(importer):
    client = Client()
    client.force_login(importer)
    return client


def uploaded(client, content, django_capture_on_commit_callbacks, **kwargs):
    """Upload, run the dry run (on commit, as the request's end would), and the run."""
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, content, **kwargs)
    assert response.status_code == 303, response.content.decode()[:2000]
    run = ImportRun.objects.get()
    assert response["Location"] == run_url(run)
    return run


def confirmed(client, run, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(run_url(run, "import"))
    assert response.status_code == 303
    run.refresh_from_db()
    return run


# --- the happy paths -------------------------------------------------------------------------


def test_upload_dry_run_confirm_and_read_the_report(
    importer_client, inline, settings, django_capture_on_commit_callbacks
):
    before = row_counts()
    run = uploaded(importer_client, WXR, django_capture_on_commit_callbacks)
    assert run.kind == "wordpress" and run.state == State.CHECKED and run.active
    assert run.dry_run_report.startswith("Dry run: nothing was written.")
    assert "guides: 2 created" in run.dry_run_report
    assert row_counts() == before  # the dry run wrote nothing
    assert uploads_left(settings) == [str(run.pk)]  # the file waits for the confirmation

    page = importer_client.get(run_url(run)).content.decode()
    assert "Dry run: nothing was written." in page and "Import for real" in page
    assert 'http-equiv="refresh"' not in page  # nothing moves until the editor confirms

    run = confirmed(importer_client, run, django_capture_on_commit_callbacks)
    assert run.state == State.DONE and not run.active
    assert run.report.startswith("Imported:\n") and "  guides: 2 created" in run.report
    assert (run.items_done, run.items_total) == (2, 2)
    assert run.started_at and run.finished_at and run.started_by.username == "mover"
    assert Page.objects.filter(title="Saying no kindly", live=True).exists()
    assert uploads_left(settings) == []  # the upload is deleted once imported

    page = importer_client.get(run_url(run)).content.decode()
    assert "guides: 2 created" in page and "Import for real" not in page
    listing = importer_client.get(INDEX).content.decode()
    assert "export.xml" in listing and "guides: 2 created" in listing  # old runs and reports


def test_a_ghost_export_with_its_members_file(
    importer_client, inline, tmp_path, django_capture_on_commit_callbacks
):
    path = ghost_export(tmp_path / "ghost.json", [ghost_post(1, "Saying no kindly")])
    members = SimpleUploadedFile("members.csv", MEMBERS.encode())
    run = uploaded(
        importer_client,
        path.read_bytes(),
        django_capture_on_commit_callbacks,
        name="ghost.json",
        members=members,
    )
    assert (run.kind, run.members_name, run.state) == ("ghost", "members.csv", State.CHECKED)
    assert not Subscriber.objects.exists()
    run = confirmed(importer_client, run, django_capture_on_commit_callbacks)
    assert run.state == State.DONE, run.error
    assert Subscriber.objects.filter(email="ann@example.com").exists()


def test_a_substack_zip_is_known_by_its_content_not_its_name(
    importer_client, inline, tmp_path, django_capture_on_commit_callbacks
):
    path = substack_zip(tmp_path / "export.zip", [row(1, "Saying no kindly")])
    run = uploaded(
        importer_client, path.read_bytes(), django_capture_on_commit_callbacks, name="download"
    )
    assert (run.kind, run.state) == ("substack", State.CHECKED)
    run = confirmed(importer_client, run, django_capture_on_commit_callbacks)
    assert run.state == State.DONE and "guides: 1 created" in run.report


def test_the_editor_may_name_the_kind_when_the_file_does_not_say(
    importer_client, inline, django_capture_on_commit_callbacks
):
    """A WordPress export that opens with something else than <rss> in its first 64 KB."""
    padded = WXR.replace(b"<rss", b"<!--" + b" " * 70_000 + b"-->\n<rss", 1)
    assert upload(importer_client, padded).status_code == 400
    run = uploaded(importer_client, padded, django_capture_on_commit_callbacks, kind="wordpress")
    assert run.state == State.CHECKED, run.error


# --- following a run ----------------------------------------------------------------------


def test_the_status_page_shows_progress_and_refreshes_itself_while_running(importer_client):
    run = ImportRun.objects.create(kind="ghost", export_name="ghost.json", state=State.RUNNING)
    runs.folder(run.pk).mkdir(parents=True)
    progress = runs.Progress(runs.folder(run.pk))
    progress.total, progress.done = 40, 12
    progress.write()
    page = importer_client.get(run_url(run)).content.decode()
    assert 'http-equiv="refresh"' in page
    assert '<progress max="40" value="12">' in page and "12 of 40 items" in page
    progress.done = 40
    progress.write()
    page = importer_client.get(run_url(run)).content.decode()
    assert "all 40 items read" in page


def test_progress_is_written_at_most_once_a_second(tmp_path, monkeypatch):
    writes = []
    progress = runs.Progress(tmp_path)
    monkeypatch.setattr(runs.Progress, "write", lambda self: writes.append(self.done))
    progress.total, progress.written = 10_000, time.monotonic()
    for _ in range(10_000):
        progress.update()
    assert progress.done == 10_000
    assert writes[-1] == 10_000 and len(writes) <= 2  # once a second, and the last item


def test_a_run_whose_server_stopped_is_marked_failed_and_lets_the_next_one_in(
    importer_client, settings
):
    run = ImportRun.objects.create(kind="ghost", export_name="ghost.json", state=State.RUNNING)
    folder = runs.folder(run.pk)
    folder.mkdir(parents=True)
    (folder / runs.Progress.NAME).write_text(json.dumps({"done": 3, "total": 9, "at": 1.0}))
    page = importer_client.get(run_url(run)).content.decode()
    run.refresh_from_db()
    assert run.state == State.FAILED and not run.active
    assert "the server stopped during the import" in page
    assert uploads_left(settings) == []


def test_cancelling_a_checked_run_deletes_its_upload(
    importer_client, inline, settings, django_capture_on_commit_callbacks
):
    run = uploaded(importer_client, WXR, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        response = importer_client.post(run_url(run, "cancel"))
    assert response.status_code == 303
    run.refresh_from_db()
    assert run.state == State.CANCELLED and not run.active
    assert uploads_left(settings) == []
    # Neither can be done twice, and the page says why.
    response = importer_client.post(run_url(run, "import"), follow=True)
    assert "This import cannot start: it is cancelled." in response.content.decode()
    response = importer_client.post(run_url(run, "cancel"), follow=True)
    assert "cannot be cancelled" in response.content.decode()


def test_a_run_is_never_taken_for_stopped_as_it_starts(
    importer_client, inline, monkeypatch, django_capture_on_commit_callbacks
):
    """The dry run's heartbeat may be hours old when the editor confirms: the import writes a
    fresh one before it is seen to be under way."""
    run = uploaded(importer_client, WXR, django_capture_on_commit_callbacks)
    (runs.folder(run.pk) / runs.Progress.NAME).write_text(json.dumps({"at": 1.0}))
    real_run = runs._run

    def looked_at_first(*args):
        runs.release_stopped()  # the status page, opened as the import starts
        return real_run(*args)

    monkeypatch.setattr(runs, "_run", looked_at_first)
    run = confirmed(importer_client, run, django_capture_on_commit_callbacks)
    assert run.state == State.DONE, run.error


def test_the_task_runs_each_step_once(importer, inline, django_capture_on_commit_callbacks):
    """A task delivered twice (a worker's retry) finds the run taken and does nothing."""
    run = ImportRun.objects.create(kind="wordpress", export_name="x.xml", state=State.RUNNING)
    runs.execute(str(run.pk), False)
    run.refresh_from_db()
    assert run.state == State.RUNNING and not run.report


# --- who may -------------------------------------------------------------------------------


def test_only_those_with_the_permission_see_the_menu_and_the_pages(
    client, django_user_model, importer_client, site_tree, settings
):
    run = ImportRun.objects.create(kind="ghost", export_name="ghost.json", state=State.CHECKED)
    urls = [INDEX, run_url(run)]
    posts = [UPLOAD, run_url(run, "import"), run_url(run, "cancel")]
    assert "Move in" in importer_client.get("/admin/").content.decode()
    superuser = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(superuser)
    assert "Move in" in client.get("/admin/").content.decode()
    assert client.get(INDEX).status_code == 200

    staff = Client()
    staff.force_login(make_staff(django_user_model, "staff"))
    assert "Move in" not in staff.get("/admin/").content.decode()
    reader = Client()
    reader.force_login(django_user_model.objects.create_user("reader", "r@example.com", "pw"))
    for url in urls + posts:
        kwargs = {"data": {"export": SimpleUploadedFile("x.xml", WXR)}} if url == UPLOAD else {}
        method = "post" if url in posts else "get"
        response = getattr(staff, method)(url, **kwargs)
        assert response.status_code == 302 and response["Location"] == "/admin/", url
        assert getattr(reader, method)(url, **kwargs).status_code == 403, url
        anonymous = getattr(Client(), method)(url, **kwargs)
        assert anonymous.status_code == 302 and "/login/" in anonymous["Location"], url
    run.refresh_from_db()
    assert run.state == State.CHECKED and ImportRun.objects.count() == 1
    assert uploads_left(settings) == []  # nobody's upload was written to disk


def test_changes_need_post_and_csrf(importer, inline, settings):
    run = ImportRun.objects.create(kind="ghost", export_name="ghost.json", state=State.CHECKED)
    client = Client(enforce_csrf_checks=True)
    client.force_login(importer)
    for url in [UPLOAD, run_url(run, "import"), run_url(run, "cancel")]:
        assert client.get(url).status_code == 405, url
    assert upload(client, WXR).status_code == 403
    assert client.post(run_url(run, "import")).status_code == 403
    assert client.post(run_url(run, "cancel")).status_code == 403
    run.refresh_from_db()
    assert run.state == State.CHECKED and uploads_left(settings) == []
    # With the form's token, the same upload goes through (the view checks it itself).
    run.delete()
    token = client.get(INDEX).context["csrf_token"]
    response = upload(client, WXR, csrfmiddlewaretoken=str(token))
    assert response.status_code == 303


def test_a_forged_run_id_is_a_404(importer_client):
    forged = uuid.uuid4()
    assert importer_client.get(f"{INDEX}{forged}/").status_code == 404
    assert importer_client.post(f"{INDEX}{forged}/import/").status_code == 404
    assert importer_client.post(f"{INDEX}{forged}/cancel/").status_code == 404
    for bad in ["1", "..", "%00", "a" * 100, f"{forged}x"]:
        assert importer_client.get(f"{INDEX}{bad}/").status_code in (400, 404), bad


# --- hostile and broken uploads ----------------------------------------------------------------


def refused(response, field_text):
    page = response.content.decode()
    assert response.status_code == 400, page[:2000]
    assert field_text in page, page[:5000]
    return page


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (None, "", "Choose the export file to upload."),
        (b"", "export.xml", "This file is empty"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "photo.png", "none of the exports Dearly reads"),
        (b"Dear Dr. Mimi, my boss...", "letter.txt", "none of the exports Dearly reads"),
        (b"<html><body>Hi</body></html>", "page.xml", "none of the exports Dearly reads"),
        (gzip.compress(WXR), "export.xml.gz", "unpack it and upload the file inside"),
    ],
)
def test_uploads_that_are_no_export_are_refused_at_once(
    importer_client, settings, content, name, message
):
    data = {"export": SimpleUploadedFile(name, content)} if content is not None else {}
    refused(importer_client.post(UPLOAD, data), message)
    assert not ImportRun.objects.exists() and uploads_left(settings) == []


def test_a_kind_that_does_not_match_the_file_is_refused(importer_client, settings):
    refused(upload(importer_client, WXR, kind="ghost"), "This file is a WordPress export, not")
    assert not ImportRun.objects.exists() and uploads_left(settings) == []


def test_a_members_file_goes_with_ghost_only(importer_client, settings):
    members = SimpleUploadedFile("members.csv", MEMBERS.encode())
    refused(upload(importer_client, WXR, members=members), "goes with a Ghost export only")
    assert uploads_left(settings) == []


def test_a_file_over_the_limit_is_refused_and_not_kept(importer_client, settings):
    settings.IMPORT_MAX_UPLOAD_SIZE = 100 * 1024
    big = WXR.replace(b"<channel>", b"<channel><!--" + b"x" * 200 * 1024 + b"-->", 1)
    page = refused(upload(importer_client, big), "This file is larger than 0 MB")
    assert "IMPORT_MAX_UPLOAD_MB" in page
    assert not ImportRun.objects.exists() and uploads_left(settings) == []


ESCAPE = _zip_with(("posts.csv", "post_id\n"), ("../../etc/cron.d/evil", "x"))


@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        (_bomb, "bomb.zip", "“posts/1001.post-1.html” is compressed 1,029 times, as a zip bomb"),
        (lambda: ESCAPE, "escape.zip", "“../../etc/cron.d/evil” names a place outside the export"),
        (lambda: _zip_with(("readme.txt", "hi")), "empty.zip", "no posts.csv in the zip"),
        (lambda: WXR[:-40], "cut.xml", "broken XML"),
        (lambda: b'{"db": [{"meta": {"version": "5.1.0"}, "data": {"posts": [{"id"', "cut.json",
         "the export is cut short"),
    ],
)  # fmt: skip
def test_a_broken_export_fails_its_dry_run_in_one_line_and_writes_nothing(
    importer_client, inline, settings, django_capture_on_commit_callbacks, content, name, reason
):
    before = row_counts()
    run = uploaded(importer_client, content(), django_capture_on_commit_callbacks, name=name)
    assert run.state == State.FAILED and not run.active
    assert run.error.startswith(f"{name}") and reason in run.error, run.error
    assert "\n" not in run.error
    assert str(settings.IMPORT_DIR) not in run.error  # the upload's name, not where it waited
    page = importer_client.get(run_url(run))
    assert page.status_code == 200 and "Nothing was imported: " + name in page.content.decode()
    assert row_counts() == before and uploads_left(settings) == []


def test_an_error_during_the_import_writes_nothing_and_says_so(
    importer_client, inline, settings, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    run = uploaded(importer_client, WXR, django_capture_on_commit_callbacks)
    before = row_counts()

    def broken(self):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Import, "_finish", broken)
    with caplog.at_level(logging.ERROR, logger="dearly.importer.runs"):
        run = confirmed(importer_client, run, django_capture_on_commit_callbacks)
    assert run.state == State.FAILED and not run.active
    assert run.error == (
        "the import stopped on an unexpected error (RuntimeError); nothing was written. "
        "The server's log has the details."
    )
    assert "disk on fire" in caplog.text  # the log has the traceback
    assert row_counts() == before and uploads_left(settings) == []
    assert "Nothing was imported" in importer_client.get(run_url(run)).content.decode()


def test_a_second_import_is_refused_while_one_runs(
    importer_client, inline, settings, django_capture_on_commit_callbacks
):
    busy = ImportRun.objects.create(
        kind="ghost", export_name="ghost.json", state=State.RUNNING, started_by=None
    )
    runs.folder(busy.pk).mkdir(parents=True)
    runs.Progress(runs.folder(busy.pk)).write()
    response = upload(importer_client, WXR)
    page = response.content.decode()
    assert response.status_code == 409
    assert "Another import is under way: ghost.json (Ghost, importing)" in page
    assert ImportRun.objects.count() == 1 and uploads_left(settings) == [str(busy.pk)]
    listing = importer_client.get(INDEX).content.decode()
    assert "An import is under way" in listing and "Upload and run a dry run" not in listing


def test_the_database_lets_one_run_at_a_time_hold_the_importer(importer, tmp_path):
    """Two uploads at the same moment: both pass the first check, the second is refused."""
    file = SimpleUploadedFile("a.xml", WXR)
    runs.begin(uuid.uuid4(), "wordpress", importer, file)
    with pytest.raises(runs.Refused, match=r"Another import is under way: a\.xml"):
        runs.begin(uuid.uuid4(), "wordpress", importer, file)
    assert ImportRun.objects.count() == 1


def test_the_listing_makes_the_same_queries_for_3_runs_or_20(
    importer_client, django_assert_max_num_queries
):
    def add(n):
        ImportRun.objects.bulk_create(
            ImportRun(kind="ghost", export_name=f"{n}.json", state=State.DONE, active=False)
            for n in range(n)
        )

    add(3)
    importer_client.get(INDEX)
    with django_assert_max_num_queries(30) as few:
        importer_client.get(INDEX)
    add(17)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert importer_client.get(INDEX).status_code == 200


def test_an_upload_goes_to_the_runs_folder_as_it_comes(importer_client):
    """The handler writes each 64 KB chunk to disk (the memory it takes for 100 MB:
    test_admin_upload_memory.py)."""
    big = WXR.replace(b"<channel>", b"<channel><!--" + b"x" * 3_000_000 + b"-->", 1)
    response = upload(importer_client, big)
    run = ImportRun.objects.get()
    assert response.status_code == 303
    assert run.size == len(big)
    assert (runs.folder(run.pk) / "export").stat().st_size == run.size


def test_zip_bomb_check_sees_the_uploaded_zip():
    """The zip bomb above is a real one: its 20 MB entry is stored in a few KB."""
    data = _bomb()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        (entry,) = [i for i in archive.infolist() if i.filename.endswith(".html")]
    assert entry.file_size > 100 * entry.compress_size


# --- in a thread, as under `make run` --------------------------------------------------------


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_in_process_the_import_runs_in_a_thread_while_the_editor_watches(
    django_user_model, site_tree, monkeypatch
):
    """The in-process task backend would run the import inside the request; it runs in a
    thread instead, and the status pages answer while its transaction holds the database."""
    client = Client()
    client.force_login(make_staff(django_user_model, "mover", perms=["run_import"]))
    inside, release = threading.Event(), threading.Event()
    finish = Import._finish

    def held(self):
        if not self.options.dry_run:
            inside.set()
            assert release.wait(60)
        return finish(self)

    monkeypatch.setattr(Import, "_finish", held)
    response = upload(client, WXR)
    assert response.status_code == 303
    run = ImportRun.objects.get()
    wait_for(lambda: ImportRun.objects.get().state == State.CHECKED)

    assert client.post(run_url(run, "import")).status_code == 303
    assert inside.wait(60)  # in the import's transaction, every item read
    try:
        page = client.get(run_url(run)).content.decode()
        assert "Importing: all 2 items read" in page and 'http-equiv="refresh"' in page
        assert "An import is under way" in client.get(INDEX).content.decode()
        assert not Page.objects.filter(title="Saying no kindly").exists()  # not committed yet
    finally:
        release.set()
    wait_for(lambda: ImportRun.objects.get().state == State.DONE)
    assert Page.objects.filter(title="Saying no kindly", live=True).exists()
    assert "guides: 2 created" in client.get(run_url(run)).content.decode()
