from html.parser import HTMLParser

import pytest

from dearly.comments.rendering import count_links, render_body


def test_paragraphs_and_line_breaks_are_kept():
    assert (
        render_body("First para.\n\nSecond\nline.")
        == "<p>First para.</p>\n\n<p>Second<br>line.</p>"
    )


def test_urls_are_linked_with_nofollow_ugc_noopener():
    html = render_body("See https://example.com/a?b=1&c=2 now")
    assert 'href="https://example.com/a?b=1&amp;c=2"' in html
    assert 'rel="nofollow ugc noopener"' in html


class TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags_in(html):
    collector = TagCollector()
    collector.feed(html)
    return collector.tags


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "javascript:alert(1)",
        '<a href="javascript:alert(1)">click</a>',
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "&#60;script&#62;",
        "<b>bold</b> <iframe src=//evil>",
        "[url=javascript:alert(1)]x[/url]",
        'http://example.com/"onmouseover="alert(1)',
        "https://example.com/<script>",
    ],
)
def test_nothing_in_the_body_becomes_markup(hostile):
    for tag, attrs in tags_in(render_body(hostile)):
        assert tag in {"p", "br", "a"}, tag
        if tag == "a":
            assert set(attrs) == {"href", "rel"}, attrs
            assert attrs["href"].startswith(("http://", "https://")), attrs
            assert attrs["rel"] == "nofollow ugc noopener"


def test_entity_text_is_shown_as_typed():
    assert render_body("&lt;3 &amp; more") == "<p>&amp;lt;3 &amp;amp; more</p>"


def test_link_count():
    assert count_links("a https://one.example b https://two.example c www.three.example") == 3
    assert count_links("no links here") == 0
