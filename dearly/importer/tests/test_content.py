"""The body converter: WordPress's automatic paragraphs, block comments, shortcodes, images,
embeds, the more tag, sanitising and links; titles; letters split into question and answer."""

import collections
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dearly.importer.content import (
    ALLOWED_TAGS,
    LETTER_PATTERN,
    Block,
    convert,
    plain_title,
    split_letter,
)
from dearly.importer.content.wpautop import _newlines_to_br, wpautop
from dearly.importer.wxr import Item, iter_wxr

DATA = Path(__file__).parent / "data"
THEME_DATA = (
    Path(__file__).resolve().parents[3].parent
    / "shared/testdata/wordpress/themeunittestdata.wordpress.xml"
)
KNOWN_SHORTCODE = re.compile(r"\[/?(caption|wp_caption|gallery|audio|video|embed|playlist)\b")


class TagCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []  # (tag, [attribute names])

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, [name for name, _ in attrs]))

    handle_startendtag = handle_starttag


def tags_in(html):
    collector = TagCollector()
    collector.feed(html)
    collector.close()
    return collector.tags


def assert_only_allowed_markup(html):
    for tag, attributes in tags_in(html):
        assert tag in ALLOWED_TAGS, f"<{tag}> in {html!r}"
        assert attributes == (["href"] if tag == "a" and attributes else []), html


def kinds(converted):
    return [block.kind for block in converted.blocks]


def paragraph_html(converted):
    return "\n".join(b.value["html"] for b in converted.blocks if b.kind == "paragraph")


# --- wpautop ---------------------------------------------------------------------------------


def test_blank_lines_make_paragraphs_and_single_newlines_make_line_breaks():
    converted = convert("Dear Dr. Mimi,\nI have a question.\n\n\n\nAbout socks.")
    html = "<p>Dear Dr. Mimi,<br>\nI have a question.</p>\n<p>About socks.</p>"
    assert converted.blocks == (Block("paragraph", {"html": html}),)


def test_wpautop_leaves_block_elements_unwrapped_and_pre_untouched():
    text = "Intro line\n<h2>Socks</h2>\nA list:\n<ul>\n<li>left</li>\n<li>right</li>\n</ul>\n\n"
    text += "<pre>keep\n\n  this</pre>\n\n<blockquote>Quoted\ntext</blockquote>"
    assert wpautop(text) == (
        "<p>Intro line</p>\n<h2>Socks</h2>\n<p>A list:</p>\n<ul>\n<li>left</li>\n<li>right</li>\n"
        "</ul>\n<pre>keep\n\n  this</pre>\n<blockquote><p>Quoted<br />\ntext</p></blockquote>\n"
    )
    assert wpautop("   \n  ") == ""
    assert wpautop('<a\nhref="x">link</a> text') == '<p><a\nhref="x">link</a> text</p>\n'


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from([" ", "\n", "\t", "\r", "a", "<br />", "\xa0"]), max_size=30))
def test_the_newline_step_matches_wordpress_regex_exactly(pieces):
    text = "".join(pieces)
    expected = re.sub(r"(?<!<br />)\s*\n", "<br />\n", text, flags=re.A)
    assert _newlines_to_br(text) == expected


def test_pre_becomes_code_with_its_line_breaks_kept():
    converted = convert("Run this:\n\n<pre><code>make test\nmake bench</code></pre>")
    assert paragraph_html(converted) == (
        "<p>Run this:</p>\n<p><code>make test<br>make bench</code></p>"
    )


def test_block_editor_content_is_not_autoparagraphed_and_its_comments_all_go():
    raw = (
        '<!-- wp:paragraph {"className":"intro"} -->\n<p>One\ntwo</p>\n<!-- /wp:paragraph -->\n'
        "<!-- wp:separator /-->\n"
        '<!-- wp:jetpack/contact-form {"subject":"a } b","to":"x@y"} /-->\n'
        '<!-- wp:heading {"level":1} --><h1>Big</h1><!-- /wp:heading -->\n'
        "<!-- a comment the writer left -->"
    )
    converted = convert(raw)
    assert paragraph_html(converted) == "<p>One\ntwo</p>\n<h2>Big</h2>"
    assert "wp:" not in paragraph_html(converted)


