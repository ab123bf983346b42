"""The import table in memory: what earlier runs (and this one) made from which source key.

Rows are read once per site and written in bulk, so re-running over 100,000 comments costs a
handful of queries, not one per comment. The comments this run creates are
forgotten once written (`forget_written`): a million of them held 300 MB."""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from ..models import ImportedObject

Kind = ImportedObject.Kind


@dataclass(slots=True)
class Known:
    row_id: int | None
    object_id: int | None
    fingerprint: str = ""
    content_type_id: int | None = None


class ImportTable:
    def __init__(self, forgettable=()):
        self.forgettable = set(forgettable)  # kinds whose rows `forget_written` may forget
        self.loaded = {}  # source -> {(kind, key): Known}
        self.new_rows = {}  # (source, kind, key) -> row
        self.changed_rows = {}  # row id -> row
        self.written = {}  # (source, kind) -> keys created by this run, written, still in memory
        self.forgotten = {}  # (source, kind) -> keys created by this run, written, forgotten

    def _rows(self, source):
        if source not in self.loaded:
            rows = ImportedObject.objects.filter(source=source).values_list(
                "kind", "key", "id", "object_id", "fingerprint", "content_type_id"
            )
            self.loaded[source] = {
                (kind, key): Known(row_id, object_id, fingerprint, ct)
                for kind, key, row_id, object_id, fingerprint, ct in rows.iterator(chunk_size=5000)
            }
        return self.loaded[source]

    def get(self, source, kind, key):
        key = str(key)[:255]
        rows = self._rows(source)
        known = rows.get((kind, key))
        if known is None and _compact(key) in self.forgotten.get((source, kind), ()):
            # The same key twice in one export: read back what the first one made.
            row = ImportedObject.objects.filter(source=source, kind=kind, key=key).first()
            if row is not None:
                known = rows[(kind, key)] = Known(
                    row.pk, row.object_id, row.fingerprint, row.content_type_id
                )
        return known

    def forget_written(self, kind):
        """Forget the rows of `kind` (one of `forgettable`) this run created and wrote: they are
        in the database, and only their keys are kept (an int for a WordPress id), so that one
        seen again is read back. For comments, whose keys are not asked for again once their
        post is done."""
        for (source, row_kind), keys in self.written.items():
            if row_kind != kind:
                continue
            rows = self.loaded[source]
            gone = self.forgotten.setdefault((source, kind), set())
            for key in keys:
                rows.pop((kind, key), None)
                gone.add(_compact(key))
            keys.clear()

    def object_id(self, source, kind, key):
        known = self.get(source, kind, key)
        return known.object_id if known else None

    def record(self, source, kind, key, obj=None, *, old_url="", fingerprint="", model=None):
        """Remember that WordPress `key` became `obj` (written at the next flush)."""
        key = str(key)[:255]
        object_id = obj.pk if obj is not None else None
        model = model or (type(obj) if obj is not None else None)
        content_type = ContentType.objects.get_for_model(model) if model else None
        rows = self._rows(source)
        known = rows.get((kind, key))
        row = ImportedObject(
            source=source,
            kind=kind,
            key=key,
            content_type=content_type,
            object_id=object_id,
            old_url=old_url,
            fingerprint=fingerprint,
            imported_at=timezone.now(),
        )
        if known is None or known.row_id is None:
            self.new_rows[(source, kind, key)] = row
            rows[(kind, key)] = Known(None, object_id, fingerprint, row.content_type_id)
        else:
            row.pk = known.row_id
            self.changed_rows[known.row_id] = row
            rows[(kind, key)] = Known(known.row_id, object_id, fingerprint, row.content_type_id)

    def flush(self):
        if self.new_rows:
            ImportedObject.objects.bulk_create(list(self.new_rows.values()), batch_size=2000)
            for row in self.new_rows.values():
                known = self.loaded[row.source].get((row.kind, row.key))
                if known is not None and known.row_id is None and row.pk is not None:
                    known.row_id = row.pk
                    if row.kind in self.forgettable:
                        key = (row.source, row.kind)
                        self.written.setdefault(key, []).append(row.key)
            self.new_rows = {}
        if self.changed_rows:
            ImportedObject.objects.bulk_update(
                list(self.changed_rows.values()),
                ["content_type", "object_id", "old_url", "fingerprint", "imported_at"],
                batch_size=500,
            )
            self.changed_rows = {}


def _compact(key):
    """A key as it is kept once forgotten: "123" as 123 (a third of the memory)."""
    return int(key) if key.isdecimal() and key.isascii() and str(int(key)) == key else key
