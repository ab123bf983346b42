"""The WXR reader: every WXR version, every status and comment state, hostile and broken files,
flat memory on a large export, and the counts of a real WordPress export."""

import collections
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dearly.importer.wxr import (
    Author,
    Channel,
    Comment,
    Item,
    Notice,
    Skipped,
    Term,
    WXRError,
    iter_wxr,
)

from .conftest import WPCOM_EXPORT, WXR_HEAD, item_xml, line_of, write_export

DATA = Path(__file__).parent / "data"
THEME_DATA = (
    Path(__file__).resolve().parents[3].parent
    / "shared/testdata/wordpress/themeunittestdata.wordpress.xml"
)


def read(name):
    return list(iter_wxr(DATA / name))


def items_by_id(things):
    return {thing.wp_id: thing for thing in things if isinstance(thing, Item)}


def thread_depth(comments):
    parents = {comment.wp_id: comment.parent_id for comment in comments}

    def depth(wp_id):
        return 1 if not parents[wp_id] else 1 + depth(parents[wp_id])

    return max(depth(wp_id) for wp_id in parents)


# --- WXR 1.2: channel, authors, terms, statuses, technical types -------------------------------


def test_wxr_1_2_yields_channel_then_authors_terms_items_in_file_order():
    things = read("site-1.2.xml")
    assert [type(thing).__name__ for thing in things[:9]] == [
        "Channel",
        "Author",
        "Author",
        "Term",
        "Term",
        "Term",
        "Term",
        "Term",
        "Item",
    ]
    channel = things[0]
    assert channel == Channel(
        title="Ask Dr. Mimi",
        link="https://askmimi.example",
        base_site_url="https://askmimi.example",
        base_blog_url="https://askmimi.example",
        wxr_version="1.2",
        language="en-GB",
        path=str(DATA / "site-1.2.xml"),
    )
    assert things[1] == Author(
        wp_id=1,
        login="mimi",
        email="mimi@askmimi.example",
        display_name="Dr. Mimi",
        first_name="Mimi",
        last_name="Okafor",
    )
    assert things[2].login == "subeditor"
    assert things[2].first_name == ""


def test_categories_are_read_as_written_even_when_children_come_first_or_parents_are_missing():
    terms = [thing for thing in read("site-1.2.xml") if isinstance(thing, Term)]
    assert terms == [
        Term("category", "siblings", "Siblings & Cousins", "family", "Who gets the good chair "
             "at Christmas.", 11),
        Term("category", "family", "Family", "", "", 10),
        Term("category", "rivals", "Rivals", "workplace", "", 12),
        Term("post_tag", "holidays", "Holidays", "", "", 20),
        Term("nav_menu", "main-menu", "Main menu", "", "", 30),
    ]  # fmt: skip


def test_every_post_status_and_technical_type_is_read_as_is():
    items = [thing for thing in read("site-1.2.xml") if isinstance(thing, Item)]
    assert [(item.wp_id, item.post_type, item.status) for item in items] == [
        (101, "post", "publish"),
        (102, "post", "draft"),
        (103, "post", "pending"),
        (104, "post", "future"),
        (105, "post", "private"),
        (106, "post", "publish"),  # password-protected
        (107, "post", "trash"),
        (108, "post", "auto-draft"),
        (120, "page", "publish"),
        (121, "page", "publish"),
        (110, "attachment", "inherit"),
        (130, "nav_menu_item", "publish"),
        (140, "wp_block", "publish"),
    ]
    assert items[5].password == "goat & co"
    assert [item.password for item in items if item.password] == ["goat & co"]
    assert items[-1].content.startswith("<!-- wp:paragraph -->")
    assert items[-2].terms == (("nav_menu", "main-menu", "Main menu"),)


