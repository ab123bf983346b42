"""The demo column's words: written for Dearly, kept in dearly/demo/text/*.toml apart from the
code that loads them, and read here into what the page models take."""

import re
import tomllib
from functools import cache
from pathlib import Path

from django.utils.html import format_html

TEXT = Path(__file__).with_name("text")

LETTER_TITLE = "Dear Dr. Mimi – {pen_name}"
# [words](page:slug): a link to another demo post, stored as Wagtail stores page links.
PAGE_LINK = re.compile(r"\[([^\]]+)\]\(page:([a-z0-9-]+)\)")
BULLET = re.compile(r"- ")
NUMBERED = re.compile(r"\d+\. ")


@cache
def _read(name):
    with (TEXT / f"{name}.toml").open("rb") as f:
        return tomllib.load(f)


def topics():
    """[{slug, name, description, parent?}], parents first."""
    return _read("topics")["topic"]


def letters():
    """[{slug, pen_name, date, topics, tags, question, answer, image?, update?,
    comments_open?}], oldest first; the title is LETTER_TITLE."""
    return _read("letters")["letter"]


def writer_updates():
    """[{letter: slug, text}]: updates from letter writers, waiting in the letters inbox."""
    return _read("letters").get("writer_update", [])


def roundups():
    """[{slug, title, intro, date, topics, tags, letter: [{pen_name, question, answer}]}]: pages
    of several short letters; the letters in their order on the page."""
    return _read("roundups")["roundup"]


def guides():
    """[{slug, title, intro, date, topics, tags, body, image?, featured?}], oldest first."""
    return _read("guides")["guide"]


def pages():
    """The plain pages: [{slug, title, intro, body?, image?, caption?}]."""
    return _read("pages")["page"]


def readers():
    """{username: display name} of the demo readers who comment."""
    return _read("comments")["readers"]


def threads():
    """[{post: slug, comment: [{by, hours, text, key?, reply_to?, status?}]}]."""
    return _read("comments")["thread"]


def letter_writers():
    """{username: slug} of the demo readers who claimed the letter they wrote."""
    return _read("comments").get("letter_writers", {})


def letter_title(letter):
    return LETTER_TITLE.format(pen_name=letter["pen_name"])


def html(text, page_ids=None):
    """`text` as rich-text HTML: paragraphs split by blank lines, a block of "- " lines as a
    bulleted list and of "1. " lines as a numbered one; [words](page:slug) as a link to the
    page whose id `page_ids` gives for that slug."""
    parts = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in block.splitlines()]
        for tag, marker in (("ul", BULLET), ("ol", NUMBERED)):
            items = [marker.match(line) for line in lines]
            if all(items):
                parts.append(
                    _list(tag, [line[m.end() :] for line, m in zip(lines, items, strict=True)])
                )
                break
            if any(items):
                raise ValueError(f"a list mixed with other lines: {block[:60]!r}")
        else:
            parts.append(f"<p>{' '.join(lines)}</p>")
    return PAGE_LINK.sub(lambda m: _page_link(m, page_ids or {}), "".join(parts))


def _list(tag, items):
    return f"<{tag}>{''.join(f'<li>{item}</li>' for item in items)}</{tag}>"


def _page_link(match, page_ids):
    words, slug = match.groups()
    if slug not in page_ids:
        raise ValueError(f"[{words}](page:{slug}) links to a post not published before it")
    return str(format_html('<a linktype="page" id="{}">', page_ids[slug])) + words + "</a>"
