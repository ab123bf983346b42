"""Display names: invisible characters removed, and no name that could pass for the column's own
("Dr. Мimi" with a Cyrillic М, "Dr Mimi", "Editоr") at sign-up or on the profile."""

from django.contrib.auth import get_user_model
from django.core import mail

import pytest

from dearly.core.models import ColumnSettings

from .helpers import PASSWORD, make_account

pytestmark = pytest.mark.django_db

IMPERSONATIONS = {
    "Cyrillic Em": "Dr. \u041cimi",
    "no full stop": "Dr Mimi",
    "capitals, no space": "DR.MIMI",
    "fullwidth": "Ｄｒ．Ｍｉｍｉ",
    "accents": "Dr. Mímí",
    "zero-width space": "Dr.\u200bMimi",
    "Cyrillic o": "Edit\u043er",
    "digit zero": "Edit0r",
    "Cyrillic a": "\u0430dmin",
    "Cyrillic e": "D\u0435arly",
    "placeholder": "Deleted  Reader",
}


def sign_up(client, display_name):
    return client.post(
        "/accounts/signup/",
        {
            "display_name": display_name,
            "email": "new@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )


@pytest.mark.parametrize("name", IMPERSONATIONS.values(), ids=IMPERSONATIONS.keys())
def test_signup_refuses_a_name_that_passes_for_the_columns_own(client, site_tree, name):
    html = sign_up(client, name).content.decode()
    assert "That name belongs to the column." in html
    assert not get_user_model().objects.filter(email="new@example.com").exists()
    assert mail.outbox == []


@pytest.mark.parametrize("name", IMPERSONATIONS.values(), ids=IMPERSONATIONS.keys())
def test_profile_refuses_a_name_that_passes_for_the_columns_own(client, site_tree, name):
    user = make_account(display_name="Ann")
    client.force_login(user)
    html = client.post("/accounts/profile/", {"display_name": name}).content.decode()
    assert "That name belongs to the column." in html
    user.refresh_from_db()
    assert user.display_name == "Ann"


def test_the_columnist_named_in_the_column_settings_is_protected(client, site_tree):
    column = ColumnSettings.for_site(site_tree["home"].get_site())
    column.columnist_name = "Aunt Agatha"
    column.save()
    user = make_account(display_name="Ann")
    client.force_login(user)
    client.post("/accounts/profile/", {"display_name": "AUNT \u0410GATHA"})
    user.refresh_from_db()
    assert user.display_name == "Ann"


@pytest.mark.parametrize(
    "name", ["Mimi", "Dr. Mina", "Dr. Mimi's fan", "Editorial Ed", "Zoë", "李小龍", "Д-р Мими"]
)
def test_other_names_are_accepted(client, site_tree, name):
    user = make_account(display_name="Ann")
    client.force_login(user)
    client.post("/accounts/profile/", {"display_name": name})
    user.refresh_from_db()
    assert user.display_name == name


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Ann\u202egnp.exe", "Anngnp.exe"),
        ("\u200fA\u200dnn\u200b \u2066Lee\u2069\ufeff", "Ann Lee"),
        ("Zoe\u0308", "Zoë"),  # NFC
        ("Ann \U0001f469\u200d\U0001f4bb", "Ann \U0001f469\u200d\U0001f4bb"),
    ],
)
def test_invisible_characters_are_removed_from_display_names(client, site_tree, typed, stored):
    response = sign_up(client, typed)
    assert response.status_code == 302
    user = get_user_model().objects.get(email="new@example.com")
    assert user.display_name == stored

    client.force_login(user)
    client.post("/accounts/profile/", {"display_name": f"\u202e{typed}\u200b Jr"})
    user.refresh_from_db()
    assert user.display_name == f"{stored} Jr"


# A name that could pass for the verified "Letter writer" badge shown beside it

BADGE_SPOOFS = {
    "the label": "Letter writer",
    "capitals": "LETTER WRITER",
    "hyphen": "letter-writer",
    "no space": "Letterwriter",
    "inside a name": "Poor, the letter writer",
    "with a tick": "Letter writer ✓",
    "Cyrillic e": "L\u0435tter writer",
    "fullwidth": "Ｌｅｔｔｅｒ ｗｒｉｔｅｒ",
    "zero-width space": "Letter\u200b writer",
    "abbreviation": "LW",
    "lower case": "lw",
    "full stops": "L.W.",
    "spaced": "L W",
    "in brackets": "Poor (LW)",
    "after a comma": "Poor, L.W.",
    "fullwidth abbreviation": "ＬＷ",
}


@pytest.mark.parametrize("name", BADGE_SPOOFS.values(), ids=BADGE_SPOOFS.keys())
def test_signup_refuses_a_name_that_passes_for_the_letter_writer_badge(client, site_tree, name):
    html = sign_up(client, name).content.decode()
    assert "That name belongs to the column." in html
    assert not get_user_model().objects.filter(email="new@example.com").exists()


@pytest.mark.parametrize("name", BADGE_SPOOFS.values(), ids=BADGE_SPOOFS.keys())
def test_profile_refuses_a_name_that_passes_for_the_letter_writer_badge(client, site_tree, name):
    user = make_account(display_name="Ann")
    client.force_login(user)
    html = client.post("/accounts/profile/", {"display_name": name}).content.decode()
    assert "That name belongs to the column." in html
    user.refresh_from_db()
    assert user.display_name == "Ann"


@pytest.mark.parametrize("name", ["Lewis", "Lola West", "Writer of letters", "Lawyer", "Owl"])
def test_names_near_the_badge_are_accepted(client, site_tree, name):
    user = make_account(display_name="Ann")
    client.force_login(user)
    client.post("/accounts/profile/", {"display_name": name})
    user.refresh_from_db()
    assert user.display_name == name


def test_a_pen_name_may_still_say_letter_writer(client, site_tree):
    """The badge is shown beside display names only; a letter's sign-off is not one."""
    from dearly.questions.forms import clean_pen_name

    assert clean_pen_name("A letter writer") == "A letter writer"
