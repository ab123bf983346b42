"""What retrieval knows of each public page: its words, in the full-text index, and its meaning,
as a vector. One row per page that a `retrieval_document()` method describes (articles'
guides and letters); the full-text index is kept from these rows by the database itself
(migration 0001: FTS5 and triggers on SQLite, a generated tsvector column with a GIN index on
PostgreSQL)."""

from django.db import models


class Document(models.Model):
    # A plain integer, not a foreign key: a deleted page leaves its row, marked not live, so
    # that every process's vectors in memory (vectors.py) learn that it went.
    page_id = models.IntegerField(primary_key=True)
    kind = models.CharField(max_length=20)
    live = models.BooleanField(default=True)
    title = models.TextField(blank=True)
    body = models.TextField(blank=True)
    # What was embedded, hashed: a page saved with the same text is not embedded again.
    digest = models.CharField(max_length=64, blank=True)
    # 384 little-endian float32, unit length; null until embedded (or with no model).
    vector = models.BinaryField(null=True)
    updated_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "live"], name="retrieval_kind_live")]

    def __str__(self):
        return f"{self.kind} {self.page_id}: {self.title}"