def test_published_letter_keeps_raw_title_content_excerpt_terms_meta_and_sticky():
    letter = items_by_id(read("site-1.2.xml"))[101]
    assert letter.title == "Dear Dr. Mimi – My sister borrowed my wedding dress"
    assert letter.link == "https://askmimi.example/2024/03/my-sister-borrowed-my-wedding-dress/"
    assert letter.guid == "https://askmimi.example/?p=101"
    assert letter.slug == "my-sister-borrowed-my-wedding-dress"
    assert letter.author_login == "mimi"
    assert letter.date_gmt == datetime(2024, 3, 15, 9, 30, tzinfo=UTC)
    assert letter.content.startswith("<p>Dear Dr. Mimi,</p>\n<p>My sister wore")
    assert "<!--more-->" in letter.content
    assert letter.excerpt == "A dress, a sister and a <em>very</em> long aisle."
    assert letter.is_sticky is True
    assert letter.comment_status == "open"
    assert letter.terms == (
        ("category", "siblings", "Siblings & Cousins"),
        ("post_tag", "holidays", "Holidays"),
    )
    assert letter.meta_values("_wp_old_slug") == ["sister-dress", "wedding-dress-sister"]
    assert letter.meta_values("_thumbnail_id") == ["110"]
    assert letter.meta_values("nothing") == []
    assert letter.comments == ()


def test_zero_gmt_dates_fall_back_to_the_local_date_and_all_zero_dates_become_none():
    items = items_by_id(read("site-1.2.xml"))
    assert items[102].date_gmt == datetime(2024, 4, 2, 18, 5, tzinfo=UTC)  # draft
    assert items[103].date_gmt == datetime(2024, 4, 3, 8, 0, tzinfo=UTC)  # pending
    assert items[104].date_gmt == datetime(2030, 6, 1, 7, 0, tzinfo=UTC)  # future
    assert items[108].date_gmt is None  # auto-draft: both dates are 0000-00-00
    assert items[102].slug == ""
    assert all(item.is_sticky is False for wp_id, item in items.items() if wp_id != 101)


def test_pages_keep_parent_and_order_and_attachments_their_url_and_alt_text():
    items = items_by_id(read("site-1.2.xml"))
    assert (items[121].parent_id, items[121].menu_order) == (120, 2)
    assert (items[120].parent_id, items[120].menu_order) == (0, 1)
    assert items[120].content == "Dr. Mimi has answered letters since 2009.\n\nShe reads every one."
    attachment = items[110]
    assert attachment.attachment_url == (
        "https://askmimi.example/wp-content/uploads/2024/03/dress-sketch.jpg"
    )
    assert attachment.parent_id == 101
    assert attachment.meta_values("_wp_attachment_image_alt") == [
        "Pencil sketch of a wedding dress with a long train"
    ]
    assert items[101].attachment_url == ""


def test_each_item_knows_the_file_and_line_where_it_starts():
    path = DATA / "site-1.2.xml"
    lines = path.read_text().splitlines()
    items = [thing for thing in iter_wxr(path) if isinstance(thing, Item)]
    assert all(item.path == str(path) for item in items)
    assert all(lines[item.line - 1].strip() == "<item>" for item in items)
    assert len({item.line for item in items}) == len(items)


# --- WXR 1.1: comments -------------------------------------------------------------------------


def test_wxr_1_1_comments_of_every_type_and_approval_state_are_read():
    things = read("comments-1.1.xml")
    assert things[0].wxr_version == "1.1"
    (letter,) = [thing for thing in things if isinstance(thing, Item)]
    comments = {comment.wp_id: comment for comment in letter.comments}
    assert len(comments) == 13
    assert [c.approved for c in letter.comments][6:10] == ["0", "spam", "trash", "post-trashed"]
    assert {c.type for c in letter.comments} == {"", "comment", "pingback", "trackback", "note"}
    assert comments[1] == Comment(
        wp_id=1,
        author_name="Priya",
        author_email="priya@mail.example",
        author_url="https://priya.example/",
        author_ip="192.0.2.10",
        date_gmt=datetime(2023, 11, 20, 10, 0, tzinfo=UTC),
        content="I left mine in 2019 and nobody noticed.",
        approved="1",
        type="",
        parent_id=0,
        user_id=0,
    )
    assert comments[2].content == "Level two: <strong>they noticed</strong>, Priya."
    assert comments[2].user_id == 1
    assert comments[7].date_gmt == datetime(2023, 11, 21, 8, 0, tzinfo=UTC)  # GMT was zero
    assert comments[11].content == "[&#8230;] Dr. Mimi has the answer to chat overload [&#8230;]"
    assert (comments[12].type, comments[12].approved) == ("trackback", "0")
    assert (comments[13].type, comments[13].user_id) == ("note", 1)


