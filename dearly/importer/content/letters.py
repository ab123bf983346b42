"""split_letter(): a "Dear X" post split into the reader's question and the columnist's answer.

The body of a letter post reads "Dear X," question "—Pen name", then "Dear Pen name," answer,
often signed "—X". When the split is not certain (no sign-off, two candidate sign-offs, no
answer, an image that would be lost) the answer is None and the post stays an article.
"""

import html as html_lib
import re
from dataclasses import dataclass

from .convert import Block, convert
from .html import one_line, plain_text, plain_title, sanitise, top_level

LETTER_PATTERN = r"^Dear\s+.+?\s*[–—-]+\s*\S.*$"


@dataclass(frozen=True, slots=True)
class Letter:
    question_html: str
    pen_name: str
    answer_html: str
    addressee: str


_GREETING = re.compile(r"^Dear\s+([^,:;\n]{1,60}?)\s*[,:;]\s*(.*)$", re.S | re.I)
_SIGN_OFF = re.compile(r"^(?:—|–|―|--|-)\s*(\S.{0,59}?)\s*$", re.S)
_GREETING_HTML = re.compile(
    r"^((?:<[^>]+>)*)\s*Dear\s+[^,:;<&]{1,60}?\s*[,:;]\s*((?:</[^>]+>)*)\s*", re.I
)
_BR = re.compile(r"<br\s*/?>")
_TAG = re.compile(r"<[^>]*>")
# Left out when comparing names: "Dear Only Reader," answers "—The Only Reader".
_IGNORED_WORDS = frozenset({"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "the", "a", "an"})
_WORDS = re.compile(r"[\w']+")


@dataclass(slots=True)
class _Line:
    group: int  # lines of one <p> (split at <br>) share a group and are rejoined with <br>
    html: str
    text: str
    paragraph: bool  # False for a list, heading or quote, kept whole


def split_letter(title: str, blocks_or_html, *, pattern=LETTER_PATTERN) -> Letter | None:
    """The letter's question, pen name, answer and addressee, or None when unsure.

    `blocks_or_html` is `convert()`'s blocks, or a raw WordPress body (converted here).
    `pattern` (a regex, string or compiled) must match the title's plain text.
    """
    if not re.search(pattern, plain_title(title)):
        return None
    blocks: tuple[Block, ...] | list[Block]
    blocks = convert(blocks_or_html).blocks if isinstance(blocks_or_html, str) else blocks_or_html
    if any(block.kind != "paragraph" for block in blocks):
        return None  # an image or embed has no place in a question/answer split
    return _split(_lines("\n".join(block.value["html"] for block in blocks)))


def _lines(html: str) -> list[_Line]:
    lines = []
    for group, (_, node) in enumerate(top_level(html)):
        if node.startswith("<p>") and node.endswith("</p>"):
            for segment in _BR.split(node[3:-4]):
                text = _segment_text(segment)
                if text:
                    lines.append(_Line(group, segment.strip(), text, True))
        elif text := plain_text(node):
            lines.append(_Line(group, node, text, False))
    return lines


def _segment_text(segment: str) -> str:
    """Plain text of sanitised inline HTML: its tags are well-formed, so a regex will do. The
    pen name is cut from it, so it is one_line(): no bidi overrides or zero-width spaces."""
    text = _TAG.sub("", segment)
    if "&" in text:
        text = html_lib.unescape(text)
    return one_line(text)


def _greeting(line: _Line):
    return _GREETING.match(line.text) if line.paragraph else None


def _sign_off(line: _Line):
    return _SIGN_OFF.match(line.text) if line.paragraph else None


def _name_words(name: str) -> list[str]:
    words = _WORDS.findall(name.lower())
    return [word for word in words if word not in _IGNORED_WORDS] or words


def _same_person(one: str, other: str) -> bool:
    """Whether two names are one person: "Cold" for "Cold in Leeds", "Mimi" for "Dr. Mimi"."""
    shorter, longer = sorted((_name_words(one), _name_words(other)), key=len)
    return bool(shorter) and longer[: len(shorter)] == shorter


def _after_greeting(line: _Line, greeting) -> _Line | None:
    """What follows "Dear X," on the same line, or None when the greeting stands alone."""
    rest_text = greeting.group(2).strip()
    if not rest_text:
        return None
    html_match = _GREETING_HTML.match(line.html)
    rest_html = line.html[html_match.end() :] if html_match else html_lib.escape(rest_text)
    return _Line(line.group, rest_html, rest_text, True)


def _split(lines: list[_Line]) -> Letter | None:
    if len(lines) < 3:
        return None
    opening = _greeting(lines[0])
    if not opening:
        return None
    # The reply starts at "Dear <pen name>," right after a "—<pen name>" line.
    replies = []
    for index in range(2, len(lines)):
        greeting, sign_off = _greeting(lines[index]), _sign_off(lines[index - 1])
        if greeting and sign_off and _same_person(greeting.group(1), sign_off.group(1)):
            replies.append((index, greeting, sign_off))
    if len(replies) != 1:
        return None
    reply, reply_greeting, sign_off = replies[0]
    if any(_sign_off(line) for line in lines[1 : reply - 1]):
        return None  # two candidate sign-offs: which one ends the letter?
    question = lines[1 : reply - 1]
    if rest := _after_greeting(lines[0], opening):
        question.insert(0, rest)
    answer = lines[reply + 1 :]
    if rest := _after_greeting(lines[reply], reply_greeting):
        answer.insert(0, rest)
    if answer and _sign_off(answer[-1]):
        answer.pop()
    if not question or not answer:
        return None
    return Letter(
        question_html=_html(question),
        pen_name=sign_off.group(1).strip(),
        answer_html=_html(answer),
        addressee=opening.group(1).strip(),
    )


def _html(lines: list[_Line]) -> str:
    parts: list[str] = []
    group = None
    for line in lines:
        if not line.paragraph:
            parts.append(line.html)
            group = None
        elif line.group == group:
            parts[-1] += "<br>" + line.html
        else:
            parts.append(f"<p>{line.html}")
            group = line.group
    # Close the paragraphs opened above; sanitise re-balances anything a split cut in half.
    return sanitise("".join(p + "</p>" if p.startswith("<p>") else p for p in parts))
