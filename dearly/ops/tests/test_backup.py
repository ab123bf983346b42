"""`manage.py backup` / `restore` (make backup, make restore FILE=...): a round trip with pages,
comments and media on the configured database (SQLite, or PostgreSQL in CI), refused archives
that leave the database alone, and a full disk that leaves earlier backups intact."""

import errno
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

from django.core.files.images import ImageFile
from django.core.management import CommandError, call_command
from django.db import connection

from wagtail.images.models import Image
from wagtail.models import Page

import pytest
from PIL import Image as PILImage

from dearly.articles.models import ArticlePage, LetterPage
from dearly.comments.models import Comment
from dearly.comments.tests.helpers import make_comment, make_reader
from dearly.ops import backups
from dearly.testing import REPO, make_article, make_letter, make_site_tree


@pytest.fixture(autouse=True)
def _needs_dump_tools():
    if connection.vendor == "postgresql" and not shutil.which("pg_dump"):
        pytest.skip("pg_dump not found (apt-get install postgresql-client-15)")


@pytest.fixture
def media(settings, tmp_path):
    """Uploads on local disk (the test settings keep them in memory)."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


def png_bytes(colour):
    buffer = io.BytesIO()
    PILImage.new("RGB", (8, 8), colour).save(buffer, "PNG")
    return buffer.getvalue()


def backup(directory):
    out = io.StringIO()
    call_command("backup", dir=str(directory), stdout=out)
    return out.getvalue().split("Backup written: ")[1].split(" (")[0]


def restore(archive, directory):
    out = io.StringIO()
    call_command("restore", str(archive), dir=str(directory), interactive=False, stdout=out)
    return out.getvalue()


def archives(directory):
    return sorted(p.name for p in directory.iterdir())


@pytest.mark.django_db(transaction=True)
def test_round_trip_brings_back_pages_comments_and_media(tmp_path, media):
    tree = make_site_tree()
    guide = make_article(tree["guides"], title="Asking for a raise")
    letter = make_letter(tree["letters"], pen_name="Restless")
    reader = make_reader()
    first = make_comment(guide, author=reader, body="This helped me a lot.")
    reply = make_comment(guide, author=reader, body="A follow-up thought.", parent=first)
    image = Image.objects.create(
        title="Desk", file=ImageFile(io.BytesIO(png_bytes("red")), name="desk.png")
    )
    image_bytes = (media / image.file.name).read_bytes()

    archive = backup(tmp_path / "backups")
    assert archive.endswith(".tar.gz") and os.path.dirname(archive) == str(tmp_path / "backups")

    # Things change after the backup: an edit, deletions, a new comment, a lost file.
    guide.title = "Renamed after the backup"
    guide.save_revision().publish()
    letter_pk, first_pk, image_pk = letter.pk, first.pk, image.pk
    letter.delete()
    first.delete()  # and its reply with it
    later = make_comment(guide, author=reader, body="Posted after the backup.")
    (media / image.file.name).unlink()
    image.delete()
    (media / "original_images").mkdir(exist_ok=True)
    (media / "original_images" / "stray.png").write_bytes(png_bytes("blue"))

    output = restore(archive, tmp_path / "backups")
    assert "Media: " in output and "pre-restore" in output

    assert ArticlePage.objects.get(pk=guide.pk).title == "Asking for a raise"
    assert LetterPage.objects.filter(pk=letter_pk, pen_name="Restless", live=True).exists()
    bodies = set(Comment.objects.values_list("body", flat=True))
    assert bodies == {"This helped me a lot.", "A follow-up thought."}
    assert Comment.objects.get(pk=reply.pk).parent_id == first_pk
    assert not Comment.objects.filter(pk=later.pk).exists()
    restored = Image.objects.get(pk=image_pk)
    assert (media / restored.file.name).read_bytes() == image_bytes
    assert not (media / "original_images" / "stray.png").exists()
    # The state just before the restore was kept, and no work files were left behind.
    names = archives(tmp_path / "backups")
    assert len(names) == 2 and any(n.endswith("-pre-restore.tar.gz") for n in names)


class FullDisk(io.RawIOBase):
    """A file that takes some bytes, then fails as a full disk does."""

    def __init__(self, path, room):
        self.real, self.room = open(path, "xb"), room  # noqa: SIM115  # closed in close()

    def writable(self):
        return True

    def write(self, data):
        if self.room < len(data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.room -= len(data)
        return self.real.write(data)

    def fileno(self):
        return self.real.fileno()

    def close(self):
        self.real.close()
        super().close()


@pytest.mark.django_db
def test_a_full_disk_leaves_the_previous_backup_intact_and_no_partial_file(tmp_path, monkeypatch):
    make_site_tree()
    directory = tmp_path / "backups"
    previous = backup(directory)
    before = Path(previous).read_bytes()

    monkeypatch.setattr(backups, "_open_for_writing", lambda path: FullDisk(path, 4096))
    with pytest.raises(CommandError, match=r"Backup failed.*the disk is full"):
        call_command("backup", dir=str(directory), stdout=io.StringIO())

    assert archives(directory) == [os.path.basename(previous)]  # no partial file, no work dir
    assert Path(previous).read_bytes() == before


@pytest.mark.servers
def test_backup_into_an_unwritable_place_exits_non_zero_with_one_line():
    run = subprocess.run(
        [sys.executable, "manage.py", "backup", "--dir", "/dev/full/backups"],
        cwd=REPO,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "dearly.settings.test"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode != 0
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("CommandError: Backup failed"), run.stderr


@pytest.mark.servers
def test_make_restore_without_file_refuses_with_one_line():
    if not shutil.which("make"):
        pytest.skip("make not found")
    run = subprocess.run(
        ["make", "-s", "restore"], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert run.returncode != 0
    # make's own "make: *** …" line is "make[1]: *** …" when the tests run under `make test`
    lines = [line for line in run.stderr.splitlines() if not re.match(r"make(\[\d+\])?:", line)]
    assert len(lines) == 1 and "FILE=" in lines[0], run.stderr


# Archives that must be refused before anything is touched


def tampered_archive(path, good, replace=None, extra=None):
    """A copy of the good archive with members replaced or added."""
    with tarfile.open(good, "r:gz") as source, tarfile.open(path, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            data = (replace or {}).get(member.name, data)
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
        for name, data in (extra or {}).items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            target.addfile(info, io.BytesIO(data))
    return path


@pytest.fixture
def good_archive(db, tmp_path):
    make_site_tree()
    return backup(tmp_path / "backups")


def refused(archive, tmp_path, reason):
    pages = Page.objects.count()
    with pytest.raises(CommandError, match=reason):
        restore(archive, tmp_path / "backups")
    assert Page.objects.count() == pages
    assert not any("pre-restore" in n for n in archives(tmp_path / "backups"))
    assert not any(n.startswith(".") for n in archives(tmp_path / "backups"))


def test_answering_no_changes_nothing(tmp_path, good_archive, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    pages = Page.objects.count()
    with pytest.raises(CommandError, match="Restore cancelled; nothing was changed"):
        call_command("restore", good_archive, dir=str(tmp_path / "backups"), stdout=io.StringIO())
    assert Page.objects.count() == pages
    assert archives(tmp_path / "backups") == [os.path.basename(good_archive)]


def test_a_truncated_archive_is_refused(tmp_path, good_archive):
    data = Path(good_archive).read_bytes()
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(data[: len(data) // 2])
    refused(truncated, tmp_path, "not a complete Dearly backup")


def test_random_bytes_are_refused(tmp_path, db):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(os.urandom(4096))
    refused(junk, tmp_path, "not a complete Dearly backup")


def test_a_missing_file_is_refused(tmp_path, db):
    refused(tmp_path / "nowhere.tar.gz", tmp_path, "no such backup file")


def test_a_damaged_database_snapshot_is_refused(tmp_path, good_archive):
    name = backups.DATABASE_FILES[connection.vendor]
    bad = tampered_archive(tmp_path / "bad.tar.gz", good_archive, replace={name: b"not a db"})
    refused(bad, tmp_path, "damaged")


def test_an_archive_escaping_its_folder_is_refused(tmp_path, good_archive):
    evil = tampered_archive(
        tmp_path / "evil.tar.gz", good_archive, extra={"../../escaped.txt": b"gotcha"}
    )
    refused(evil, tmp_path, "not a complete Dearly backup")
    assert not (tmp_path / "escaped.txt").exists()
    assert not (tmp_path.parent / "escaped.txt").exists()


def test_media_that_is_not_a_folder_is_refused(tmp_path, db, media):
    make_site_tree()
    good = backup(tmp_path / "backups")
    odd = tampered_archive(tmp_path / "odd.tar.gz", good, extra={"media": b"a file"})
    refused(odd, tmp_path, "media is not a folder")


def test_a_tar_that_is_not_a_dearly_backup_is_refused(tmp_path, db):
    other = tmp_path / "other.tar.gz"
    with tarfile.open(other, "w:gz") as tar:
        info = tarfile.TarInfo("notes.txt")
        info.size = 5
        tar.addfile(info, io.BytesIO(b"hello"))
    refused(other, tmp_path, "not a Dearly backup")


@pytest.mark.django_db(transaction=True)
def test_a_backup_made_before_the_cache_table_existed_restores_with_a_working_cache(
    tmp_path, settings
):
    from django.core.cache import cache

    table = settings.CACHES["default"].get("LOCATION")
    if "DatabaseCache" not in settings.CACHES["default"]["BACKEND"]:
        pytest.skip("the shared cache is Redis here (REDIS_URL)")
    make_site_tree()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {connection.ops.quote_name(table)}")
    try:
        archive = backup(tmp_path / "backups")  # as an older release made it
    finally:
        call_command("createcachetable", verbosity=0)
    err = io.StringIO()
    call_command(
        "restore", archive, dir=str(tmp_path / "backups"), interactive=False,
        stdout=io.StringIO(), stderr=err,
    )  # fmt: skip
    assert err.getvalue() == ""
    assert cache.add("rate-limit-lock", True) and not cache.add("rate-limit-lock", True)