def test_a_thread_six_replies_deep_keeps_every_parent():
    (letter,) = [thing for thing in read("comments-1.1.xml") if isinstance(thing, Item)]
    assert [c.parent_id for c in letter.comments[:6]] == [0, 1, 2, 3, 4, 5]
    assert thread_depth(letter.comments) == 6


# --- WXR 1.0 and several files -----------------------------------------------------------------


def test_wxr_1_0_takes_the_version_from_the_namespace_and_skips_nameless_term_copies():
    things = read("wxr-1.0.xml")
    channel = things[0]
    assert (channel.wxr_version, channel.title, channel.base_blog_url) == (
        "1.0",
        "Mimi's Mailbag",
        "",
    )
    assert not any(isinstance(thing, Author) for thing in things)
    terms = [thing for thing in things if isinstance(thing, Term)]
    assert [(term.taxonomy, term.slug, term.wp_id) for term in terms] == [
        ("category", "uncategorized", None),
        ("category", "money", None),
        ("post_tag", "rent", None),
    ]
    (post,) = [thing for thing in things if isinstance(thing, Item)]
    assert post.terms == (("category", "money", "Money"), ("post_tag", "rent", "rent"))
    assert post.author_login == "mimi"
    assert post.excerpt == ""
    assert post.is_sticky is False
    assert post.date_gmt == datetime(2008, 6, 10, 20, 1, 45, tzinfo=UTC)
    assert [(c.wp_id, c.author_name) for c in post.comments] == [(3, "Jo")]


def test_each_file_of_a_split_export_parses_on_its_own_with_http_or_https_namespaces():
    first = read("multi-part-1.xml")
    second = read("multi-part-2.xml")
    assert first[0].path.endswith("multi-part-1.xml")
    assert second[0].path.endswith("multi-part-2.xml")
    assert set(items_by_id(first)) == {300, 310}
    second_items = items_by_id(second)
    # References into part 1 are kept as ids and slugs for the mapping step to resolve.
    assert second_items[301].parent_id == 300
    assert second_items[302].meta_values("_thumbnail_id") == ["310"]
    assert second_items[302].excerpt == ""
    (term,) = [thing for thing in second if isinstance(thing, Term)]
    assert (term.slug, term.parent_slug) == ("office-politics", "work")


# --- broken and hostile files ------------------------------------------------------------------


def test_broken_xml_stops_with_file_line_and_reason_after_the_good_items():
    path = DATA / "malformed.xml"
    seen = []
    with pytest.raises(WXRError) as caught:
        for thing in iter_wxr(path):
            seen.append(thing)
    error = caught.value
    assert (error.path, error.line) == (str(path), 19)
    assert str(error) == f"{path}:19: broken XML (column 4): mismatched tag"
    assert [thing.wp_id for thing in seen if isinstance(thing, Item)] == [1]


@pytest.mark.parametrize(
    ("name", "line", "words"),
    [
        ("billion-laughs.xml", 4, "declares the entity 'lol'"),
        ("xxe.xml", 5, "external entity 'secret' pointing at file:///etc/passwd"),
    ],
)
def test_entity_attacks_are_refused_before_anything_is_read(name, line, words):
    path = DATA / name
    seen = []
    with pytest.raises(WXRError) as caught:
        for thing in iter_wxr(path):
            seen.append(thing)
    assert seen == []
    assert caught.value.line == line
    assert str(caught.value).startswith(f"{path}:{line}: refused: ")
    assert words in str(caught.value)


