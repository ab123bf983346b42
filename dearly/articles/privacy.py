"""Likely identifying details in a letter's text, for the editor to check before publishing.

A warning, not a filter: it errs towards showing too much (a surname the editor can wave
through) rather than too little. Pure functions on plain text; no database, no request.

- `find_identifying_details(text, ignore=())` lists `Finding`s: email addresses, web
  addresses, phone numbers (international "+44 20 7946 0958", "0044 …", local "020 7946
  0958", "07700 900123", North American "(555) 010-4477") and capitalised names of people,
  firms and places that are not in `data/common_words.txt` and do not merely start a
  sentence. Words in `ignore` (the columnist's and pen names) are never flagged.
- `highlight(text, findings)` is the text as HTML, escaped, each finding in `<mark>`.
"""

import bisect
import functools
import pathlib
import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import mark_safe

COMMON_WORDS_FILE = pathlib.Path(__file__).parent / "data" / "common_words.txt"
KIND_LABELS = {
    "email": "Email address",
    "url": "Web address",
    "phone": "Phone number",
    "name": "Name",
}
# Letters are at most a few thousand characters; anything beyond this is not read.
MAX_TEXT = 50_000

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w])")
_TLDS = "com|org|net|info|biz|io|co|uk|ie|eu|de|fr|nl|es|it|au|ca|nz|us|me|app|dev|ai|blog|online"
URL = re.compile(
    r"(?:\bhttps?://|\bwww\.)[^\s<>\"'()\[\]{}]+"
    rf"|\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:{_TLDS})\b(?:/[^\s<>\"'()\[\]{{}}]*)?",
    re.IGNORECASE,
)
# A run of digits with the separators people type in phone numbers; checked by _is_phone.
PHONE = re.compile(r"(?<![\w+])(?:\+|\b00)?\(?\d[\d \t().-]{5,}\d(?![\w])")
_NANP = re.compile(r"\(?[2-9]\d{2}\)?[ .-]?\d{3}[ .-]\d{4}")
_DATE = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}")
# A word: letters, with inner apostrophes or hyphens ("O'Brien", "Mary-Jane", "Sarah's").
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# Lower-case words that may sit inside a capitalised name ("University of Leeds").
CONNECTORS = frozenset({"of", "and", "&", "de", "da", "di", "van", "von", "der", "den", "la", "le"})
# Words that make a capitalised run a firm's name even at the start of a sentence.
COMPANY_SUFFIXES = frozenset(
    "Ltd Limited Inc Incorporated LLC LLP PLC plc GmbH AG SA BV Corp Corporation Company Co "
    "Group Holdings Partners Associates".split()
)
# "Mr." and "e.g." end with a full stop but do not end a sentence.
ABBREVIATIONS = frozenset(
    "mr mrs ms mx dr prof st sr jr rev hon gen col capt lt sgt vs etc eg ie approx no".split()
)
_CONTRACTION_ENDINGS = ("s", "m", "d", "ll", "re", "ve", "t")
_TRIM_URL = ".,;:!?'\"’”"


@dataclass(frozen=True)
class Finding:
    start: int
    end: int
    kind: str
    text: str

    @property
    def label(self):
        return KIND_LABELS[self.kind]


@functools.cache
def common_words():
    words = set()
    for line in COMMON_WORDS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.add(line)
    return frozenset(words)


def _ignored_words(ignore):
    words = set()
    for name in ignore:
        words.update(_base(word) for word in WORD.findall(str(name or "")))
    return words


def _base(word):
    """ "Sarah's" -> "Sarah", "I'm" -> "I"; "O'Brien" stays."""
    for mark in ("'", "’"):
        head, sep, tail = word.rpartition(mark)
        if sep and head and tail.lower() in _CONTRACTION_ENDINGS:
            return head
    return word


def _is_capitalised(word):
    return word[0].isupper()


def _is_phone(candidate):
    digits = sum(ch.isdigit() for ch in candidate)
    if not 7 <= digits <= 15 or _DATE.fullmatch(candidate):
        return False
    if re.search(r"[ \t().-]{3,}", candidate):  # "1 - 2 - 3": a list, not a number
        return False
    start = candidate.lstrip("(")
    return start.startswith(("+", "0")) or bool(_NANP.fullmatch(candidate))


def _sentence_starts_at(text, index):
    """Whether the word at `index` begins a sentence, a line or the text."""
    i = index - 1
    while i >= 0 and text[i] in " \t\"'“”‘’«»()[]*•–—-":
        i -= 1
    if i < 0 or text[i] in "\n\r":
        return True
    if text[i] in "!?…:;":
        return True
    if text[i] == ".":
        before = WORD.findall(text[max(0, i - 12) : i])
        # "Dr. Smith" and "e.g. Acme" continue the sentence; "etc." may end one, and a
        # capital after it is treated as a new sentence (too common to flag).
        return not before or before[-1].lower() not in ABBREVIATIONS - {"etc"}
    return False


