"""Documents get their own key, so that a page may have several: one per letter of a round-up
(`anchor`). The rows keep their vectors: each is copied with its page id as its new id, and the
full-text index is made again over the new key (FTS5's rowid on SQLite)."""

from django.db import migrations, models

# Both databases: the index over the old key goes first, the table is renamed out of the way,
# the new one made and filled, the old one dropped, and the index made over the new key.
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS retrieval_fts_update",
    "DROP TRIGGER IF EXISTS retrieval_fts_delete",
    "DROP TRIGGER IF EXISTS retrieval_fts_insert",
    "DROP TABLE IF EXISTS retrieval_fts",
]
POSTGRESQL_DROP = [
    "DROP INDEX IF EXISTS retrieval_document_words",
    "ALTER TABLE retrieval_document DROP COLUMN IF EXISTS words",
]


def fts(rowid):
    """migration 0001's FTS5 table and triggers, over `rowid`; only live rows are indexed."""
    return [
        f"""CREATE VIRTUAL TABLE retrieval_fts USING fts5(
            title, body, content='retrieval_document', content_rowid='{rowid}',
            tokenize='porter unicode61 remove_diacritics 2')""",
        f"""CREATE TRIGGER retrieval_fts_insert AFTER INSERT ON retrieval_document WHEN new.live
        BEGIN
            INSERT INTO retrieval_fts(rowid, title, body) VALUES (new.{rowid}, new.title, new.body);
        END""",
        f"""CREATE TRIGGER retrieval_fts_delete AFTER DELETE ON retrieval_document WHEN old.live
        BEGIN
            INSERT INTO retrieval_fts(retrieval_fts, rowid, title, body)
            VALUES ('delete', old.{rowid}, old.title, old.body);
        END""",
        f"""CREATE TRIGGER retrieval_fts_update
        AFTER UPDATE OF live, title, body ON retrieval_document
        BEGIN
            INSERT INTO retrieval_fts(retrieval_fts, rowid, title, body)
            SELECT 'delete', old.{rowid}, old.title, old.body WHERE old.live;
            INSERT INTO retrieval_fts(rowid, title, body)
            SELECT new.{rowid}, new.title, new.body WHERE new.live;
        END""",
        # 'rebuild' would index the rows that are not live too: only the live ones go in.
        f"""INSERT INTO retrieval_fts(rowid, title, body)
        SELECT {rowid}, title, body FROM retrieval_document WHERE live""",
    ]


POSTGRESQL = [
    """ALTER TABLE retrieval_document ADD COLUMN words tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A')
        || setweight(to_tsvector('english', coalesce(body, '')), 'B')) STORED""",
    "CREATE INDEX retrieval_document_words ON retrieval_document USING gin (words) WHERE live",
]

COLUMNS = "kind, live, title, body, digest, vector, updated_at"
COPY_FORWARD = [
    f"INSERT INTO retrieval_document (id, page_id, anchor, {COLUMNS}) "  # noqa: S608  # constants
    f"SELECT page_id, page_id, '', {COLUMNS} FROM retrieval_pagedocument"
]
# PostgreSQL's identity sequence does not see ids inserted by hand: it starts after them.
POSTGRESQL_SEQUENCE = [
    "SELECT setval(pg_get_serial_sequence('retrieval_document', 'id'), "
    "COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM retrieval_document"
]
# Back: a whole page's document only (a round-up's letters have no place in the old shape).
COPY_BACK = [
    f"INSERT INTO retrieval_pagedocument (page_id, {COLUMNS}) "  # noqa: S608  # constants
    f"SELECT page_id, {COLUMNS} FROM retrieval_document WHERE anchor = ''"
]


def run(statements):
    def apply(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in statements.get(vendor, ()):
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("retrieval", "0001_initial")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}),
            run({"sqlite": fts("page_id"), "postgresql": POSTGRESQL}),
        ),
        migrations.RemoveIndex(model_name="document", name="retrieval_kind_live"),
        migrations.RenameModel(old_name="Document", new_name="PageDocument"),
        migrations.CreateModel(
            name="Document",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("page_id", models.IntegerField()),
                ("anchor", models.CharField(blank=True, default="", max_length=30)),
                ("kind", models.CharField(max_length=20)),
                ("live", models.BooleanField(default=True)),
                ("title", models.TextField(blank=True)),
                ("body", models.TextField(blank=True)),
                ("digest", models.CharField(blank=True, max_length=64)),
                ("vector", models.BinaryField(null=True)),
                ("updated_at", models.DateTimeField(db_index=True)),
            ],
            options={
                "indexes": [models.Index(fields=["kind", "live"], name="retrieval_kind_live")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("page_id", "anchor"), name="retrieval_page_anchor"
                    )
                ],
            },
        ),
        migrations.RunPython(
            run(
                {
                    "sqlite": COPY_FORWARD,
                    "postgresql": COPY_FORWARD + POSTGRESQL_SEQUENCE,
                }
            ),
            run({"sqlite": COPY_BACK, "postgresql": COPY_BACK}),
        ),
        migrations.DeleteModel(name="PageDocument"),
        migrations.RunPython(
            run({"sqlite": fts("id"), "postgresql": POSTGRESQL}),
            run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}),
        ),
    ]