def test_a_public_rss_feed_is_refused_as_not_a_wordpress_export():
    with pytest.raises(WXRError, match=r"not-wxr\.xml:3: not a WordPress export: no http"):
        read("not-wxr.xml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", r"empty\.xml:1: broken XML \(column 1\): no element found"),
        ("<feed xmlns='http://www.w3.org/2005/Atom'><title>x</title></feed>",
         r"empty\.xml:1: not a WordPress export: the root element is <feed>"),
        ("<rss version='2.0'/>", r"empty\.xml: not a WordPress export: there is no <channel>"),
        ("not xml at all", r"empty\.xml:1: broken XML \(column 1\): syntax error"),
        ("<rss xmlns:wp='http://wordpress.org/export/1.2/'><channel><foo:bar/></channel></rss>",
         r"empty\.xml:1: broken XML \(column 59\): unbound prefix \(the prefix foo: has no "
         r"xmlns:foo declaration\)"),
        ("<rss xmlns:wp='http://wordpress.org/export/1.2/'><channel>\xe9</channel></rss>",
         r"empty\.xml:1: broken XML \(column 59\): not well-formed \(invalid token\)"),
    ],
)  # fmt: skip
def test_files_that_are_not_usable_exports_raise_wxr_error_with_a_reason(tmp_path, text, message):
    path = tmp_path / "empty.xml"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(WXRError, match=message):
        list(iter_wxr(path))


def test_a_missing_file_raises_wxr_error_not_oserror(tmp_path):
    path = tmp_path / "nowhere.xml"
    with pytest.raises(WXRError) as caught:
        list(iter_wxr(path))
    assert str(caught.value) == f"{path}: cannot read the file (No such file or directory)"
    assert caught.value.line is None


def test_an_export_with_no_items_still_yields_its_channel(tmp_path):
    path = tmp_path / "empty-site.xml"
    path.write_text(
        "<rss xmlns:wp='http://wordpress.org/export/1.2/'><channel><title>Quiet</title>"
        "<wp:wxr_version>1.2</wp:wxr_version></channel></rss>"
    )
    (channel,) = iter_wxr(path)
    assert (channel.title, channel.wxr_version) == ("Quiet", "1.2")


# --- read anyway, as WordPress's own importer does -------------------------------------------


def undeclared(prefix, uri):
    return (
        f"the prefix {prefix}: is used without an xmlns:{prefix} declaration (WordPress.com "
        f"exports do this); read as {uri}"
    )


def test_prefixes_wordpress_com_leaves_undeclared_are_bound_and_told_once_where_first_used(
    tmp_path,
):
    path = tmp_path / "wpcom.xml"
    path.write_text(WPCOM_EXPORT)
    things = list(iter_wxr(path))
    assert isinstance(things[0], Channel)
    assert things[0].base_blog_url == "https://askmimi.wordpress.com"
    item_line = line_of(WPCOM_EXPORT, "<item>")
    assert [str(thing) for thing in things if isinstance(thing, Notice)] == [
        f"{path}:{line_of(WPCOM_EXPORT, '<atom:link')}: "
        + undeclared("atom", "http://www.w3.org/2005/Atom"),
        f"{path}:{item_line}: " + undeclared("media", "http://search.yahoo.com/mrss/"),
        f"{path}:{item_line}: " + undeclared("georss", "http://www.georss.org/georss"),
    ]
    (post,) = [thing for thing in things if isinstance(thing, Item)]
    assert (post.wp_id, post.line, post.content) == (
        41,
        item_line,
        "Set your own hours, and say so once.",
    )
    assert [(c.wp_id, c.parent_id) for c in post.comments] == [(3, 0), (4, 3)]


