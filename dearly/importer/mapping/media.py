"""Files from a copy of wp-content/uploads, or Ghost's content/images (--media-dir): images
and documents, never fetched.

A file is found by the part of its old URL after "/uploads/" (Ghost: "/content/images/"); a
resized copy ("photo-300x200.jpg", Ghost's "size/w600/photo.jpg") falls back to the original.
Each file is imported once, keyed by that path, however many posts show it."""

import re
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from django.core.files import File
from django.core.files.images import ImageFile
from django.core.files.storage import default_storage

from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from .state import Kind

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif"}
RESIZED = re.compile(r"-\d+x\d+(?=\.[A-Za-z0-9]+$)")
SIZED = re.compile(r"^size/w\d+(?:h\d+)?/")  # Ghost's resized copies: size/w600/2024/01/a.jpg


def upload_path(url, folder="/uploads/"):
    """ "2013/01/photo.jpg" from any URL containing /uploads/ (the `folder`), else ""."""
    path = unquote(urlsplit(url.strip()).path)
    if not folder or folder not in path:
        return ""
    relative = PurePosixPath(path.split(folder, 1)[1])
    if any(part in ("", ".", "..") for part in relative.parts):
        return ""
    return str(relative)


class MediaLibrary:
    def __init__(self, media_dir, table, report, *, dry_run, folder="/uploads/"):
        self.root = Path(media_dir).resolve() if media_dir else None
        self.folder = folder
        self.table = table
        self.report = report
        self.dry_run = dry_run
        self.stored = []  # file names written to storage, removed if the import fails
        self.cache = {}

    def find(self, url):
        """The file for an old URL inside --media-dir, or None."""
        if self.root is None:
            return None
        relative = upload_path(url, self.folder)
        if not relative:
            return None
        for candidate in (relative, RESIZED.sub("", relative), SIZED.sub("", relative)):
            path = (self.root / candidate).resolve()
            if path.is_relative_to(self.root) and path.is_file():
                return path
        return None

    def image_for(self, source, url, title="", alt=""):
        """The Wagtail image for an old image URL (imported now if need be), or None."""
        obj = self._import(source, url, title, want_image=True)
        return obj if obj is not None and hasattr(obj, "get_rendition") else None

    def file_for(self, source, url, title=""):
        return self._import(source, url, title, want_image=False)

    def _import(self, source, url, title, *, want_image):
        path = self.find(url)
        if path is None:
            return None
        key = str(path.relative_to(self.root))
        if key in self.cache:
            return self.cache[key]
        is_image = path.suffix.lower() in IMAGE_SUFFIXES
        model = get_image_model() if is_image else get_document_model()
        known_id = self.table.object_id(source, Kind.FILE, key)
        obj = model.objects.filter(pk=known_id).first() if known_id else None
        if obj is None:
            if self.dry_run:
                self.report.created["images" if is_image else "documents"] += 1
                self.cache[key] = None
                return None
            obj = self._store(model, path, title or path.stem, is_image)
            if obj is not None:
                self.report.created["images" if is_image else "documents"] += 1
                self.table.record(source, Kind.FILE, key, obj, old_url=url)
        self.cache[key] = obj
        return obj

    def _store(self, model, path, title, is_image):
        wrapper = ImageFile if is_image else File
        try:
            with path.open("rb") as handle:
                obj = model(title=title[:255], file=wrapper(handle, name=path.name))
                obj.save()
        except Exception as error:  # a broken file is reported, never fatal
            self.report.warn(f"{path}: could not import ({error})")
            return None
        self.stored.append(obj.file.name)
        return obj

    def remove_stored(self):
        """After a failed import: the rolled-back rows' files go too."""
        for name in self.stored:
            default_storage.delete(name)
