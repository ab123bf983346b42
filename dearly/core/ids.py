"""Row ids read from query strings and forms: ASCII digits only, within what a database holds."""

MAX_ID = 2**63 - 1  # the largest bigint: no row has a larger id
MAX_DIGITS = len(str(MAX_ID))


def parse_id(value):
    """The positive id `value` spells, or None. "²" and "١" pass str.isdigit() but not int(),
    or not as ASCII; " 7", "+7", "1_0" and 5,000 digits are no ids either."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdecimal():
        if len(value) > MAX_DIGITS:  # int() refuses over 4,300 digits; no id has 20
            return None
        number = int(value)
    else:
        return None
    return number if 0 < number <= MAX_ID else None