# --- shortcodes ------------------------------------------------------------------------------


def test_caption_becomes_an_image_with_its_caption_and_attachment_id():
    raw = (
        'Before.\n\n[caption id="attachment_110" align="alignright" width="300"]'
        '<a href="https://askmimi.example/dress.jpg"><img class="size-medium" '
        'src="https://askmimi.example/dress-300.jpg" alt="A long dress" width="300" /></a>'
        " The dress &amp; its <em>train</em>[/caption]\n\nAfter."
    )
    converted = convert(raw)
    assert kinds(converted) == ["paragraph", "image", "paragraph"]
    assert converted.blocks[1].value == {
        "src": "https://askmimi.example/dress-300.jpg",
        "alt": "A long dress",
        "caption": "The dress & its train",
        "attachment_id": 110,
    }


def test_old_style_caption_attribute_and_wp_caption_and_the_image_class_id():
    raw = (
        '[wp_caption id="attachment_3" caption="Old &amp; gold"]<img class="wp-image-4" '
        'src="https://askmimi.example/a.jpg" alt="" />[/wp_caption]'
    )
    (image,) = convert(raw).blocks
    assert (image.value["caption"], image.value["attachment_id"]) == ("Old & gold", 4)


def test_gallery_audio_video_embed_and_playlist_shortcodes_become_blocks():
    raw = "\n\n".join(
        [
            '[gallery ids="12, 13,14" columns="3"]',
            "[gallery]",
            '[audio mp3="https://askmimi.example/episode.mp3"][/audio]',
            "[video width='640' src='https://askmimi.example/clip.mp4']",
            "[video]",
            "[embed]https://vimeo.com/12345[/embed]",
            '[playlist ids="5,6"]',
        ]
    )
    converted = convert(raw)
    assert [(block.kind, block.value) for block in converted.blocks] == [
        ("gallery", {"attachment_ids": [12, 13, 14], "note": ""}),
        ("gallery", {"attachment_ids": [], "note": "all images attached to this post"}),
        ("embed", {"url": "https://askmimi.example/episode.mp3", "kind": "audio"}),
        ("embed", {"url": "https://askmimi.example/clip.mp4", "kind": "video"}),
        ("note", {"text": "A video player without a file was here."}),
        ("embed", {"url": "https://vimeo.com/12345", "kind": "video"}),
        ("note", {"text": "An audio playlist (attachments 5, 6) was here and could not be "
                          "imported."}),
    ]  # fmt: skip
    assert len(converted.notes) == 3


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("Boats [simple boat] drift.", "Boats [simple boat] drift."),
        ('[contact-form-7 id="9" title="Write in"]', '[contact-form-7 id="9" title="Write in"]'),
        ("Write [[gallery]] to show a gallery.", "Write [gallery] to show a gallery."),
        ("[gallery-slider ids=1] and [captions]", "[gallery-slider ids=1] and [captions]"),
        ("[/caption] alone", "[/caption] alone"),
    ],
)
def test_unknown_shortcodes_and_bracketed_text_stay_as_text(raw, text):
    converted = convert(raw)
    assert converted.blocks == (Block("paragraph", {"html": f"<p>{text}</p>"}),)


# --- images, embeds, quotes --------------------------------------------------------------------


def test_an_image_inside_a_paragraph_splits_the_text_around_it():
    raw = (
        'Look: <a href="https://askmimi.example/full.jpg"><img src="https://askmimi.example/s.jpg" '
        'class="alignnone wp-image-42" alt="Socks"></a> matching socks.'
    )
    converted = convert(raw)
    assert [(b.kind, b.value) for b in converted.blocks] == [
        ("paragraph", {"html": "<p>Look:</p>"}),
        ("image", {"src": "https://askmimi.example/s.jpg", "alt": "Socks", "caption": "",
                   "attachment_id": 42}),
        ("paragraph", {"html": "<p>matching socks.</p>"}),
    ]  # fmt: skip