def _name_runs(text):
    """Runs of capitalised words (with connectors between them) as (start, end, words)."""
    tokens = list(WORD.finditer(text))
    runs, run = [], []
    for n, match in enumerate(tokens):
        word = match.group()
        gap = text[run[-1].end() : match.start()] if run else ""
        joined = bool(run) and gap in (" ", " & ")
        if _is_capitalised(word):
            if run and not joined:
                runs.append(run)
                run = []
            run.append(match)
        elif (
            run
            and joined
            and word in CONNECTORS
            and n + 1 < len(tokens)
            and _is_capitalised(tokens[n + 1].group())
            and text[match.end() : tokens[n + 1].start()] == " "
        ):
            run.append(match)
        elif run:
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    for run in runs:
        while run and not _is_capitalised(run[-1].group()):
            run.pop()
        if run:
            yield run


def _names(text, ignored):
    common = common_words()

    def unknown(word):
        return (
            len(word) > 1
            and word not in common
            and word.title() not in common
            and word not in ignored
            and word not in COMPANY_SUFFIXES
        )

    for run in _name_runs(text):
        words = [_base(match.group()) for match in run]
        capitalised = [w for w in words if _is_capitalised(w)]
        at_start = _sentence_starts_at(text, run[0].start())
        if at_start:
            rest = capitalised[1:]
            # "Acme Ltd is hiring" names a firm; "Our Group is growing" does not.
            flagged = any(unknown(w) for w in rest) or (
                unknown(capitalised[0]) and any(w in COMPANY_SUFFIXES for w in rest)
            )
        else:
            flagged = any(unknown(w) for w in capitalised)
        if not flagged:
            continue
        if at_start:
            # "Then Tom laughed": the capital of "Then" is the sentence's, not a name's.
            while len(run) > 1 and not unknown(_base(run[0].group())):
                run = run[1:]
            while len(run) > 1 and not _is_capitalised(run[0].group()):
                run = run[1:]
        start, end = run[0].start(), run[-1].end()
        yield Finding(start, end, "name", text[start:end])


def find_identifying_details(text, ignore=()):
    """The likely identifying details in plain `text`, in reading order, none overlapping.

    `ignore`: names that may appear freely (the columnist's, the pen name); each of their
    words is treated as a common word."""
    text = str(text or "")[:MAX_TEXT]
    found = []  # sorted by start, never overlapping

    def add(start, end, kind):
        at = bisect.bisect_left(found, start, key=lambda f: f.start)
        clashes = (at > 0 and found[at - 1].end > start) or (
            at < len(found) and found[at].start < end
        )
        if end > start and not clashes:
            found.insert(at, Finding(start, end, kind, text[start:end]))

    for match in EMAIL.finditer(text):
        add(match.start(), match.end(), "email")
    for match in URL.finditer(text):
        value = match.group().rstrip(_TRIM_URL)
        add(match.start(), match.start() + len(value), "url")
    for match in PHONE.finditer(text):
        value = match.group()
        # A bracket that opens before the number but closes after it belongs to the prose.
        while value.endswith(")") and value.count("(") < value.count(")"):
            value = value[:-1].rstrip()
        if _is_phone(value):
            add(match.start(), match.start() + len(value), "phone")
    for finding in _names(text, _ignored_words(ignore)):
        add(finding.start, finding.end, "name")
    return found


def highlight(text, findings):
    """`text` as HTML: everything escaped, each finding wrapped in <mark>."""
    text = str(text or "")
    parts, position = [], 0
    for finding in sorted(findings, key=lambda f: f.start):
        if finding.start < position or finding.end > len(text):
            continue
        parts.append(escape(text[position : finding.start]))
        parts.append(
            f'<mark title="{escape(finding.label)}">{escape(text[finding.start : finding.end])}'
            "</mark>"
        )
        position = finding.end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # noqa: S308  # every piece of text above is escaped


def in_context(text, finding, width=50):
    """The finding highlighted with up to `width` characters either side, cut at spaces."""
    text = str(text or "")
    start = max(0, finding.start - width)
    end = min(len(text), finding.end + width)
    if start > 0 and " " in text[start : finding.start]:
        start = text.index(" ", start, finding.start) + 1
    if end < len(text) and " " in text[finding.end : end]:
        end = text.rindex(" ", finding.end, end)
    shifted = Finding(finding.start - start, finding.end - start, finding.kind, finding.text)
    html = highlight(text[start:end], [shifted])
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(f"{prefix}{html}{suffix}")  # noqa: S308  # highlight() escaped it
