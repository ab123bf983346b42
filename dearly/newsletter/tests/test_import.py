"""Importing people who agreed, from another service's CSV: in the editor and by command;
all or nothing; unsubscribed and bouncing addresses never come back active."""

from io import StringIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

import pytest

from dearly.comments.tests.helpers import make_reader
from dearly.newsletter.models import Subscriber

pytestmark = pytest.mark.django_db

URL = "/admin/import-subscribers/"
GOOD = "email,name,created_at\nann@example.com,Ann,2024-01-01\nBO@example.com,Bo,\n"


@pytest.fixture
def editor_client(client):
    client.force_login(make_reader("editor", is_staff=True, is_superuser=True))
    return client


def upload(client, text, consented=True, frequency="each", name="members.csv"):
    data = {"file": SimpleUploadedFile(name, text if isinstance(text, bytes) else text.encode()),
            "frequency": frequency}  # fmt: skip
    if consented:
        data["consented"] = "on"
    return client.post(URL, data)


def test_the_editor_imports_people_who_agreed(editor_client):
    Subscriber.objects.create(email="bo@example.com", state="pending")
    Subscriber.objects.create(email="cy@example.com", state="unsubscribed")
    Subscriber.objects.create(email="dee@example.com", state="bouncing")
    text = GOOD + "cy@example.com,Cy,\nDEE@example.com,Dee,\nann@example.com,Ann again,\n"
    response = upload(editor_client, text, frequency="weekly")
    assert response.status_code == 302
    states = dict(Subscriber.objects.values_list("email", "state"))
    assert states == {
        "ann@example.com": "active",
        "bo@example.com": "active",  # was waiting: they agreed elsewhere
        "cy@example.com": "unsubscribed",  # never brought back
        "dee@example.com": "bouncing",
    }
    ann = Subscriber.objects.get(email="ann@example.com")
    assert (ann.source, ann.frequency) == ("import", "weekly")
    page = editor_client.get(response["Location"]).content.decode()
    assert "1 added, 1 made active, 0 already subscribed, 2 kept out" in page


def test_without_saying_they_agreed_nothing_is_imported(editor_client):
    response = upload(editor_client, GOOD, consented=False)
    assert response.status_code == 400
    assert "tick the box" in response.content.decode()
    assert not Subscriber.objects.exists()


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("name\nAnn\n", "“email”"),
        ("", "“email”"),
        (GOOD + "not-an-address,X,\n", "line 4"),
        (GOOD + "a@example.com\r\nBcc: x@example.com,X,\n", "line"),
        (GOOD + ("x" * 300) + "@example.com,Long,\n", "line 4"),
        (b"\xff\xfe\x00e\x00m", "UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "UTF-8"),
    ],
)
def test_a_broken_file_imports_nobody_and_says_why(editor_client, text, says):
    response = upload(editor_client, text)
    assert response.status_code == 400
    assert says in response.content.decode()
    assert not Subscriber.objects.exists()


def test_readers_cannot_import(client):
    client.force_login(make_reader("reader"))
    response = upload(client, GOOD)
    assert response.status_code in (302, 403)
    assert not Subscriber.objects.exists()


def test_the_command_imports_and_refuses_like_the_editor(tmp_path):
    good = tmp_path / "members.csv"
    good.write_text(GOOD)
    with pytest.raises(CommandError, match="--consented"):
        call_command("import_subscribers", str(good))
    out = StringIO()
    call_command("import_subscribers", str(good), "--consented", stdout=out)
    assert "2 added" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_text(GOOD + "nope,N,\n")
    with pytest.raises(CommandError, match="line 4"):
        call_command("import_subscribers", str(bad), "--consented")
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_subscribers", str(tmp_path / "missing.csv"), "--consented")
    assert Subscriber.objects.count() == 2