def test_a_prefix_declared_where_it_is_used_is_not_told_and_attributes_count_too(tmp_path):
    path = write_export(
        tmp_path / "inline.xml",
        '<atom:link xmlns:atom="http://www.w3.org/2005/Atom" rel="hub" href="/hub"/>\n',
        item_xml(1, "One", extra='<guid geo:lang="en">https://askmimi.example/?p=1</guid>'),
    )
    notices = [thing for thing in iter_wxr(path) if isinstance(thing, Notice)]
    assert [notice.message for notice in notices] == [
        undeclared("geo", "http://www.w3.org/2003/01/geo/wgs84_pos#")
    ]
    assert notices[0].line == line_of(path.read_text(), "<item>")


def test_an_undeclared_prefix_no_export_uses_is_still_broken_xml_naming_it(tmp_path):
    path = write_export(tmp_path / "odd.xml", item_xml(1, "One"), "\n  <shop:price>3</shop:price>")
    seen = []
    with pytest.raises(WXRError) as caught:
        for thing in iter_wxr(path):
            seen.append(thing)
    line = line_of(path.read_text(), "<shop:price>")
    assert str(caught.value) == (
        f"{path}:{line}: broken XML (column 3): unbound prefix (the prefix shop: has no "
        "xmlns:shop declaration)"
    )
    assert [thing.wp_id for thing in seen if isinstance(thing, Item)] == [1]


def test_the_rss_tag_is_found_after_a_bom_a_long_prologue_and_several_reads(tmp_path):
    prologue = (
        '\ufeff<?xml version="1.0" encoding="UTF-8"?>\n<!-- ' + "a plugin was here " * 2000
        + "-->\n<?xml-stylesheet href='x.xsl'?>\n<!DOCTYPE rss>\n"
    )  # fmt: skip
    head = WXR_HEAD.split("\n", 1)[1].replace("<rss ", '<rss data-note="a > b" ', 1)
    text = prologue + head + "<atom:link href='/hub'/>\n" + item_xml(9, "Nine")
    path = tmp_path / "prologue.xml"
    path.write_text(text + "</channel></rss>\n", encoding="utf-8")
    things = list(iter_wxr(path))
    (notice,) = [thing for thing in things if isinstance(thing, Notice)]
    assert notice.line == line_of(text, "<atom:link")
    (item,) = [thing for thing in things if isinstance(thing, Item)]
    assert (item.wp_id, item.line) == (9, line_of(text, "<item>"))


def test_past_a_megabyte_of_prologue_nothing_is_declared_and_the_error_names_the_prefix(
    tmp_path,
):
    prologue = "<!-- " + "a plugin printed this. " * 60_000 + "-->\n"
    path = tmp_path / "chatty.xml"
    path.write_text(prologue + WPCOM_EXPORT.split("\n", 1)[1])
    with pytest.raises(WXRError) as caught:
        list(iter_wxr(path))
    line = line_of(WPCOM_EXPORT, "<atom:link")  # the XML declaration gave way to one line
    assert str(caught.value) == (
        f"{path}:{line}: broken XML (column 1): unbound prefix (the prefix atom: has no "
        "xmlns:atom declaration)"
    )


HIJACKED = "http://example.com/not-wordpress/"


