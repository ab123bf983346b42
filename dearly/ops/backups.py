"""Backups: one archive with a consistent database snapshot and the uploaded media.

dearly-<UTC time>.tar.gz holds
  manifest.json       format, time, database vendor, the snapshot's SHA-256, media file count
  database.sqlite3    SQLite's online backup (a consistent copy while the site runs), or
  database.pgdump     pg_dump's custom format (one transaction snapshot)
  media/...           MEDIA_ROOT, when media are stored on local disk

The archive is written under a temporary name and linked into place only once complete, so a
failed backup never replaces or damages an earlier one. Restoring checks the whole archive
before it touches the database, and saves the current state first.
"""

import datetime
import errno
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.files.storage import FileSystemStorage, storages
from django.core.management import call_command
from django.db import connection

from dearly.core.invalidation.store import get_store

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
MEDIA = "media"


class BackupError(Exception):
    """A one-line reason the backup or restore did not happen (nothing was changed)."""


def default_directory():
    return Path(settings.VAR_DIR) / "backups"


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _reason(error):
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return "the disk is full"
    return getattr(error, "strerror", None) or str(error) or type(error).__name__


def _media_root():
    """MEDIA_ROOT when uploads live on local disk; None for S3 and other remote storage."""
    storage = storages["default"]
    return Path(storage.location) if isinstance(storage, FileSystemStorage) else None


# PostgreSQL: pg_dump and pg_restore, connected through libpq's environment variables so the
# password never shows in the process list.


def _pg_env():
    db = connection.settings_dict
    env = dict(os.environ)
    for key, var in [
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ]:
        if db.get(key):
            env[var] = str(db[key])
    if db.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = db["OPTIONS"]["sslmode"]
    return env


def _pg_tool(name):
    path = shutil.which(name)
    if not path:
        raise BackupError(
            f"{name} not found: install the PostgreSQL client tools (postgresql-client, the "
            "server's major version or newer)"
        )
    return path


def _run_pg(args, what):
    # Arguments are a fixed list plus paths we made: no shell, nothing from a request.
    run = subprocess.run(args, env=_pg_env(), capture_output=True, text=True, check=False)  # noqa: S603
    if run.returncode != 0:
        lines = [line for line in run.stderr.strip().splitlines() if line.strip()]
        raise BackupError(f"{what} failed: {lines[-1] if lines else f'exit {run.returncode}'}")
    return run


def _snapshot_database(work):
    vendor = connection.vendor
    if vendor not in DATABASE_FILES:
        raise BackupError(f"cannot back up a {vendor} database (SQLite and PostgreSQL only)")
    target = work / DATABASE_FILES[vendor]
    if vendor == "postgresql":
        _run_pg(
            [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "-f", target],
            "pg_dump",
        )
        return target
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name or not Path(name).exists():
        raise BackupError(f"no SQLite database file at {name}")
    # A connection of its own: it sees committed data only, and the copy is one snapshot.
    source = sqlite3.connect(name, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    except sqlite3.Error as error:
        raise BackupError(f"SQLite backup failed: {error}") from error
    finally:
        copy.close()
        source.close()
    return target


def _open_for_writing(path):
    """The archive's file (a seam for the full-disk test)."""
    return open(path, "xb")


def _link_into_place(partial, directory, stem):
    """Give the finished archive its name without ever replacing an existing file."""
    for n in range(100):
        final = directory / (f"{stem}.tar.gz" if n == 0 else f"{stem}-{n}.tar.gz")
        try:
            os.link(partial, final)
        except FileExistsError:
            continue
        except OSError:  # no hard links here (some network filesystems): check, then rename
            if final.exists():
                continue
            os.replace(partial, final)
        return final
    raise BackupError(f"too many backups named {stem}* in {directory}")


def _fsync_directory(directory):
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def create_backup(directory=None, label=""):
    """Write a new archive into directory (var/backups/ by default); return its path."""
    directory = Path(directory or default_directory())
    try:
        directory.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".backup-", dir=directory))
    except OSError as error:
        raise BackupError(f"cannot write to {directory}: {_reason(error)}") from error
    now = datetime.datetime.now(datetime.UTC)
    stem = "dearly-" + now.strftime("%Y%m%dT%H%M%SZ") + (f"-{label}" if label else "")
    try:
        database = _snapshot_database(work)
        media_root = _media_root()
        media_files = (
            sorted(p for p in media_root.rglob("*") if p.is_file() and not p.is_symlink())
            if media_root and media_root.is_dir()
            else []
        )
        manifest = {
            "format": FORMAT,
            "app": "dearly",
            "created": now.isoformat(),
            "database": {
                "vendor": connection.vendor,
                "file": database.name,
                "sha256": _sha256(database),
            },
            "media": {"included": media_root is not None, "files": len(media_files)},
        }
        partial = work / "archive.partial"
        with _open_for_writing(partial) as raw:
            with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
                data = json.dumps(manifest, indent=2).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(now.timestamp()), 0o600
                tar.addfile(info, fileobj=io.BytesIO(data))
                tar.add(database, arcname=database.name)
                for path in media_files:
                    tar.add(path, arcname=f"{MEDIA}/{path.relative_to(media_root).as_posix()}")
            raw.flush()
            os.fsync(raw.fileno())
        final = _link_into_place(partial, directory, stem)
        _fsync_directory(directory)
        return final
    except OSError as error:
        raise BackupError(f"backup not written to {directory}: {_reason(error)}") from error
    finally:
        shutil.rmtree(work, ignore_errors=True)


