"""A reader's letter and pen name are stored without bidi controls or zero-width characters, and
a pen name may not pass for the column's own names ("—Dr. Мimi" with a Cyrillic М)."""

import pytest

from dearly.core.models import ColumnSettings
from dearly.questions import services
from dearly.questions.models import Question

pytestmark = pytest.mark.django_db

QUESTION = (
    "My manager keeps promising me a pay rise at every review, but it never arrives. "
    "How do I ask for the raise without sounding ungrateful?"
)


def send(client, question=QUESTION, pen_name="Underpaid"):
    data = {
        "question": question,
        "pen_name": pen_name,
        "email": "",
        "consent": "on",
        "website": "",
        "submission": services.new_submission(),
    }
    return client.post("/ask/send/", data)


def test_the_letter_and_pen_name_are_stored_without_invisible_characters(client, site_tree):
    question = (
        "\u202eMy manager\u200b keeps promising me a pay rise\u2066 at every review\u2069,\n"
        "but it never arrives.\ufeff Re\u0301sume\u0301 attached: cv_fdp\u202e.exe \u200f"
    )
    response = send(
        client, question, pen_name="\u200fUnder\u200bpaid\u202e \U0001f469\u200d\U0001f4bb"
    )
    assert response.status_code == 303
    stored = Question.objects.get()
    assert stored.text == (
        "My manager keeps promising me a pay rise at every review,\n"
        "but it never arrives. Résumé attached: cv_fdp.exe"
    )
    assert stored.pen_name == "Underpaid \U0001f469\u200d\U0001f4bb"
    page = client.get(response["Location"]).content.decode()
    assert "\u202e" not in page and "\u200b" not in page


def test_a_pen_name_of_nothing_but_invisible_characters_is_refused(client, site_tree):
    response = send(client, pen_name="\u200b\u202e\u2066\ufeff")
    assert response.status_code == 400
    assert "Please choose a pen name" in response.content.decode()
    assert not Question.objects.exists()


@pytest.mark.parametrize(
    "pen_name", ["Dr. Mimi", "Dr. \u041cimi", "Dr Mimi", "DR. MIMI", "Edit\u043er", "Dearly"]
)
def test_a_pen_name_that_passes_for_the_columns_own_is_refused(client, site_tree, pen_name):
    response = send(client, pen_name=pen_name)
    assert response.status_code == 400
    assert "That name belongs to the column" in response.content.decode()
    assert not Question.objects.exists()


def test_the_columnist_set_in_the_column_settings_is_protected_too(client, site_tree):
    column = ColumnSettings.for_site(site_tree["home"].get_site())
    column.columnist_name = "Aunt Agatha"
    column.save()
    assert send(client, pen_name="Aunt \u0410gatha").status_code == 400
    assert send(client, pen_name="Agatha's niece").status_code == 303
