"""Words: one indexed full-text query, FTS5 with bm25 on SQLite, a GIN-indexed tsvector with
ts_rank_cd on PostgreSQL (the tables are made by migration 0001).

Only words reach the index, each quoted, so a reader's quotes, stars, `NEAR(` or `OR` are
never syntax.
"""

import re

from django.db import connection

from .models import Document, Key

TERM = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 16
# bm25 column weights on SQLite (title, body): a word in the title counts four times.
TITLE_WEIGHT = 4.0
OPERATORS = frozenset({"and", "or", "not", "near"})
# Ranking costs about a microsecond a matching post: a query of common words ("dear", "have")
# matched 90,000 of 100,000 posts and took 70-140 ms on SQLite. Past this many matches only the
# most recently indexed ones (the highest document ids) are ranked: 10 ms at most
# (bench/README-retrieval.md, "At real size"). Meaning still ranks every post.
RANKED_AT_MOST = 5000


def terms(text):
    """The distinct lower-case words of `text`, without search operators, at most MAX_TERMS."""
    seen = {}
    for word in TERM.findall(str(text or "").replace("\x00", " ").lower()):
        if word not in OPERATORS and word.strip("_"):
            seen.setdefault(word, None)
    return list(seen)[:MAX_TERMS]


def matching(words, kinds=None, limit=50, any_word=False):
    """[(Key, score)] of the live documents with all `words` (any of them with `any_word`),
    best first."""
    words = [w for w in words if w]
    if not words or limit <= 0:
        return []
    if connection.vendor == "postgresql":
        return _postgresql(words, kinds, limit, any_word)
    return _sqlite(words, kinds, limit, any_word)


def _sqlite(words, kinds, limit, any_word):
    match = (" OR " if any_word else " ").join('"' + w.replace('"', '""') + '"' for w in words)
    table = Document._meta.db_table
    oldest_sql = (
        "SELECT rowid FROM retrieval_fts WHERE retrieval_fts MATCH %s "
        "ORDER BY rowid DESC LIMIT 1 OFFSET %s"
    )
    ranked_sql = (
        f"SELECT d.page_id, d.anchor, -bm25(retrieval_fts, {TITLE_WEIGHT}, 1.0) AS score "  # noqa: S608  # constants; the words are a parameter
        f"FROM retrieval_fts JOIN {table} AS d ON d.id = retrieval_fts.rowid "
        "WHERE retrieval_fts MATCH %s AND retrieval_fts.rowid >= %s AND d.live {kinds} "
        "ORDER BY score DESC LIMIT %s"
    )
    return _ranked(oldest_sql, ranked_sql, match, kinds, limit)


def _postgresql(words, kinds, limit, any_word):
    """One query: the newest RANKED_AT_MOST matches, ranked. Finding the cut first and then
    ranking, as on SQLite, read the matching rows' tsvectors twice: "salary" (11,700 of 100,000
    posts) took 43 ms that way and 29 ms this way (bench/README-retrieval.md)."""
    query = (" | " if any_word else " & ").join("'" + w.replace("'", "''") + "'" for w in words)
    table = Document._meta.db_table
    kind_sql, params = _kinds_sql(kinds)
    sql = (
        "SELECT m.page_id, m.anchor, ts_rank_cd(m.words, q) AS score FROM ("  # noqa: S608  # constants; the words are a parameter
        f"SELECT d.id, d.page_id, d.anchor, d.words FROM {table} AS d "
        f"WHERE d.live AND d.words @@ to_tsquery('english', %s) {kind_sql} "
        "ORDER BY d.id DESC LIMIT %s"
        ") AS m, to_tsquery('english', %s) AS q ORDER BY score DESC, m.id LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [query, *params, RANKED_AT_MOST, query, int(limit)])
        return _keyed(cursor.fetchall())


def _ranked(oldest_sql, ranked_sql, query, kinds, limit):
    """Rank the matches of `query`: all of them, or past RANKED_AT_MOST the most recently
    indexed (from the oldest of those, found by `oldest_sql`, on). FTS5 cannot rank a
    subquery's rows by bm25, hence two queries on SQLite."""
    kind_sql, params = _kinds_sql(kinds)
    with connection.cursor() as cursor:
        cursor.execute(oldest_sql, [query, RANKED_AT_MOST - 1])
        oldest = cursor.fetchone()
        cursor.execute(
            ranked_sql.format(kinds=kind_sql),
            [query, oldest[0] if oldest else 0, *params, int(limit)],
        )
        return _keyed(cursor.fetchall())


def _keyed(rows):
    return [(Key(int(pk), anchor), float(score)) for pk, anchor, score in rows]


def _kinds_sql(kinds):
    if kinds is None:
        return "", []
    kinds = list(kinds)
    return "AND d.kind IN (" + ", ".join(["%s"] * len(kinds)) + ")", kinds
