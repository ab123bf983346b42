import pytest

from dearly.core.ids import MAX_ID, among, parse_id


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


@pytest.mark.django_db
def test_among_finds_the_same_rows_as_a_list_with_one_statement_for_any_count():
    from dearly.accounts.models import User

    users = [User.objects.create_user(f"reader{n}", f"r{n}@example.com") for n in range(5)]
    wanted = [users[0].pk, users[3].pk, 10**12]
    assert set(User.objects.filter(pk__in=among(wanted))) == {users[0], users[3]}
    assert not User.objects.filter(pk__in=among([])).exists()
    many = list(range(1, 30_000))
    assert User.objects.filter(pk__in=among(many)).count() == len(users)
    statements = [
        User.objects.filter(pk__in=among(ids)).query.get_compiler("default").as_sql()
        for ids in (wanted, many)
    ]
    (few_sql, few_params), (many_sql, many_params) = statements
    assert few_sql == many_sql  # prepared once, whatever the count
    assert len(few_params) == len(many_params) == 1
