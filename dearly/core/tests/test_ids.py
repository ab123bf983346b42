import pytest

from dearly.core.ids import MAX_ID, parse_id


@pytest.mark.parametrize(
    ("value", "wanted"), [("7", 7), ("0042", 42), (str(MAX_ID), MAX_ID), (9, 9)]
)
def test_ascii_digits_within_a_bigint_are_ids(value, wanted):
    assert parse_id(value) == wanted


@pytest.mark.parametrize(
    "value",
    [
        "²",
        "١٢",
        "٣",
        "𝟕",
        " 7",
        "7 ",
        "+7",
        "-7",
        "1_0",
        "0",
        "",
        "7.0",
        "0x1f",
        str(MAX_ID + 1),
        "9" * 5000,
        None,
        True,
        0,
        -3,
        MAX_ID + 1,
        ["7"],
    ],
)
def test_anything_else_is_no_id(value):
    assert parse_id(value) is None
