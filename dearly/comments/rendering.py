"""Comment bodies are plain text: paragraphs kept, URLs linked, nothing else ever markup.

Django's urlize escapes the text and links the URLs; nh3 then guarantees that only <p>, <br>
and <a href="http(s)://…" rel="nofollow ugc noopener"> can come out, whatever came in.
"""

from django.utils.html import linebreaks, urlize

import nh3

LINK_REL = "nofollow ugc noopener"


def render_body(text):
    linked = urlize(text, trim_url_limit=60, nofollow=False, autoescape=True)
    html = linebreaks(linked, autoescape=False)
    return nh3.clean(
        html,
        tags={"p", "br", "a"},
        attributes={"a": {"href"}},
        url_schemes={"http", "https"},
        link_rel=LINK_REL,
    )


def count_links(text):
    """How many links the body would show (held for moderation above two)."""
    return render_body(text).count("<a ")