def test_an_item_author_term_or_comment_that_cannot_be_read_is_skipped_with_its_line(tmp_path):
    path = write_export(
        tmp_path / "partly.xml",
        "<wp:author><wp:author_id>one</wp:author_id><wp:author_login>x</wp:author_login>"
        "</wp:author>\n",
        f'<wp:author><wp:author_login xmlns:wp="{HIJACKED}">y</wp:author_login></wp:author>\n',
        # A <wp:author> whose own prefix is rebound is not an author here (as in WordPress).
        f'<wp:author xmlns:wp="{HIJACKED}"><wp:author_login>z</wp:author_login></wp:author>\n',
        "<wp:category><wp:term_id>ten</wp:term_id><wp:category_nicename>c"
        "</wp:category_nicename></wp:category>\n",
        item_xml(5, "No id", comments=[(50, 0), (51, 50)]).replace(
            "<wp:post_id>5</wp:post_id>", ""
        ),
        item_xml(6, "Hijacked").replace("<item>", f'<item xmlns:wp="{HIJACKED}">'),
        item_xml(7, "Bad parent", parent="five"),
        item_xml(8, "Good", comments=[(80, 0), (81, 80)]).replace(
            "<wp:comment_id>80</wp:comment_id>", ""
        ),
    )
    text = path.read_text()
    things = list(iter_wxr(path))
    skipped = [thing for thing in things if isinstance(thing, Skipped)]
    lines = [line_of(text, needle) for needle in ("<wp:author>", "<wp:category>", "No id",
                                                  "Hijacked", "Bad parent", "Good")]  # fmt: skip
    assert [str(thing) for thing in skipped] == [
        f"{path}:{lines[0]}: this <wp:author> skipped: <wp:author_id> should be a whole "
        "number, not 'one'",
        f"{path}:{lines[0] + 1}: this <wp:author> skipped: it binds the wp: prefix to "
        f"{HIJACKED}, not to WordPress's export namespace, so it has no <wp:author_login>",
        f"{path}:{lines[1]}: this term skipped: <wp:term_id> should be a whole number, not 'ten'",
        f"{path}:{lines[2]}: this <item> (and its 2 comments) skipped: it has no <wp:post_id>",
        f"{path}:{lines[3]}: this <item> skipped: it binds the wp: prefix to {HIJACKED}, not "
        "to WordPress's export namespace, so it has no <wp:post_id>",
        f"{path}:{lines[4]}: this <item> skipped: <wp:post_parent> should be a whole number, "
        "not 'five'",
        f"{path}:{lines[5]}: a <wp:comment> of this <item> skipped: it has no <wp:comment_id>",
    ]
    assert [(s.what, s.comments) for s in skipped] == [
        ("author", 0), ("author", 0), ("term", 0), ("item", 2), ("item", 0), ("item", 0),
        ("comment", 0),
    ]  # fmt: skip
    assert not any(isinstance(thing, Author) for thing in things)
    (good,) = [thing for thing in things if isinstance(thing, Item)]
    assert good.wp_id == 8
    assert [(c.wp_id, c.parent_id) for c in good.comments] == [(81, 80)]


@pytest.mark.parametrize(
    ("version", "told", "read_as"),
    [
        ("one point two", "<wp:wxr_version> is 'one point two', not a version number such as "
         "1.2; read as WXR 1.2 (WordPress's importer refuses such a file)", "1.2"),
        ("1.3", "WXR 1.3 is newer than 1.2, the newest this importer knows; read as 1.2 "
         "(anything new in it is left out)", "1.3"),
        ("1.1", None, "1.1"),
        ("", None, "1.2"),
    ],
)  # fmt: skip
def test_an_invalid_or_newer_wxr_version_is_read_with_a_notice(tmp_path, version, told, read_as):
    head = WXR_HEAD.replace("<wp:wxr_version>1.2<", f"<wp:wxr_version>{version}<")
    path = write_export(tmp_path / "version.xml", item_xml(1, "One"), head=head)
    things = list(iter_wxr(path))
    assert things[0].wxr_version == read_as
    notices = [thing for thing in things if isinstance(thing, Notice)]
    line = line_of(head, "<wp:wxr_version>")
    assert [str(notice) for notice in notices] == ([f"{path}:{line}: {told}"] if told else [])
    assert [thing.wp_id for thing in things if isinstance(thing, Item)] == [1]


# --- memory ------------------------------------------------------------------------------------


