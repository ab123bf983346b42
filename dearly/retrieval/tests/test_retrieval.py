"""The documents follow the pages (publish, edit, unpublish, restrict, delete, reindex), and
the words and the meaning are found through them, whatever a reader types."""

import copy
import threading

from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import PageViewRestriction

import numpy as np
import pytest

from dearly.importer.tests.conftest import DATA, imported_page, run_import
from dearly.importer.tests.test_substack import row, substack_zip
from dearly.questions.services import similar_letters
from dearly.retrieval import encoder as encoders
from dearly.retrieval import indexing, lexical, query
from dearly.retrieval.models import Document, Key
from dearly.retrieval.tests.hostile import HOSTILE
from dearly.retrieval.vectors import Vectors
from dearly.testing import make_article, make_letter, make_site_tree, search_indexes

pytestmark = [pytest.mark.django_db, pytest.mark.search_indexes]


def letter(site_tree, pen_name, question, answer="<p>Talk to them plainly.</p>", **kw):
    return make_letter(
        site_tree["letters"],
        title=f"Dear Dr. Mimi – {pen_name}",
        pen_name=pen_name,
        question=f"<p>{question}</p>",
        answer=answer,
        **kw,
    )


@pytest.fixture(scope="module")
def _column(module_db):
    """Built once for the module; each test's changes roll back (`module_db`)."""
    with module_db.unblocked(), search_indexes():
        site_tree = make_site_tree()
        return {
            "micro": letter(
                site_tree,
                "Watched",
                "My supervisor checks every single thing I do and will not let me decide anything.",
            ),
            "pay": letter(
                site_tree,
                "Underpaid",
                "I have not had a salary increase in four years of hard work.",
            ),
            "commute": letter(
                site_tree, "Long Way", "The trip to the office takes two hours each way by train."
            ),
            "guide": make_article(
                site_tree["guides"],
                title="Writing a cover letter",
                intro="How to open, what to say about yourself, and how to close.",
            ),
        }


@pytest.fixture
def column(db, _column):
    return copy.deepcopy(_column)


def test_publishing_makes_a_live_document_with_a_vector(column):
    document = Document.objects.get(page_id=column["micro"].pk)
    assert document.live and document.kind == "letter"
    assert "Watched" in document.body and "supervisor" in document.body
    assert len(bytes(document.vector)) == 384 * 4
    assert Document.objects.get(page_id=column["guide"].pk).kind == "guide"


def test_an_edit_is_embedded_again_only_when_its_meaning_text_changed(column):
    page = column["pay"]
    before = Document.objects.get(page_id=page.pk)
    page.title = "Dear Dr. Mimi – Underpaid and tired"  # a letter's meaning starts at its pen name
    page.save_revision().publish()
    same = Document.objects.get(page_id=page.pk)
    assert same.title == page.title and same.digest == before.digest
    page.question = "<p>My employer moved my desk next to the kitchen.</p>"
    page.save_revision().publish()
    changed = Document.objects.get(page_id=page.pk)
    assert changed.digest != before.digest and bytes(changed.vector) != bytes(before.vector)


def test_unpublishing_restricting_and_deleting_take_pages_out(column):
    column["micro"].unpublish()
    PageViewRestriction.objects.create(page=column["pay"], restriction_type="login")
    column["commute"].delete()
    live = set(Document.objects.filter(live=True).values_list("page_id", flat=True))
    assert live == {column["guide"].pk}
    assert query.similar("boss checks everything I do", kinds=("letter",)) == []
    assert lexical.matching(["salary"]) == []
    PageViewRestriction.objects.filter(page=column["pay"]).delete()
    assert [key.page_id for key, _ in lexical.matching(["salary"])] == [column["pay"].pk]


def test_a_paraphrase_sharing_no_word_finds_its_letter_first(column):
    found = similar_letters("My boss micromanages me and wants to approve all my work")
    assert found[0]["url"] == column["micro"].url
    assert similar_letters("How often should I water an orchid in winter?") == []


def test_every_published_letter_is_compared_with_no_word_filter(column):
    ids = [row[0].page_id for row in query.by_meaning("boss hovering", kinds=("letter",), limit=10)]
    assert set(ids) == {column["micro"].pk, column["pay"].pk, column["commute"].pk}


def test_search_blends_words_and_meaning(client, column):
    html = client.get("/search/", {"q": "boss hovers over my work"}).content.decode()
    assert column["micro"].title in html
    html = client.get("/search/", {"q": "cover letter yourself"}).content.decode()
    assert "<mark>yourself</mark>" in html and column["guide"].title in html


def test_without_the_model_similar_ranks_by_words(column, monkeypatch):
    monkeypatch.setattr(encoders, "_loaded", {"encoder": None})
    ranked = query.similar("salary increase", kinds=("letter",))
    assert [key for key, _ in ranked] == [Key(column["pay"].pk)]
    assert query.search("salary")[0][0] == Key(column["pay"].pk)


