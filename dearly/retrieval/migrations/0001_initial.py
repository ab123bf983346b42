from django.db import migrations, models

# SQLite: an FTS5 index over the live documents' title and body, kept by triggers. Titles weigh
# more through bm25's column weights at query time (lexical.py).
SQLITE = [
    """CREATE VIRTUAL TABLE retrieval_fts USING fts5(
        title, body, content='retrieval_document', content_rowid='page_id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER retrieval_fts_insert AFTER INSERT ON retrieval_document WHEN new.live
    BEGIN
        INSERT INTO retrieval_fts(rowid, title, body) VALUES (new.page_id, new.title, new.body);
    END""",
    """CREATE TRIGGER retrieval_fts_delete AFTER DELETE ON retrieval_document WHEN old.live
    BEGIN
        INSERT INTO retrieval_fts(retrieval_fts, rowid, title, body)
        VALUES ('delete', old.page_id, old.title, old.body);
    END""",
    """CREATE TRIGGER retrieval_fts_update AFTER UPDATE OF live, title, body ON retrieval_document
    BEGIN
        INSERT INTO retrieval_fts(retrieval_fts, rowid, title, body)
        SELECT 'delete', old.page_id, old.title, old.body WHERE old.live;
        INSERT INTO retrieval_fts(rowid, title, body)
        SELECT new.page_id, new.title, new.body WHERE new.live;
    END""",
]
SQLITE_UNDO = [
    "DROP TRIGGER IF EXISTS retrieval_fts_update",
    "DROP TRIGGER IF EXISTS retrieval_fts_delete",
    "DROP TRIGGER IF EXISTS retrieval_fts_insert",
    "DROP TABLE IF EXISTS retrieval_fts",
]
# PostgreSQL: the words as a generated column, weighted (title A, body B), in a GIN index.
POSTGRESQL = [
    """ALTER TABLE retrieval_document ADD COLUMN words tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A')
        || setweight(to_tsvector('english', coalesce(body, '')), 'B')) STORED""",
    "CREATE INDEX retrieval_document_words ON retrieval_document USING gin (words) WHERE live",
]
POSTGRESQL_UNDO = [
    "DROP INDEX IF EXISTS retrieval_document_words",
    "ALTER TABLE retrieval_document DROP COLUMN IF EXISTS words",
]


def run(statements):
    def apply(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in statements.get(vendor, ()):
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Document",
            fields=[
                ("page_id", models.IntegerField(primary_key=True, serialize=False)),
                ("kind", models.CharField(max_length=20)),
                ("live", models.BooleanField(default=True)),
                ("title", models.TextField(blank=True)),
                ("body", models.TextField(blank=True)),
                ("digest", models.CharField(blank=True, max_length=64)),
                ("vector", models.BinaryField(null=True)),
                ("updated_at", models.DateTimeField(db_index=True)),
            ],
            options={
                "indexes": [
                    models.Index(fields=["kind", "live"], name="retrieval_kind_live"),
                ],
            },
        ),
        migrations.RunPython(
            run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            run({"sqlite": SQLITE_UNDO, "postgresql": POSTGRESQL_UNDO}),
        ),
    ]