def write_big_export(path, target_bytes):
    body = "<p>" + "Dear Dr. Mimi, my neighbour waters my plants with lemonade. " * 80 + "</p>"
    comment = (
        "<wp:comment><wp:comment_id>{cid}</wp:comment_id><wp:comment_author>Reader</wp:comment_author>"
        "<wp:comment_author_email>r@mail.example</wp:comment_author_email>"
        "<wp:comment_date_gmt>2020-01-01 10:00:00</wp:comment_date_gmt>"
        "<wp:comment_content><![CDATA[" + "So true. " * 40 + "]]></wp:comment_content>"
        "<wp:comment_approved>1</wp:comment_approved><wp:comment_parent>{parent}"
        "</wp:comment_parent><wp:comment_user_id>0</wp:comment_user_id></wp:comment>"
    )
    written = 0
    count = 0
    with open(path, "w") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>Big</title>'
            "<wp:wxr_version>1.2</wp:wxr_version>\n"
        )
        while written < target_bytes:
            count += 1
            comments = "".join(
                comment.format(cid=count * 10 + n, parent=count * 10 + n - 1 if n else 0)
                for n in range(3)
            )
            chunk = (
                f"<item><title>Letter {count}</title><dc:creator>mimi</dc:creator>"
                f"<content:encoded><![CDATA[{body}]]></content:encoded>"
                f"<wp:post_id>{count}</wp:post_id><wp:post_date_gmt>2020-01-01 09:00:00"
                "</wp:post_date_gmt><wp:status>publish</wp:status><wp:post_type>post"
                f"</wp:post_type>{comments}</item>\n"
            )
            written += out.write(chunk)
        out.write("</channel></rss>\n")
    return count


# Reads the export in a fresh interpreter, sampling its resident memory (KB) as it goes: the
# process-wide peak would only show the imports' own transient peak.
MEMORY_PROBE = """
import os, sys
from dearly.importer.wxr import Item, iter_wxr
def rss():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
before = highest = rss()
items = comments = 0
for thing in iter_wxr(sys.argv[1]):
    if isinstance(thing, Item):
        items += 1
        comments += len(thing.comments)
        if items % 50 == 0:
            highest = max(highest, rss())
print(items, comments, max(highest, rss()) - before)
"""


@pytest.mark.servers
def test_a_50_mb_export_streams_in_flat_memory(tmp_path):
    path = tmp_path / "big.xml"
    count = write_big_export(path, 50 * 1024 * 1024)
    size = path.stat().st_size
    repo = Path(__file__).resolve().parents[3]
    env = {**os.environ, "PYTHONPATH": str(repo)}
    result = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(path)],
        capture_output=True, text=True, env=env, check=True, timeout=120,
    )  # fmt: skip
    items, comments, growth_kb = map(int, result.stdout.split())
    assert (items, comments) == (count, 3 * count)
    assert size > 50 * 1024 * 1024
    # Streaming holds one 16 KB read buffer and an item or two, never the file (building the
    # whole tree, as ElementTree.parse does, grows it by about 75 MB here).
    assert growth_kb < 8 * 1024, f"RSS grew {growth_kb / 1024:.0f} MB reading {size >> 20} MB"


# --- a real export: WordPress's theme unit test data -------------------------------------------


@pytest.fixture(scope="module")
def theme_data():
    if not THEME_DATA.exists():
        pytest.skip(f"the WordPress theme unit test export is not here: {THEME_DATA}")
    return list(iter_wxr(THEME_DATA))