def test_another_process_reads_only_what_changed(column):
    other = Vectors()  # as a second server worker holds them
    other.refresh()
    assert other.count == 4
    micro = column["micro"]
    micro.unpublish()
    other.refresh()
    assert other.vector_of(micro.pk) is None
    query_vector = other.vector_of(column["pay"].pk)
    assert micro.pk not in [row[0].page_id for row in other.nearest(query_vector, limit=10)]


def test_rows_kept_in_int8_give_the_stored_cosines(column):
    held = Vectors()
    held.refresh()
    stored = {
        pk: np.frombuffer(vector, dtype="<f4")
        for pk, vector in Document.objects.filter(live=True).values_list("page_id", "vector")
    }
    query_vector = stored[column["pay"].pk]
    found = held.nearest(query_vector, limit=10)
    assert len(found) == len(stored) == 4
    for key, _, cosine in found:
        assert abs(cosine - float(stored[key.page_id] @ query_vector)) < 0.005
    assert found[0][0] == Key(column["pay"].pk)
    assert np.allclose(held.vector_of(column["pay"].pk), query_vector, atol=0.005)


def test_reindex_is_safe_to_run_again(column):
    Document.objects.filter(page_id=column["pay"].pk).delete()
    progress = []
    pages, written, embedded = indexing.reindex(progress=lambda *a: progress.append(a))
    assert (written, embedded) == (1, 1) and pages >= 4
    assert progress and progress[-1][0] == progress[-1][1]
    document = Document.objects.get(page_id=column["pay"].pk)  # embedded by the threads ahead
    meaning = column["pay"].specific.retrieval_document().meaning
    expected = encoders.encoder().encode([meaning], max_tokens=encoders.DOCUMENT_TOKENS)[0]
    assert float(np.frombuffer(document.vector, dtype="<f4") @ expected) > 0.9999
    assert indexing.reindex()[1:] == (0, 0)
    call_command("reindex", "--retrieval-only", verbosity=0)


def test_indexing_reads_a_batchs_topics_in_one_query_per_page_type(column):
    def topic_queries(names):
        Document.objects.update(title="stale")  # every document is written again
        with CaptureQueriesContext(connection) as captured:
            assert indexing.index_pages([column[name].pk for name in names])[0] == len(names)
        return sum('FROM "articles_topic"' in query["sql"] for query in captured)

    # A letter and a guide, then three letters and the guide: one query per page type.
    assert topic_queries(["micro", "guide"]) == topic_queries(["micro", "pay", "commute", "guide"])
    assert topic_queries(["micro", "pay", "commute"]) == 1


def test_reindex_missing_indexes_only_pages_without_a_document(column):
    Document.objects.filter(page_id__in=[column["pay"].pk, column["guide"].pk]).delete()
    assert indexing.reindex(missing_only=True) == (2, 2, 2)
    assert indexing.reindex(missing_only=True) == (0, 0, 0)
    call_command("reindex", "--missing", verbosity=0)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_never_syntax(column, text):
    words = lexical.terms(text)
    assert len(words) <= lexical.MAX_TERMS
    lexical.matching(words)
    lexical.matching(words, any_word=True, kinds=["letter"])
    query.search(text or "")
    query.similar(text)


def test_an_import_indexes_every_page_it_brings(client, site_tree):
    run_import(DATA / "letters.xml")
    documents = Document.objects.filter(live=True)
    assert documents.filter(kind="letter").count() >= 3
    assert not documents.filter(vector__isnull=True).exists()
    found = similar_letters("Someone next door plays a brass instrument very early every day")
    assert "trumpet" in found[0]["title"]


def test_bulk_writes_refresh_postgresqls_statistics_at_once(site_tree, monkeypatch):
    """Without fresh statistics PostgreSQL plans the words' query for a common word as if it
    were rare (275 ms instead of 9 at 100,000 posts): an import and a large reindex ANALYZE."""

    def analyzed(write):
        with CaptureQueriesContext(connection) as captured:
            write()
        return [query["sql"] for query in captured if query["sql"].startswith("ANALYZE")]

    dry_run = analyzed(lambda: run_import(DATA / "letters.xml", "--dry-run"))
    imported = analyzed(lambda: run_import(DATA / "letters.xml"))
    monkeypatch.setattr(indexing, "ANALYZE_AFTER", 2)
    Document.objects.update(title="stale")
    reindexed = analyzed(
        lambda: indexing.index_pages(Document.objects.values_list("page_id", flat=True))
    )
    if connection.vendor == "postgresql":
        assert dry_run == [] and imported[-1] == "ANALYZE"
        assert reindexed == ['ANALYZE "retrieval_document"']
    else:  # SQLite's full-text queries are planned without statistics
        assert dry_run == imported == reindexed == []


