"""Fresh planner statistics after a bulk write.

PostgreSQL plans a query from statistics that autovacuum gathers some time after rows change.
Until then, a table that an import has just filled looks empty, and the words' query
(dearly.retrieval.lexical) is planned as if a word were rare: for "dear", in 90,000 of 100,000
letters, it read every match, 275 ms, instead of walking the newest posts, 9 ms
(bench/README-retrieval.md). PostgreSQL's manual says to ANALYZE after populating a database;
this does it. SQLite plans full-text queries without statistics: nothing to do there."""

from django.db import connection


def refresh_statistics(*tables):
    """ANALYZE `tables` (all of the database's without any) on PostgreSQL."""
    if connection.vendor != "postgresql":
        return
    names = ", ".join(connection.ops.quote_name(table) for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {names}".strip())
