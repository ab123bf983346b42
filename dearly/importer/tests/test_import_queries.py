"""Each imported post costs a handful of queries, however many there are (the rest is bulk)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import PageLogEntry, PageViewRestriction

import pytest

from dearly.comments.models import Comment
from dearly.importer.mapping import run as mapping_run
from dearly.importer.mapping.run import ImportOptions, WordPressImport
from dearly.importer.mapping.state import Kind

from .conftest import imported_page, run_import
from .test_substack import row, substack_zip

pytestmark = pytest.mark.django_db

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/"
 xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/">
<channel><title>Ask Dr. Mimi</title><link>https://askmimi.example</link>
<wp:base_blog_url>https://askmimi.example</wp:base_blog_url>
<wp:author><wp:author_id>1</wp:author_id><wp:author_login>mimi</wp:author_login></wp:author>
"""
ITEM = """<item><title>{title}</title><link>https://askmimi.example/{n}/</link>
<dc:creator>mimi</dc:creator><content:encoded><![CDATA[{body}]]></content:encoded>
<wp:post_id>{n}</wp:post_id><wp:post_date_gmt>2020-01-02 03:04:05</wp:post_date_gmt>
<wp:post_name>post-{n}</wp:post_name><wp:status>publish</wp:status>
<wp:post_type>post</wp:post_type>
<category domain="category" nicename="work">Work</category>
<category domain="post_tag" nicename="meetings">Meetings</category>
<wp:comment><wp:comment_id>{c1}</wp:comment_id><wp:comment_author>Ann</wp:comment_author>
<wp:comment_content>First.</wp:comment_content><wp:comment_approved>1</wp:comment_approved>
<wp:comment_parent>0</wp:comment_parent></wp:comment>
<wp:comment><wp:comment_id>{c2}</wp:comment_id><wp:comment_author>Bo</wp:comment_author>
<wp:comment_content>A reply.</wp:comment_content><wp:comment_approved>1</wp:comment_approved>
<wp:comment_parent>{c1}</wp:comment_parent></wp:comment></item>
"""
LETTER = (
    "<p>Dear Dr. Mimi,</p><p>My desk is too small.</p><p>—Cramped {n}</p>"
    "<p>Dear Cramped {n},</p><p>Ask for a bigger one.</p><p>—Dr. Mimi</p>"
)


def export(path, posts):
    items = []
    for n in range(1, posts + 1):
        letter = n % 3 == 0
        items.append(
            ITEM.format(
                n=n,
                c1=2 * n,
                c2=2 * n + 1,
                title=f"Dear Dr. Mimi – Cramped {n}" if letter else f"Guide {n}",
                body=LETTER.format(n=n) if letter else f'See <a href="/{n - 1}/">the last</a>.',
            )
        )
    path.write_text(HEAD + "".join(items) + "</channel></rss>\n")
    return path


def queries(path, command="import_wordpress"):
    with CaptureQueriesContext(connection) as ctx:
        run_import(path, command=command)
    return len(ctx.captured_queries)


def members_only(path, posts, audience, start=0):
    """A Substack export of `posts` posts for `audience`, numbered from `start` + 1."""
    rows = [row(n, f"Guide {n}", audience=audience) for n in range(start + 1, start + posts + 1)]
    return substack_zip(path, rows, readers="email,active_subscription\n")


def test_queries_per_post_stay_a_handful(site_tree, tmp_path):
    small = queries(export(tmp_path / "small.xml", 6))
    large = queries(export(tmp_path / "large.xml", 36))  # the first six are unchanged
    per_post = (large - small) / 30
    assert per_post <= 12, f"{per_post:.1f} queries per imported post"


def test_a_rerun_of_unchanged_posts_costs_no_queries_per_post(site_tree, tmp_path):
    path = export(tmp_path / "posts.xml", 30)
    run_import(path)
    again = queries(path)
    run_import(export(tmp_path / "more.xml", 60))
    assert queries(tmp_path / "more.xml") == again  # 60 unchanged posts cost what 30 did


def test_written_comments_leave_memory_and_a_repeated_id_is_read_back(
    site_tree, tmp_path, monkeypatch
):
    """A million comments' keys held 300 MB: the comments a run creates are forgotten once
    written. The same comment id again in the export (under another post) is read back from
    the database, so it is updated, never created twice."""
    monkeypatch.setattr(mapping_run, "FLUSH_EVERY", 1)  # each post written before the next
    first = ITEM.format(n=1, c1=50, c2=51, title="Guide 1", body="One.")
    again = ITEM.format(n=2, c1=50, c2=51, title="Guide 2", body="Two.")
    path = tmp_path / "repeated.xml"
    path.write_text(HEAD + first + ITEM.format(n=3, c1=60, c2=61, title="Guide 3", body="3.")
                    + again + "</channel></rss>\n")  # fmt: skip
    importer = WordPressImport(ImportOptions())
    report = importer.run([path])
    assert Comment.objects.count() == 4
    assert report.created["comments"] == 4
    (source,) = importer.table.loaded
    kept = {key for kind, key in importer.table.loaded[source] if kind == Kind.COMMENT}
    assert kept == {"50", "51"}  # read back for the third post; 60 and 61 are forgotten
    assert importer.table.forgotten[(source, Kind.COMMENT)] == {50, 51, 60, 61}
    run_import(path)
    assert Comment.objects.count() == 4  # and a second run creates none


def test_posts_for_members_cost_the_queries_open_posts_cost(site_tree, tmp_path):
    """A new page's login restriction is written with the next bulk write, with the entry in
    the page's history that Wagtail writes: not saved alone, which also indexed and
    invalidated each page on its own (about ten queries more per members-only post)."""
    run_import(
        members_only(tmp_path / "first.zip", 1, "everyone", start=900), command="import_substack"
    )
    open_posts = queries(members_only(tmp_path / "open.zip", 20, "everyone"), "import_substack")
    restricted = members_only(tmp_path / "members.zip", 20, "only_free", start=100)
    assert queries(restricted, "import_substack") - open_posts <= 4  # 2 bulk writes, 1 batch

    page = imported_page("substack", "1101")
    assert PageViewRestriction.objects.get(page=page).restriction_type == "login"
    history = PageLogEntry.objects.get(page=page, action="wagtail.view_restriction.create")
    assert (history.label, history.content_type.model_class()) == ("Guide 101", type(page))
    by_wagtail = imported_page("substack", "1001")
    PageViewRestriction(page=by_wagtail, restriction_type=PageViewRestriction.LOGIN).save()
    wagtails = PageLogEntry.objects.get(page=by_wagtail, action="wagtail.view_restriction.create")
    assert history.data == wagtails.data
