import copy

import pytest

from dearly.testing import make_article, make_letter, make_site_tree, search_indexes

pytestmark = [pytest.mark.django_db, pytest.mark.search_indexes]


@pytest.fixture(scope="module")
def _corpus(module_db):
    """Built once for the module: the searches only read it."""
    with module_db.unblocked(), search_indexes():
        return _build_corpus(make_site_tree())


@pytest.fixture
def corpus(db, _corpus):
    return copy.deepcopy(_corpus)


def _build_corpus(site_tree):
    return {
        "raise": make_letter(
            site_tree["letters"],
            title="Dear Dr. Mimi – Underpaid",
            pen_name="Underpaid",
            question="<p>My salary has not changed in five years.</p>",
            answer="<p>Ask for a review of your pay with evidence.</p>",
        ),
        "steps": make_article(
            site_tree["guides"],
            title="When you are turned down",
            intro="What to do after a rejection.",
            body=[("paragraph", "<p>Solicit feedback from the interviewer.</p>")],
        ),
        "salary_title": make_article(
            site_tree["guides"],
            title="Salary conversations",
            intro="Talking about salary.",
            body=[("paragraph", "<p>Salary, salary and salary again.</p>")],
        ),
        "draft": make_article(site_tree["guides"], title="Unpublished salary secrets", live=False),
    }


def search(client, q, **params):
    return client.get("/search/", {"q": q, **params})


def test_search_finds_words_in_titles_bodies_questions_answers_and_pen_names(client, corpus):
    assert "When you are turned down" in search(client, "interviewer").content.decode()
    assert "Underpaid" in search(client, "salary").content.decode()
    assert "Underpaid" in search(client, "evidence").content.decode()
    assert "Underpaid" in search(client, "underpaid").content.decode()
    assert "When you are turned down" in search(client, "rejection").content.decode()


def test_search_ranks_and_never_shows_drafts(client, corpus):
    html = search(client, "salary").content.decode()
    assert "Unpublished salary secrets" not in html
    assert html.index("Salary conversations") < html.index("Underpaid")


def test_search_highlights_matches_in_snippets(client, corpus):
    html = search(client, "feedback").content.decode()
    assert "Solicit <mark>feedback</mark> from the interviewer." in html


def test_search_results_are_noindex(client, corpus):
    html = search(client, "salary").content.decode()
    assert '<meta name="robots" content="noindex, follow">' in html


def test_search_paginates(client, site_tree):
    for n in range(15):
        make_article(site_tree["guides"], title=f"Commute story {n}", intro="A long commute.")
    first = search(client, "commute").content.decode()
    assert "15 results" in first and "Page 1 of 2" in first
    assert "Page 2 of 2" in search(client, "commute", page=2).content.decode()
    assert search(client, "commute", page="zzz").status_code == 200


@pytest.mark.parametrize(
    "q",
    [
        "",
        " ",
        '"',
        '"salary',
        "*",
        "sal*",
        "NEAR(",
        "NEAR(salary pay",
        "OR OR",
        "AND",
        "salary OR",
        "-salary",
        "^salary",
        "salary\x00pay",
        "\x00",
        "رسالة إلى المحررة",
        "\u202esalary\u202c",
        "'; DROP TABLE wagtailcore_page; --",
        "<script>alert(1)</script>",
        "a" * 5000,
        "salary " * 700,
        "the and of to a in",
        "🙂💼🔥",
        "salary зарплата 工资 راتب",
        'salary*pay"NEAR/2 (title:boss)',
    ],
)
def test_hostile_queries_answer_200_or_400_never_500(client, corpus, q):
    response = search(client, q)
    assert response.status_code in (200, 400)
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "Search" in html


def test_too_long_query_gets_a_clear_400(client, corpus):
    response = search(client, "a" * 5001)
    assert response.status_code == 400
    assert "too long" in response.content.decode()
