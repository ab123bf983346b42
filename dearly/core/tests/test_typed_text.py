"""Text readers type: invisible characters removed, NFC; and names that could pass for each other
(Unicode's confusables, UTS #39) found by their keys."""

import unicodedata

import pytest

from dearly.core.text import clean_typed_text, name_keys

INVISIBLE = {
    "left-to-right embedding": "\u202a",
    "right-to-left embedding": "\u202b",
    "pop directional formatting": "\u202c",
    "left-to-right override": "\u202d",
    "right-to-left override": "\u202e",
    "left-to-right isolate": "\u2066",
    "right-to-left isolate": "\u2067",
    "first strong isolate": "\u2068",
    "pop directional isolate": "\u2069",
    "left-to-right mark": "\u200e",
    "right-to-left mark": "\u200f",
    "arabic letter mark": "\u061c",
    "zero-width space": "\u200b",
    "zero-width non-joiner": "\u200c",
    "zero-width joiner": "\u200d",
    "word joiner": "\u2060",
    "invisible times": "\u2062",
    "byte order mark": "\ufeff",
    "soft hyphen": "\u00ad",
    "mongolian vowel separator": "\u180e",
    "tag letter": "\U000e0041",
    "hangul filler": "\u3164",
    "combining grapheme joiner": "\u034f",
}


@pytest.mark.parametrize("char", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_invisible_characters_are_removed_wherever_they_are(char):
    assert clean_typed_text(f"{char}gnp{char}.exe{char}") == "gnp.exe"


def test_a_right_to_left_override_can_no_longer_turn_gnp_exe_into_exe_png():
    assert clean_typed_text("Open my_photo_gnp\u202e.exe") == "Open my_photo_gnp.exe"


def test_typed_text_is_nfc_normalised():
    typed = "Cafe\u0301 and re\u0301sume\u0301"
    assert clean_typed_text(typed) == unicodedata.normalize("NFC", typed) == "Café and résumé"


@pytest.mark.parametrize(
    "emoji",
    [
        "\U0001f469\u200d\U0001f4bb",  # woman technologist
        "\U0001f468\U0001f3fd\u200d\U0001f680",  # man astronaut, skin tone
        "\u2764\ufe0f\u200d\U0001f525",  # heart on fire
        "\U0001f3f3\ufe0f\u200d\U0001f308",  # rainbow flag
    ],
)
def test_the_joiner_inside_an_emoji_sequence_is_kept(emoji):
    assert clean_typed_text(f"Me: {emoji}!") == f"Me: {emoji}!"


@pytest.mark.parametrize("text", ["a\u200db", "\u200d\U0001f469", "\U0001f469\u200d", "1\u200d2"])
def test_a_joiner_not_between_two_emoji_is_removed(text):
    assert "\u200d" not in clean_typed_text(text)


def test_line_breaks_tabs_and_ordinary_text_are_left_alone():
    text = "Dear Dr. Mimi,\n\n\tMy boss — «nice» — said 5 × 3 = 15. Zoë, 李小龍, مرحبا."
    assert clean_typed_text(text) == text


LOOK_ALIKES = {
    "Cyrillic capital Em": ("Dr. Mimi", "Dr. \u041cimi"),
    "Cyrillic Em, upper case rest": ("Dr. Mimi", "Dr. \u041cIMI"),
    "Cyrillic komi de": ("Dr. Mimi", "\u0501r. Mimi"),
    "no full stop": ("Dr. Mimi", "Dr Mimi"),
    "no spaces, capitals": ("Dr. Mimi", "DR.MIMI"),
    "accents": ("Dr. Mimi", "Dr. Mímí"),
    "fullwidth": ("Dr. Mimi", "Ｄｒ．Ｍｉｍｉ"),
    "a symbol after it": ("Dr. Mimi", "Dr. Mimi ✓"),
    "zero-width space": ("Dr. Mimi", "Dr.\u200bMimi"),
    "Cyrillic o": ("editor", "Edit\u043er"),
    "digit zero": ("editor", "Edit0r"),
    "capital I for l": ("editor", "EDITOR"),
    "Cyrillic a": ("admin", "\u0430dmin"),
    "Cyrillic e": ("Dearly", "D\u0435arly"),
}


@pytest.mark.parametrize("pair", LOOK_ALIKES.values(), ids=LOOK_ALIKES.keys())
def test_names_that_could_pass_for_each_other_share_a_key(pair):
    original, look_alike = pair
    assert name_keys(original) & name_keys(look_alike)


@pytest.mark.parametrize(
    "other", ["Mimi", "Dr. Mina", "Miriam", "Dr. Mimi's fan", "Д-р Мими", "Editorial", "Ed"]
)
def test_different_names_do_not_share_a_key(other):
    reserved = name_keys("Dr. Mimi") | name_keys("editor")
    assert not name_keys(other) & reserved


def test_a_name_of_punctuation_and_symbols_has_no_key():
    assert name_keys("!!! ✓ …") == set()
