"""import_wordpress reads what WordPress's own importer reads: undeclared feed prefixes, items
that cannot be read, odd versions. Each gets a warning line; broken XML still changes nothing."""

from django.contrib.auth import get_user_model
from django.core.management import CommandError

from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page

import pytest

from dearly.comments.models import Comment
from dearly.importer.models import ImportedObject

from .conftest import WPCOM_EXPORT, WXR_HEAD, item_xml, line_of, run_import, write_export

pytestmark = pytest.mark.django_db


def snapshot():
    models = (Page, Comment, Redirect, ImportedObject, get_user_model())
    return [model.objects.count() for model in models]


def imported_posts():
    return sorted(int(row.key) for row in ImportedObject.objects.filter(kind="post"))


def test_a_wordpress_com_export_with_undeclared_atom_imports_completely(site_tree, tmp_path):
    path = tmp_path / "wpcom.xml"
    path.write_text(WPCOM_EXPORT)
    summary = run_import(path)
    assert imported_posts() == [41]
    post = Page.objects.get(pk=ImportedObject.objects.get(kind="post", key="41").object_id)
    assert post.live and Comment.objects.filter(page=post).count() == 2
    assert "comments: 2 created" in summary
    assert "Warnings: 3" in summary
    atom = line_of(WPCOM_EXPORT, "<atom:link")
    assert f"  - {path}:{atom}: the prefix atom: is used without an xmlns:atom declaration" in (
        summary
    )
    assert "Skipped:" not in summary


def test_an_item_that_cannot_be_read_is_skipped_and_the_rest_of_the_file_imports(
    site_tree, tmp_path
):
    path = write_export(
        tmp_path / "partly.xml",
        item_xml(1, "Before"),
        item_xml(2, "No id", comments=[(20, 0), (21, 20), (22, 0)]).replace(
            "<wp:post_id>2</wp:post_id>", ""
        ),
        item_xml(3, "Hijacked").replace("<item>", '<item xmlns:wp="http://example.com/x/">'),
        item_xml(4, "After", comments=[(40, 0)]),
    )
    text = path.read_text()
    summary = run_import(path)
    assert imported_posts() == [1, 4]
    assert Comment.objects.count() == 1
    assert "items that could not be read: 2" in summary
    assert "comments on skipped items: 3" in summary
    no_id, hijacked = line_of(text, "No id"), line_of(text, "Hijacked")
    assert f"{path}:{no_id}: this <item> (and its 3 comments) skipped: it has no <wp:post_id>" in (
        summary
    )
    assert f"{path}:{hijacked}: this <item> skipped: it binds the wp: prefix to " in summary
    before = snapshot()
    assert "guides: 0 created, 2 unchanged" in run_import(path)
    assert snapshot() == before


def test_a_comment_that_cannot_be_read_is_left_out_and_counted(site_tree, tmp_path):
    post = item_xml(5, "Fence", comments=[(50, 0), (51, 50), (52, 0)])
    path = write_export(
        tmp_path / "comment.xml", post.replace("<wp:comment_id>51</wp:comment_id>", "")
    )
    summary = run_import(path)
    assert imported_posts() == [5]
    assert sorted(ImportedObject.objects.filter(kind="comment").values_list("key", flat=True)) == [
        "50",
        "52",
    ]
    assert "comments that could not be read: 1" in summary
    assert "a <wp:comment> of this <item> skipped: it has no <wp:comment_id>" in summary


def test_comments_on_items_left_out_are_counted(site_tree, tmp_path):
    path = write_export(
        tmp_path / "left-out.xml",
        # WordPress's accessibility test data has such an item: no wp:post_type, three comments.
        item_xml(6, "Page with comments", post_type="", comments=[(60, 0), (61, 60), (62, 0)]),
        item_xml(7, "Thrown away", status="trash", comments=[(70, 0)]),
        item_xml(8, "Menu", post_type="nav_menu_item"),
        item_xml(9, "photo.jpg", post_type="attachment", status="inherit", comments=[(90, 0)]),
    )
    summary = run_import(path)
    assert "untyped items: 1" in summary
    assert "posts with status trash: 1" in summary
    assert "comments on skipped items: 4" in summary
    assert "comments on attachments: 1" in summary
    assert Comment.objects.count() == 0


@pytest.mark.parametrize("version", ["one point two", "1.3"])
def test_an_invalid_or_newer_wxr_version_is_a_warning_not_a_refusal(site_tree, tmp_path, version):
    head = WXR_HEAD.replace("<wp:wxr_version>1.2<", f"<wp:wxr_version>{version}<")
    path = write_export(tmp_path / "version.xml", item_xml(1, "One"), head=head)
    summary = run_import(path)
    assert imported_posts() == [1]
    assert f"{path}:{line_of(head, '<wp:wxr_version>')}: " in summary
    assert "Warnings: 1" in summary


def test_broken_xml_still_refuses_the_whole_file_after_what_is_tolerated(site_tree, tmp_path):
    tail = item_xml(2, "No id").replace("<wp:post_id>2</wp:post_id>", "") + "<item><title>Cut"
    path = tmp_path / "broken.xml"
    path.write_text(WPCOM_EXPORT.replace("</channel>", tail + "</channel>"))
    before = snapshot()
    with pytest.raises(CommandError) as refused:
        run_import(path)
    line = line_of(path.read_text(), "</channel>")
    assert str(refused.value) == f"{path}:{line}: broken XML (column 19): mismatched tag"
    assert snapshot() == before


@pytest.mark.parametrize(
    "hostile",
    [
        "<rss xmlns:wp='http://wordpress.org/export/1.2/' xmlns:atom='a' xmlns:atom='b'>",
        "<rss xmlns:wp='http://wordpress.org/export/1.2/' version='2.0 >",
        "<rss xmlns:wp='http://wordpress.org/export/1.2/'><channel><atom:link/><wp:x",
        "<!-- never closed <rss xmlns:wp='http://wordpress.org/export/1.2/'><channel>",
    ],
)
def test_a_broken_head_is_refused_in_one_line_and_writes_nothing(site_tree, tmp_path, hostile):
    path = tmp_path / "head.xml"
    path.write_text(hostile + "</channel></rss>\n")
    before = snapshot()
    with pytest.raises(CommandError, match=rf"^{path}:1: broken XML \(column \d+\): "):
        run_import(path)
    assert snapshot() == before