def test_theme_unit_test_data_matches_the_counts_in_its_readme(theme_data):
    channel = theme_data[0]
    assert (channel.title, channel.wxr_version) == ("Theme Unit Test Data", "1.2")
    assert channel.base_blog_url == "https://wpthemetestdata.wordpress.com"

    items = [thing for thing in theme_data if isinstance(thing, Item)]
    assert len(items) == 186
    by_type = collections.Counter(item.post_type for item in items)
    assert (by_type["post"], by_type["page"], by_type["attachment"]) == (58, 21, 37)
    assert by_type["nav_menu_item"] == 70
    post_statuses = collections.Counter(item.status for item in items if item.post_type == "post")
    assert post_statuses == {"publish": 56, "future": 1, "draft": 1}
    assert {item.status for item in items if item.post_type == "page"} == {"publish"}
    assert sum(1 for item in items if item.post_type == "page" and item.parent_id) == 13
    assert sum(1 for item in items if item.post_type == "attachment" and item.parent_id) == 35
    (future,) = [item for item in items if item.status == "future"]
    assert (future.title, future.date_gmt.year) == ("Scheduled", 2030)

    comments = [comment for item in items for comment in item.comments]
    assert len(comments) == 33
    assert collections.Counter(comment.approved for comment in comments) == {"1": 30, "0": 3}
    types = collections.Counter(comment.type for comment in comments)
    assert types == {"": 28, "comment": 1, "trackback": 2, "pingback": 2}
    assert sum(1 for comment in comments if comment.parent_id) == 10
    threads = {item.title: thread_depth(item.comments) for item in items if item.comments}
    assert threads["Template: Comments"] == 10
    assert threads["Page with comments"] == 2

    terms = [thing for thing in theme_data if isinstance(thing, Term)]
    categories = [term for term in terms if term.taxonomy == "category"]
    assert len(categories) == 68 + 1  # 68 wp:category, plus one wp:term repeating "6-1"
    assert len({term.slug for term in categories}) == 68
    assert sum(1 for term in categories if term.parent_slug) == 10
    assert sum(1 for term in terms if term.taxonomy == "post_tag") == 110
    assert sum(1 for term in terms if term.taxonomy == "nav_menu") == 6
    assert [author.login for author in theme_data if isinstance(author, Author)] == [
        "themedemos",
        "themereviewteam",
    ]
    term_links = collections.Counter(term[0] for item in items for term in item.terms)
    assert term_links == {"category": 175, "post_tag": 188, "post_format": 13, "nav_menu": 70}

    assert [item.title for item in items if item.is_sticky] == ["Template: Sticky"]
    (protected,) = [item for item in items if item.password]
    assert protected.password == "enter"
    assert "Password Protected" in protected.title
    assert sum(1 for item in items if item.status == "private") == 0


def test_elements_outside_the_channel_and_unknown_channel_elements_are_ignored(tmp_path):
    path = tmp_path / "extra.xml"
    path.write_text(
        "<rss xmlns:wp='http://wordpress.org/export/1.2/'><channel><title>A</title>"
        "<image><url>https://askmimi.example/logo.png</url></image><generator>x</generator>"
        "<item><wp:post_id>1</wp:post_id><wp:unknown_field>?</wp:unknown_field></item>"
        "</channel><extra><child/><child/></extra></rss>"
    )
    things = list(iter_wxr(path))
    assert [type(thing).__name__ for thing in things] == ["Channel", "Item"]
    assert things[1].wp_id == 1
    assert things[1].title == ""


def test_blank_lines_before_the_declaration_and_control_characters_are_tolerated(tmp_path):
    path = tmp_path / "sloppy.xml"
    path.write_bytes(
        b"\n\n  \n"
        + (DATA / "wxr-1.0.xml").read_bytes().replace(b"Every quarter", b"Every\x0b quarter\x1f")
    )
    (post,) = [thing for thing in iter_wxr(path) if isinstance(thing, Item)]
    assert 'Every quarter the bill comes and every quarter he is "a bit short".' in post.content
    assert path.read_text().splitlines()[post.line - 1].strip() == "<item>"


def test_line_numbers_count_the_skipped_blank_lines(tmp_path):
    path = tmp_path / "late-error.xml"
    path.write_bytes(b"\n\n" + (DATA / "malformed.xml").read_bytes())
    with pytest.raises(WXRError, match=r"late-error\.xml:21: broken XML"):
        list(iter_wxr(path))
