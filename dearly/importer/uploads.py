"""An export uploaded in the admin: streamed to a file in its run's folder, never held in
memory whole, refused above a size limit; and which of the three kinds it is, from its first
bytes rather than its name."""

import codecs
import os
import re
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from .models import ImportRun

Kind = ImportRun.Kind
FIELDS = {"export": "export", "members": "members.csv"}  # form field -> file in the run's folder
SNIFF_BYTES = 64 * 1024
_WXR = re.compile(rb"<rss\b|wordpress\.org/export/")


class StoredUpload(UploadedFile):
    """A file the handler wrote to disk: `path` is where, `name` the name it was sent under."""

    def __init__(self, path, name, content_type, size):
        super().__init__(None, name, content_type, size)
        self.path = Path(path)

    def open(self, mode="rb"):
        self.file = open(self.path, mode)  # noqa: SIM115  # closed by the caller, as a File is
        return self

    def temporary_file_path(self):
        return str(self.path)


class ExportUploadHandler(FileUploadHandler):
    """Writes the form's `export` and `members` files to `folder`, 64 KB at a time.

    A file over `max_bytes` is dropped (its partial copy deleted, the rest of it read and
    discarded so that the form's other fields, the CSRF token among them, still arrive) and
    named in `too_large`. With `folder` None (an import is already under way) every file is
    dropped unwritten."""

    def __init__(self, request, folder, max_bytes):
        super().__init__(request)
        self.folder = Path(folder) if folder else None
        self.max_bytes = max_bytes
        self.too_large = set()
        self.received = set()
        self.handle = None
        self.path = None

    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, file_name, *args, **kwargs)
        if self.folder is None or field_name not in FIELDS or field_name in self.received:
            raise SkipFile
        if self.content_length is not None and self.content_length > self.max_bytes:
            self.too_large.add(field_name)
            raise SkipFile
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / FIELDS[field_name]
        self.handle = open(self.path, "wb")  # noqa: SIM115  # closed in file_complete or _drop
        self.received.add(field_name)

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.max_bytes:
            self.too_large.add(self.field_name)
            self._drop()
            raise SkipFile
        self.handle.write(raw_data)
        return None

    def file_complete(self, file_size):
        if self.handle is None:
            return None
        self.handle.close()
        self.handle = None
        return StoredUpload(self.path, self.file_name, self.content_type, file_size)

    def upload_interrupted(self):
        self._drop()

    def _drop(self):
        if self.handle is not None:
            self.handle.close()
            self.handle = None
            self.path.unlink(missing_ok=True)
            self.received.discard(self.field_name)


def detect(path):
    """The kind of export a file is, from its first bytes (None: none of the three), and a
    hint when it is something else people are known to upload."""
    with open(path, "rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return Kind.SUBSTACK, ""
    if head.startswith(b"\x1f\x8b"):
        return None, "it is compressed (gzip): unpack it and upload the file inside"
    text = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if text.startswith(b"{"):
        return Kind.GHOST, ""
    if text.startswith(b"<") and _WXR.search(text):
        return Kind.WORDPRESS, ""
    return None, ""


def display_name(name):
    """The name a file was sent under, fit to show and store (no control characters)."""
    name = "".join(c for c in os.path.basename(str(name)) if c.isprintable()).strip()
    return name[:200] or "export"
