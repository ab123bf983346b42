"""CSV files as exported by Ghost, Substack and spreadsheets: a header row naming the columns,
commas or semicolons (a spreadsheet saved in a European locale), a byte-order mark or not,
quoted values over several lines. No database code.

`csv_rows(handle, path, required=...)` yields (line, row) with the columns' names stripped and
lower-cased, and empty rows left out; a missing required column, broken quoting or text that
is not UTF-8 raises SourceError "path:line: reason"."""

import csv
import itertools
from datetime import UTC, datetime

from .records import SourceError

DELIMITERS = (",", ";", "\t")
TRUE = {"true", "1", "yes", "y", "t"}


def csv_rows(handle, path, *, required=()):
    """`handle`: text opened with encoding "utf-8-sig" and newline=""."""
    path = str(path)
    try:
        header = handle.readline()
        delimiter = _delimiter(header)
        reader = csv.reader(itertools.chain([header], handle), delimiter=delimiter, strict=True)
        names = [name.strip().lstrip("\ufeff").lower() for name in next(reader, [])]
        # A required column is a name, or a tuple of names of which one will do.
        wanted = [(n,) if isinstance(n, str) else n for n in required]
        missing = [options[0] for options in wanted if not set(options) & set(names)]
        if not any(names):
            raise SourceError(path, None, "the file is empty (a first line naming the columns)")
        if missing:
            listed = ", ".join(name for name in names if name)[:200]
            raise SourceError(path, 1, f"no “{missing[0]}” column: the first line names {listed}")
        line = reader.line_num + 1
        for row in reader:
            if any(value.strip() for value in row):
                yield line, dict(zip(names, (value.strip() for value in row), strict=False))
            line = reader.line_num + 1
    except csv.Error as error:
        raise SourceError(path, reader.line_num, f"broken CSV ({error})") from None
    except UnicodeDecodeError as error:
        raise SourceError(path, None, f"not UTF-8 text ({error.reason})") from None


def open_text(path):
    """A text file as exports are written: UTF-8, maybe with a byte-order mark."""
    try:
        return open(path, encoding="utf-8-sig", newline="")
    except OSError as error:
        raise SourceError(path, None, f"cannot read the file ({error.strerror})") from None


def _delimiter(header):
    """The delimiter the header row uses most, outside quotes."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def yes(value):
    return (value or "").strip().lower() in TRUE


def date(value):
    """An aware UTC datetime from "2024-03-01T10:00:00.000Z", "2024-03-01 10:00:00" (UTC, as
    Ghost writes it) or milliseconds since 1970; None for anything else."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value / 1000, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