def test_an_import_embeds_ahead_and_the_vectors_are_the_pages_own(site_tree, monkeypatch):
    """The import hands its pages to background threads as it writes them; each stored vector
    is the encoder's for the page's text as indexed, even when the text changed after."""
    added, made = [], []
    add = indexing.Ahead.add
    monkeypatch.setattr(
        indexing.Ahead, "add", lambda self, ids: added.extend(ids) or add(self, ids)
    )
    encode = encoders.Encoder.encode
    monkeypatch.setattr(
        encoders.Encoder,
        "encode",
        lambda self, texts, **kw: (
            made.append((threading.current_thread().name, list(texts))) or encode(self, texts, **kw)
        ),
    )
    before = set(Document.objects.values_list("page_id", flat=True))
    run_import(DATA / "letters.xml")
    during_import, made[:] = list(made), []
    ahead = [
        text for name, texts in during_import if name.startswith("embed-ahead") for text in texts
    ]
    documents = list(Document.objects.filter(live=True, kind="letter").exclude(page_id__in=before))
    assert len(documents) >= 3 and {d.page_id for d in documents} <= set(added)
    model = encoders.encoder()
    for document in documents:
        page = document.page_id and indexing.Page.objects.get(pk=document.page_id).specific
        meaning = page.retrieval_document().meaning
        assert document.digest == indexing.digest(meaning)
        stored = np.frombuffer(document.vector, dtype="<f4")
        expected = model.encode([meaning], max_tokens=encoders.DOCUMENT_TOKENS)[0]
        assert float(stored @ expected) > 0.9999
        # Embedded once, by the threads ahead; the import's own thread embedded nothing again.
        assert ahead.count(meaning) == 1
        assert all(meaning not in texts for name, texts in during_import if name == "MainThread")


def test_an_import_embeds_ahead_only_the_pages_it_indexes(site_tree, tmp_path, monkeypatch):
    """A post for members only is behind a login: never indexed, so never embedded either."""
    made = []
    encode = encoders.Encoder.encode
    monkeypatch.setattr(
        encoders.Encoder,
        "encode",
        lambda self, texts, **kw: made.extend(texts) or encode(self, texts, **kw),
    )
    rows = [
        row(1, "Saying no to a fifth project"),
        row(2, "Asking for a raise", audience="only_free"),
    ]
    run_import(substack_zip(tmp_path / "export.zip", rows), command="import_substack")
    open_post, members = imported_page("substack", "1001"), imported_page("substack", "1002")
    assert Document.objects.get(page_id=open_post.pk).vector is not None
    assert not Document.objects.filter(page_id=members.pk).exists()
    assert any("fifth project" in text for text in made)
    assert not any("raise" in text for text in made)


def test_reindex_without_the_model_refuses_unless_starting_the_site(column, monkeypatch):
    monkeypatch.setattr(encoders, "_loaded", {"encoder": None})
    with pytest.raises(CommandError, match="could not be loaded"):
        call_command("reindex", verbosity=0)
    Document.objects.filter(page_id=column["pay"].pk).delete()
    call_command("reindex", "--missing", verbosity=0)  # what `make run` runs: words only
    document = Document.objects.get(page_id=column["pay"].pk)
    assert document.live and document.vector is None
    assert [key.page_id for key, _ in lexical.matching(["salary"])] == [column["pay"].pk]


def test_past_the_cap_only_the_newest_matches_are_ranked_by_words(column, monkeypatch):
    """A word in most posts: ranking them all cost 70-140 ms at 100,000 posts, so only the most
    recently indexed RANKED_AT_MOST are ranked. Fewer matches are all ranked, as before."""
    words = ["salary", "supervisor"]  # one in each of two letters
    both = sorted(key.page_id for key, _ in lexical.matching(words, any_word=True))
    assert both == sorted([column["micro"].pk, column["pay"].pk])
    monkeypatch.setattr(lexical, "RANKED_AT_MOST", 1)
    assert [key.page_id for key, _ in lexical.matching(words, any_word=True)] == [max(both)]
    assert [key.page_id for key, _ in lexical.matching(["salary"])] == [column["pay"].pk]
    monkeypatch.setattr(lexical, "RANKED_AT_MOST", 2)
    assert sorted(key.page_id for key, _ in lexical.matching(words, any_word=True)) == both


def test_a_document_id_used_again_names_the_new_document():
    """SQLite gives a deleted last row's id to the next row: the id's old page and anchor must
    not stay with it (a search once linked a round-up's letter to another letter's anchor)."""
    import numpy as np

    from dearly.retrieval.encoder import DIMENSIONS
    from dearly.retrieval.models import Key

    vector = np.ones(DIMENSIONS, dtype="<f4").tobytes()
    held = Vectors()
    held._put(7, Key(1, "letter-1"), "letter", True, vector)
    held._put(7, Key(2, "letter-2"), "letter", True, vector)
    assert held._key(held.rows[7]) == Key(2, "letter-2")
    assert held.page_rows[1] == [] and held.page_rows[2] == [held.rows[7]]
    held._put(7, Key(3, ""), "guide", True, vector)
    assert held._key(held.rows[7]) == Key(3, "") and held.page_rows[2] == []