def test_image_attributes_are_read_whatever_separates_them():
    raw = (
        "<img\nclass='wp-image-8'\tsrc=\"https://askmimi.example/a b.jpg?w=1&amp;h=2\"\n"
        'alt=Chairs data-x="src=nope"/>'
    )
    (image,) = convert(raw).blocks
    assert image.value == {
        "src": "https://askmimi.example/a b.jpg?w=1&h=2",
        "alt": "Chairs",
        "caption": "",
        "attachment_id": 8,
    }


def test_block_editor_figures_keep_their_figcaption_and_images_without_source_are_noted():
    raw = (
        '<!-- wp:image {"id":7} --><figure class="wp-block-image"><img src="https://askmimi.'
        'example/7.jpg" alt="" class="wp-image-7"/><figcaption>Seven<br>socks</figcaption>'
        "</figure><!-- /wp:image -->"
        '<!-- wp:html --><img src="data:image/png;base64,AAAA"><img alt="none"><!-- /wp:html -->'
    )
    converted = convert(raw)
    assert [b.value["caption"] for b in converted.blocks] == ["Seven socks"]
    assert converted.notes == ("an image without a usable source was dropped",)


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("https://www.youtube.com/watch?v=abc123", "video"),
        ("https://youtu.be/abc123", "video"),
        ("http://wordpress.tv/2009/03/16/anant-shrivastava-sandbox/", "video"),
        ("https://soundcloud.com/some-band/a-song", "audio"),
        ("https://twitter.com/someone/status/1", "embed"),
        ("https://askmimi.example/media/talk.mp4", "video"),
    ],
)
def test_a_bare_oembed_url_alone_on_a_line_becomes_an_embed(line, kind):
    converted = convert(f"Watch this:\n\n  {line}  \n\nThen write in.")
    assert kinds(converted) == ["paragraph", "embed", "paragraph"]
    assert converted.blocks[1].value == {"url": line, "kind": kind}


def test_other_bare_urls_become_links_and_urls_inside_sentences_stay_text():
    converted = convert("https://example.org/a?b=1&amp;c=2\n\nSee https://youtu.be/x today.")
    assert paragraph_html(converted) == (
        '<p><a href="https://example.org/a?b=1&amp;c=2">https://example.org/a?b=1&amp;c=2</a></p>\n'
        "<p>See https://youtu.be/x today.</p>"
    )


def test_embedded_players_and_iframes_become_embeds():
    raw = (
        '<!-- wp:embed {"url":"https://vimeo.com/1"} --><figure class="wp-block-embed"><div '
        'class="wp-block-embed__wrapper">\nhttps://vimeo.com/1\n</div></figure><!-- /wp:embed -->'
        '<iframe width="560" src="//www.youtube.com/embed/xyz"></iframe>'
        '<video controls><source src="https://askmimi.example/v.webm"></video>'
        '<audio src="https://askmimi.example/a.ogg">Your browser cannot play this.</audio>'
        '<iframe src="javascript:alert(1)"></iframe>'
    )
    converted = convert(raw)
    assert [b.value for b in converted.blocks] == [
        {"url": "https://vimeo.com/1", "kind": "video"},
        {"url": "https://www.youtube.com/embed/xyz", "kind": "video"},
        {"url": "https://askmimi.example/v.webm", "kind": "video"},
        {"url": "https://askmimi.example/a.ogg", "kind": "audio"},
    ]


def test_a_quote_with_a_cite_becomes_a_quote_block_and_a_plain_blockquote_stays_text():
    raw = (
        "<blockquote><p>Advice is what we ask for</p><p>when we already know the answer.</p>"
        "<cite>— Erica Jong</cite></blockquote>\n\n<blockquote>Just quoted.</blockquote>"
    )
    converted = convert(raw)
    assert converted.blocks[0].value == {
        "quote": "Advice is what we ask for\nwhen we already know the answer.",
        "attribution": "Erica Jong",
    }
    assert converted.blocks[1].value == {"html": "<blockquote><p>Just quoted.</p></blockquote>"}


# --- more, nextpage, sanitising, links ---------------------------------------------------------


