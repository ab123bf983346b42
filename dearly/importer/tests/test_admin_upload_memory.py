"""A 100 MB export uploaded in the admin is streamed to disk: the request never holds it.

The test client builds a request's whole body in memory, so this one is sent as a server
sends it: a WSGI environ whose input is a file, through Django's whole stack (sessions, the
CSRF check, Wagtail's admin access) by the handler the test client uses, and the memory the
request allocates is measured."""

import resource
import time
import tracemalloc

from django.conf import settings
from django.test import Client
from django.test.client import ClientHandler

import pytest

from dearly.importer import runs
from dearly.importer.models import ImportRun
from dearly.questions.tests.test_inbox import make_staff

from .conftest import WXR_HEAD, item_xml

pytestmark = pytest.mark.django_db
SIZE = 100 * 1024 * 1024
BOUNDARY = "dearly-test-boundary"
TOKEN = "t" * 32  # a CSRF secret: the cookie and the form carry the same one
PEAK_LIMIT = 4 * 1024 * 1024  # bytes allocated at once, at most, for a 100 MB upload (0.4 MB)


def write_body(path, size):
    """A multipart form as a browser sends it: the CSRF token first, then a WordPress export
    of `size` bytes (a short one padded with an XML comment)."""
    head = WXR_HEAD.encode() + b"<!--"
    tail = b"-->\n" + item_xml(1, "Saying no kindly").encode() + b"</channel></rss>\n"
    padding = size - len(head) - len(tail)
    chunk = b"x" * (1024 * 1024)
    with open(path, "wb") as body:
        body.write(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"'
            f"\r\n\r\n{TOKEN}\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; "
            f'name="export"; filename="big-export.xml"\r\nContent-Type: text/xml\r\n\r\n'.encode()
        )
        body.write(head)
        for _ in range(padding // len(chunk)):
            body.write(chunk)
        body.write(b"x" * (padding % len(chunk)))
        body.write(tail)
        body.write(f"\r\n--{BOUNDARY}--\r\n".encode())
    return path.stat().st_size


def environ(session, stream, length):
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/admin/move-in/upload/",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": stream,
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(length),
        "HTTP_COOKIE": f"{settings.SESSION_COOKIE_NAME}={session}; csrftoken={TOKEN}",
    }


def post(handler, path, session, length):
    with open(path, "rb") as stream:
        return handler(environ(session, stream, length))


def test_a_100_mb_upload_is_streamed_to_disk(django_user_model, site_tree, settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"
    client = Client()
    client.force_login(make_staff(django_user_model, "mover", perms=["run_import"]))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    # Django's own handler, as the test client uses it, with the CSRF check enforced.
    handler = ClientHandler(enforce_csrf_checks=True)
    # A first, small upload: what the first request of a process loads is not the upload's.
    small = tmp_path / "small"
    assert post(handler, small, session, write_body(small, 100_000)).status_code == 303
    ImportRun.objects.all().delete()

    body = tmp_path / "body"
    length = write_body(body, SIZE)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    started = time.monotonic()
    try:
        response = post(handler, body, session, length)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    seconds = time.monotonic() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    run = ImportRun.objects.get()
    print(
        f"\n100 MB upload: {seconds:.1f} s, peak Python allocation {peak / 1e6:.2f} MB, "
        f"process peak RSS grew by {(rss_after - rss_before) / 1024:.1f} MB"
    )
    assert response.status_code == 303, response.content.decode()[:3000]
    assert (run.kind, run.export_name, run.size) == ("wordpress", "big-export.xml", SIZE)
    assert (runs.folder(run.pk) / "export").stat().st_size == SIZE
    assert peak < PEAK_LIMIT
    assert rss_after - rss_before < 20 * 1024  # KB: far less than the file
