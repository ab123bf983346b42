"""What retrieval knows of each public page: its words, in the full-text index, and its meaning,
as a vector. One row per page that a `retrieval_documents()` method describes (articles' guides
and letters), and one per letter of a round-up, which readers find on its own (its anchor in
the page, "letter-2"). The full-text index is kept from these rows by the database itself
(migrations 0001 and 0002: FTS5 and triggers on SQLite, a generated tsvector column with a GIN
index on PostgreSQL)."""

from typing import NamedTuple

from django.db import models


class Key(NamedTuple):
    """What a document is of: a page, or with `anchor` one letter of a round-up ("letter-2",
    its address being the page's with "#letter-2")."""

    page_id: int
    anchor: str = ""


class Document(models.Model):
    # The full-text index's rowid and the vectors' key. Rows are numbered as they are first
    # written, so the highest ids are the most recently published (lexical.RANKED_AT_MOST).
    id = models.BigAutoField(primary_key=True)
    # A plain integer, not a foreign key: a deleted page leaves its rows, marked not live, so
    # that every process's vectors in memory (vectors.py) learn that it went.
    page_id = models.IntegerField()
    # Empty for a whole page; a round-up's letter is found at its anchor ("letter-2").
    anchor = models.CharField(max_length=30, blank=True, default="")
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
        constraints = [
            models.UniqueConstraint(fields=["page_id", "anchor"], name="retrieval_page_anchor")
        ]

    def __str__(self):
        return f"{self.kind} {self.page_id}{'#' + self.anchor if self.anchor else ''}: {self.title}"

    @property
    def key(self):
        return Key(self.page_id, self.anchor)