# Restoring


class Snapshot:
    def __init__(self, manifest, database, media):
        self.manifest, self.database, self.media = manifest, database, media


def read_backup(archive, work):
    """Unpack and check the whole archive into work/; raise BackupError if anything is off."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"{archive}: no such backup file")
    try:
        with tarfile.open(archive, "r:gz") as tar:
            # The "data" filter refuses absolute paths, "..", links out and device files.
            tar.extractall(work, filter="data")
    except (tarfile.TarError, EOFError, zlib.error) as error:
        raise BackupError(f"{archive}: not a complete Dearly backup ({error})") from error
    except OSError as error:
        raise BackupError(f"{archive}: could not be unpacked ({_reason(error)})") from error
    try:
        manifest = json.loads((work / MANIFEST).read_text())
        vendor, name = manifest["database"]["vendor"], manifest["database"]["file"]
        checksum = manifest["database"]["sha256"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BackupError(f"{archive}: no valid {MANIFEST}, not a Dearly backup") from error
    if manifest.get("app") != "dearly" or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive}: not a Dearly backup of format {FORMAT}")
    if DATABASE_FILES.get(vendor) != name or not (work / name).is_file():
        raise BackupError(f"{archive}: the database snapshot is missing")
    if _sha256(work / name) != checksum:
        raise BackupError(f"{archive}: the database snapshot is damaged (checksum mismatch)")
    if vendor != connection.vendor:
        raise BackupError(
            f"{archive} holds a {vendor} database but DATABASE_URL points to {connection.vendor}"
        )
    if vendor == "sqlite":
        _check_sqlite(work / name, archive)
    else:
        _run_pg([_pg_tool("pg_restore"), "--list", work / name], f"{archive}: pg_restore --list")
    media = work / MEDIA if manifest.get("media", {}).get("included") else None
    if media is not None and media.exists() and not media.is_dir():
        raise BackupError(f"{archive}: {MEDIA} is not a folder, not a Dearly backup")
    return Snapshot(manifest, work / name, media)


def _check_sqlite(path, archive):
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = db.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error as error:
        raise BackupError(f"{archive}: the SQLite snapshot is unreadable ({error})") from error
    if result != "ok":
        raise BackupError(f"{archive}: the SQLite snapshot fails its integrity check ({result})")


def _restore_database(snapshot):
    connection.close()
    if connection.vendor == "postgresql":
        _run_pg(
            [
                _pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",  # all or nothing
                "--dbname",
                connection.settings_dict["NAME"],
                snapshot.database,
            ],
            "pg_restore",
        )
        return
    # The online backup API in reverse: page by page inside one write transaction, so other
    # connections see the old database or the restored one, never a mix.
    source = sqlite3.connect(snapshot.database)
    target = sqlite3.connect(str(connection.settings_dict["NAME"]), timeout=30)
    try:
        source.backup(target)
    except sqlite3.Error as error:
        raise BackupError(f"SQLite restore failed, database unchanged: {error}") from error
    finally:
        target.close()
        source.close()


def _restore_media(snapshot):
    """Make MEDIA_ROOT hold exactly the archive's files; returns how many were written."""
    media_root = _media_root()
    if snapshot.media is None or media_root is None:
        return None
    snapshot.media.mkdir(exist_ok=True)  # an empty media folder has no entries in the archive
    media_root.mkdir(parents=True, exist_ok=True)
    wanted = set()
    source_files = [p for p in snapshot.media.rglob("*") if p.is_file()]
    for path in source_files:
        relative = path.relative_to(snapshot.media)
        wanted.add(relative)
        target = media_root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.restoring")
        shutil.copy2(path, temporary)
        os.replace(temporary, target)
    for path in list(media_root.rglob("*")):
        if path.is_file() and path.relative_to(media_root) not in wanted:
            path.unlink()
    return len(source_files)


def _clear_caches():
    """Cached pages and fragments describe the database before the restore; returns what
    could not be emptied (Redis away, say) so the command can say so."""
    # An archive from before the database cache had a table brings none back.
    clearers = {"cache table": lambda: call_command("createcachetable", verbosity=0)}
    clearers |= {f"cache {alias!r}": caches[alias].clear for alias in settings.CACHES}
    clearers["page cache and fragment versions"] = lambda: get_store().clear()
    problems = []
    for name, clear in clearers.items():
        try:
            clear()
        except Exception as error:  # the restore is done: report, do not undo
            problems.append(f"{name} not emptied ({error})")
    return problems


def restore_backup(archive, directory=None, confirm=None):
    """Check archive, ask confirm(manifest) if given, save the current state, then bring back
    its database and media. Returns (pre-restore backup path, media files restored or None,
    caches that could not be emptied)."""
    directory = Path(directory or default_directory())
    try:
        directory.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".restore-", dir=directory))
    except OSError as error:
        raise BackupError(f"cannot write to {directory}: {_reason(error)}") from error
    try:
        snapshot = read_backup(archive, work)
        if confirm is not None and not confirm(snapshot.manifest):
            raise BackupError("cancelled; nothing was changed")
        safety = create_backup(directory, label="pre-restore")
        _restore_database(snapshot)
        try:
            media = _restore_media(snapshot)
        except OSError as error:
            raise BackupError(
                f"database restored but media not fully copied ({_reason(error)}); "
                f"the previous state is in {safety}"
            ) from error
        return safety, media, _clear_caches()
    finally:
        shutil.rmtree(work, ignore_errors=True)