def test_more_splits_the_excerpt_and_nextpage_joins_the_pages():
    raw = "The short version.\n\n<!--more Keep reading-->\n\nPage one.<!--nextpage-->Page two."
    converted = convert(raw)
    assert converted.has_more is True
    assert converted.excerpt_html == "<p>The short version.</p>"
    assert paragraph_html(converted) == (
        "<p>The short version.</p>\n<p>Page one.</p>\n<p>Page two.</p>"
    )
    assert convert("No break here.").excerpt_html == ""
    assert convert("No break here.").has_more is False


def test_html_is_sanitised_to_the_editor_tags_with_only_href_on_links():
    raw = (
        '<h1 class="x">Title</h1><h5>Small</h5><h6>Smaller</h6>'
        '<p style="color:red" onclick="steal()">Hi <span>there</span> <u>you</u> '
        '<a href="javascript:alert(1)">bad</a> <a href="https://ok.example" target="_blank" '
        'rel="nofollow" title="t">good</a> <del>old</del></p>'
        "<script>alert('x')</script><style>p{}</style><iframe>nope</iframe>"
        "<table><tr><th>Sock</th><th>Colour</th></tr><tr><td>Left</td><td>Red</td></tr></table>"
        "<div><img></div><p>   </p><ul><li></li></ul>"
    )
    converted = convert(raw)
    html = paragraph_html(converted)
    assert html == (
        "<h2>Title</h2>\n<h4>Small</h4>\n<h4>Smaller</h4>\n"
        '<p>Hi there you <a>bad</a> <a href="https://ok.example">good</a> <s>old</s></p>\n'
        "<p>Sock Colour</p>\n<p>Left Red</p>"
    )
    assert "a table was turned into plain paragraphs" in converted.notes
    assert_only_allowed_markup(html)


def test_links_are_rewritten_through_resolve_link_everywhere_but_never_to_unsafe_urls():
    old = {
        "https://askmimi.example/?p=101": "/letters/wedding-dress/",
        "https://askmimi.example/about/": "javascript:alert(1)",
    }
    raw = (
        '<a href="https://askmimi.example/?p=101">the dress</a>, '
        '<a href="https://askmimi.example/about/">about</a>, '
        '<a href="https://elsewhere.example/">elsewhere</a>\n\n<!--more-->\n\n'
        '<a href="https://askmimi.example/?p=101">again</a>'
    )
    converted = convert(raw, resolve_link=old.get)
    assert converted.excerpt_html == (
        '<p><a href="/letters/wedding-dress/">the dress</a>, '
        '<a href="https://askmimi.example/about/">about</a>, '
        '<a href="https://elsewhere.example/">elsewhere</a></p>'
    )
    assert paragraph_html(converted).endswith('<p><a href="/letters/wedding-dress/">again</a></p>')


def test_empty_and_whitespace_bodies_give_no_blocks():
    empty_paragraph = "<!-- wp:paragraph --><p></p><!-- /wp:paragraph -->"
    for raw in ("", "   \n\n  ", empty_paragraph, "\x00", "<p>&nbsp;</p>\n\n&nbsp;"):
        converted = convert(raw)
        assert converted.blocks == ()
        assert (converted.excerpt_html, converted.has_more, converted.notes) == ("", False, ())


HTML_PIECES = st.sampled_from(
    [
        "<p>", "</p>", "<h1>", "</h6>", "<img src='https://x.example/i.jpg' class='wp-image-3'>",
        "<a href='https://x.example/' onclick='x'>", "</a>", "<script>", "</script>", "<pre>",
        "</pre>", "<!--more-->", "<!--nextpage-->", "<!-- wp:paragraph -->", "<!-- /wp:group -->",
        "<!-- wp:separator /-->", "[caption id='attachment_1']", "[/caption]", "[gallery]",
        "[[gallery]]", "[audio src='https://x.example/a.mp3']", "[video]", "[embed]", "[/embed]",
        "[playlist]", "\n", "\n\n", "https://www.youtube.com/watch?v=1", "<blockquote>",
        "<cite>", "</blockquote>", "<table><tr><td>", "<iframe src='https://x.example'>",
        "<svg><title>t</title></svg>", "&amp;", "&lt;b&gt;", "<b style='x'>", "</b>", "<br>",
        "<figure>", "<figcaption>", "</figure>", "<ul><li>", "<div class='x'>", "<math>", "<",
        "<!--", "-->", "]", "[", "\x00", "<video src='https://x.example/v.mp4'>", "</video>",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(HTML_PIECES, st.text(max_size=12)), max_size=40))
def test_convert_never_raises_and_never_outputs_markup_outside_the_allowed_set(pieces):
    raw = "".join(pieces)
    converted = convert(raw, resolve_link=lambda url: "/moved/" if "x.example" in url else None)
    assert_only_allowed_markup(converted.excerpt_html)
    for block in converted.blocks:
        assert block.kind in {"paragraph", "image", "quote", "embed", "gallery", "note"}
        if block.kind == "paragraph":
            assert block.value["html"].strip()
            assert_only_allowed_markup(block.value["html"])
        elif block.kind in ("image", "embed"):
            assert re.match(r"https?://|/", block.value.get("src") or block.value.get("url"))


# --- titles ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "title"),
    [
        ("Markup: Title <em>With</em> <b>Mark<sup>up</sup></b>", "Markup: Title With Markup"),
        ("Fish &#038; Chips &amp;amp; peas", "Fish & Chips &amp; peas"),
        ("  Dear  Dr.\n Mimi  – Socks ", "Dear Dr. Mimi – Socks"),
        ("<script>alert(1)</script>Safe", "Safe"),
        ("I <3 you & 2 > 1", "I <3 you & 2 > 1"),
        ("", ""),
        ("<em></em>", ""),
    ],
)
def test_plain_title_strips_tags_decodes_entities_once_and_collapses_spaces(raw, title):
    assert plain_title(raw) == title


# --- letters -----------------------------------------------------------------------------------


def letters():
    return {
        item.slug: item
        for name in ("letters.xml", "site-1.2.xml", "comments-1.1.xml", "wxr-1.0.xml")
        for item in iter_wxr(DATA / name)
        if isinstance(item, Item) and item.post_type == "post"
    }


LETTERS = letters()


@pytest.mark.parametrize(
    ("slug", "addressee", "pen_name", "question", "answer"),
    [
        ("split-em-dash-classic", "Dr. Mimi", "Sleepless in Stockport",
         "<p>Every morning at six my neighbour plays the same four bars of a march. I have tried "
         "earplugs, a white-noise machine and a polite note.</p>\n<p>Should I learn the tuba?</p>",
         "<p>Knock on the door at a civilised hour and ask which march it is. People practise "
         "less loudly for an audience they have met.</p>"),
        ("split-en-dash-html", "Dr. Mimi", "The Only Reader",
         "<p>We meet monthly, we drink wine, and nobody has finished a book since <em>March</em>."
         "</p>\n<ul><li>Do I say something?</li><li>Do I stop reading too?</li></ul>",
         "<p>call it a wine club and start a second group for the books.</p>\n"
         "<p>You will find the other readers quickly.</p>"),
        ("split-double-hyphen-inline-greeting", "Dr Mimi", "Best Man, Reluctantly",
         "<p>my brother asked me to give the speech at his wedding and I have nothing kind to "
         "say about the bride.<br>How do I get through five minutes?</p>",
         "<p>talk about your brother for four minutes and about how happy he looks for one.</p>"),
        ("split-answer-without-sign-off", "Dr. Mimi", "Second Favourite",
         "<p>My cat prefers my flatmate.</p>",
         "<p>Cats prefer whoever opens the tins. Open the tins.</p>"),
        ("split-prefix-name", "Mimi", "Pedant in Perth",
         '<p>My partner says "-" is a dash; I say it is a hyphen.</p>',
         "<p>You are both right, and both about to be single.</p>"),
        ("my-sister-borrowed-my-wedding-dress", "Dr. Mimi", "Hemmed In",
         "<p>My sister wore my wedding dress to her own wedding without asking.</p>",
         "<p>Ask her to have it cleaned, then let it go.</p>"),
        ("the-group-chat-will-not-stop", "Dr. Mimi", "Muted",
         "<p>My school friends post four hundred messages a day.</p>",
         "<p>Mute them, then meet them.</p>"),
        ("my-flatmate-never-pays-the-gas-bill", "Mimi", "Cold in Leeds",
         '<p>Every quarter the bill comes and every quarter he is "a bit short".</p>',
         "<p>Put the bill in both names and the problem moves to the gas company.</p>"),
    ],
)  # fmt: skip
def test_letters_split_into_question_pen_name_and_answer(
    slug, addressee, pen_name, question, answer
):
    item = LETTERS[slug]
    letter = split_letter(item.title, convert(item.content).blocks, pattern=LETTER_PATTERN)
    assert letter is not None
    assert (letter.addressee, letter.pen_name) == (addressee, pen_name)
    assert letter.question_html == question
    assert letter.answer_html == answer
    # A raw body is converted first, so both ways agree.
    assert split_letter(item.title, item.content) == letter


@pytest.mark.parametrize(
    "slug",
    [
        "unsure-no-sign-off",
        "unsure-two-sign-offs",
        "unsure-answer-missing",
        "unsure-image-in-body",
        "unsure-reply-to-someone-else",
        "the-letter-we-could-not-print",  # a title that is not a letter's
    ],
)
def test_letters_that_cannot_be_split_for_certain_give_none(slug):
    item = LETTERS[slug]
    assert split_letter(item.title, convert(item.content).blocks) is None


def test_the_title_pattern_decides_which_posts_are_letters():
    item = LETTERS["split-em-dash-classic"]
    assert split_letter(item.title, item.content, pattern=r"^Ask Mimi:") is None
    assert split_letter("Ask Mimi: trumpets", item.content, pattern=r"^Ask Mimi:") is not None
    assert split_letter("Dear Dr. Mimi", item.content) is None  # no dash in the title


# --- the theme unit test data ------------------------------------------------------------------


@pytest.fixture(scope="module")
def theme_items():
    if not THEME_DATA.exists():
        pytest.skip(f"the WordPress theme unit test export is not here: {THEME_DATA}")
    return [thing for thing in iter_wxr(THEME_DATA) if isinstance(thing, Item)]


def test_every_theme_test_body_converts_cleanly(theme_items):
    converted = {item.wp_id: convert(item.content) for item in theme_items}
    for item in theme_items:
        result = converted[item.wp_id]
        assert_only_allowed_markup(result.excerpt_html)
        for block in result.blocks:
            if block.kind == "paragraph":
                html = block.value["html"]
                assert_only_allowed_markup(html)
                assert not KNOWN_SHORTCODE.search(html), (item.title, html)
                assert "<!--" not in html
    by_title = {item.title: converted[item.wp_id] for item in theme_items}
    assert "[simple boat]" in paragraph_html(by_title["Post Format: Standard"])
    assert by_title["Edge Case: No Content"].blocks == ()

    counts = collections.Counter(b.kind for result in converted.values() for b in result.blocks)
    assert counts["gallery"] == 12  # the README's twelve [gallery] shortcodes
    captioned = [b for r in converted.values() for b in r.blocks if b.kind == "image"]
    assert sum(1 for b in captioned if b.value["caption"]) >= 12  # twelve [caption]s, and more
    assert sum(1 for item in theme_items if converted[item.wp_id].has_more) == 4
    embeds = {b.value["url"] for r in converted.values() for b in r.blocks if b.kind == "embed"}
    assert {"https://twitter.com/nacin/status/319508408669708289"} <= embeds
    assert any("youtube.com" in url for url in embeds)
    assert any("wordpress.tv" in url for url in embeds)
    audio = [b for r in converted.values() for b in r.blocks if b.value.get("kind") == "audio"]
    assert audio  # the [audio] shortcode


def test_theme_test_titles_with_markup_or_nothing_become_plain_text(theme_items):
    titles = {plain_title(item.title) for item in theme_items if item.post_type == "post"}
    assert "Markup: Title With Markup" in titles
    assert "" in titles  # the post with an empty title: the mapping step supplies a fallback
    assert not any("<" in title and ">" in title for title in titles)
