"""import_wordpress on small hand-written exports: every status, letters, threads, several
files, WXR 1.0 and 1.1, and files that must be refused without writing anything."""

import io

from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page, PageViewRestriction, Revision

import pytest

from dearly.articles.models import ArticlePage, LetterPage, PostPage, Topic
from dearly.comments.models import Comment
from dearly.core.models import StandardPage
from dearly.importer.models import ImportedObject

from .conftest import WXR_HEAD, manage_py, run_import

pytestmark = pytest.mark.django_db
TABLES = (Page, Comment, Topic, Redirect, ImportedObject, Revision, PageViewRestriction)


def snapshot():
    return [model.objects.count() for model in (*TABLES, get_user_model())]


def page_for(kind, wp_id):
    row = ImportedObject.objects.get(kind=kind, key=str(wp_id))
    return Page.objects.get(pk=row.object_id).specific


def test_every_status_lands_where_wordpress_had_it(site_tree, data):
    summary = run_import(data / "site-1.2.xml")
    letter = page_for("post", 101)
    assert isinstance(letter, LetterPage) and letter.live and letter.featured
    assert letter.pen_name == "Hemmed In"
    assert "borrowed" not in letter.answer and "cleaned" in letter.answer
    assert letter.get_parent().pk == site_tree["letters"].pk
    assert letter.excerpt == "A dress, a sister and a very long aisle."
    assert [t.slug for t in letter.topics.all()] == ["siblings"]
    assert [t.name for t in letter.tags.all()] == ["Holidays"]

    draft, pending = page_for("post", 102), page_for("post", 103)
    assert not draft.live and not pending.live and draft.go_live_at is None
    assert draft.date.year == 2024  # from wp:post_date when the GMT date is 0000-00-00

    scheduled = page_for("post", 104)
    assert not scheduled.live and scheduled.go_live_at is not None
    revision = Revision.objects.get(object_id=str(scheduled.pk))
    assert revision.approved_go_live_at == scheduled.go_live_at

    private = page_for("post", 105)
    assert not private.live
    protected = page_for("post", 106)
    assert protected.live
    assert PageViewRestriction.objects.get(page=protected).restriction_type == "password"
    public = set(PostPage.objects.published().values_list("pk", flat=True))
    assert {private.pk, protected.pk, draft.pk, pending.pk, scheduled.pk}.isdisjoint(public)

    assert not ImportedObject.objects.filter(kind="post", key__in=["107", "108"]).exists()
    assert "posts with status trash: 1" in summary
    assert "posts with status auto-draft: 1" in summary
    assert "nav_menu_item items: 1" in summary and "wp_block items: 1" in summary
    assert "Letters detected: 1" in summary

    siblings = Topic.objects.get(slug="siblings")
    assert siblings.parent.slug == "family"  # declared after its child
    assert Topic.objects.get(name="Rivals").parent is None
    assert "names the parent “workplace”" in summary

    users = get_user_model().objects.filter(username__in=["mimi", "subeditor"])
    assert users.count() == 2 and not any(u.has_usable_password() for u in users)
    assert letter.author.username == "mimi"


def test_an_existing_account_with_the_login_is_linked_not_changed(site_tree, data):
    existing = get_user_model().objects.create_user("mimi", "own@example.com", "a-password-1")
    run_import(data / "site-1.2.xml")
    run_import(data / "site-1.2.xml")
    existing.refresh_from_db()
    assert page_for("post", 101).author == existing
    assert (existing.email, existing.display_name) == ("own@example.com", "")
    assert existing.has_usable_password()


def test_threads_moderation_and_private_data(client, site_tree, data):
    summary = run_import(data / "comments-1.1.xml")
    post = page_for("post", 201)
    comments = {int(r.key): Comment.objects.get(pk=r.object_id) for r in
                ImportedObject.objects.filter(kind="comment")}  # fmt: skip
    assert sorted(comments) == [1, 2, 3, 4, 5, 6, 7, 11, 12]  # spam, trash and the note left out
    assert [comments[n].parent_id for n in range(2, 7)] == [comments[n].pk for n in range(1, 6)]
    assert comments[6].depth == 6
    assert comments[7].status == "pending" and comments[1].status == "approved"
    assert (comments[11].kind, comments[12].kind) == ("pingback", "trackback")
    assert comments[2].author.username == "mimi"  # comment_user_id 1 is the author mimi
    assert comments[1].author is None and comments[1].author_name
    assert "<strong>" not in comments[2].body_html and "they noticed" in comments[2].body_html
    assert "private notes (never public): 1" in summary

    html = client.get(post.url).content.decode()
    assert "Level six" in html and "Waiting for the moderator" not in html
    for comment in comments.values():
        assert not comment.author_email or comment.author_email not in html
        assert not comment.ip_address or comment.ip_address not in html
    assert "mail.example" not in html and "192.0.2." not in html


def test_moderators_see_what_readers_never_do(client, site_tree, data):
    run_import(data / "comments-1.1.xml")
    admin = get_user_model().objects.create_superuser("editor", "editor@example.com", "pw-12345")
    client.force_login(admin)
    queue = client.get("/admin/comments/?state=all").content.decode()
    assert "priya@mail.example" in queue and "192.0.2.10" in queue and "Pingback" in queue


def test_pings_can_be_left_out(site_tree, data):
    summary = run_import(data / "comments-1.1.xml", "--skip-pings")
    assert not Comment.objects.exclude(kind="comment").exists()
    assert "pingbacks (--skip-pings): 1" in summary


def test_several_files_resolve_each_other(site_tree, data):
    # The child page and the post come first; their parent page and thumbnail come later.
    run_import(data / "multi-part-2.xml", data / "multi-part-1.xml")
    work, subjects = page_for("page", 301), page_for("page", 300)
    assert isinstance(work, StandardPage) and work.get_parent().pk == subjects.pk
    fridge = page_for("post", 302)
    assert isinstance(fridge, ArticlePage)
    link = f'linktype="page" id="{subjects.pk}"'
    assert link in fridge.body.raw_data[0]["value"]


def test_wxr_1_0_export_with_a_letter(site_tree, data):
    run_import(data / "wxr-1.0.xml")
    letter = page_for("post", 7)
    assert isinstance(letter, LetterPage)
    assert Comment.objects.filter(page=letter).count() == 1


def test_rerun_over_several_files_creates_nothing_twice(site_tree, data):
    files = [data / name for name in ("site-1.2.xml", "comments-1.1.xml", "multi-part-1.xml",
                                     "multi-part-2.xml", "wxr-1.0.xml")]  # fmt: skip
    run_import(*files)
    before = snapshot()
    summary = run_import(*files)
    assert snapshot() == before
    assert "letters: 0 created" in summary


def test_dry_run_writes_nothing_and_reports_the_same(site_tree, data):
    before = snapshot()
    dry = run_import(data / "site-1.2.xml", "--dry-run")
    assert snapshot() == before
    assert dry.startswith("Dry run: nothing was written.")
    real = run_import(data / "site-1.2.xml")
    assert real.startswith("Imported:\n")
    assert dry.split("\n", 1)[1] == real.split("\n", 1)[1]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("malformed.xml", "broken XML"),
        ("billion-laughs.xml", "entity"),
        ("xxe.xml", "entity"),
        ("not-wxr.xml", "not a WordPress export"),
    ],
)
def test_broken_files_are_refused_with_file_and_line_and_nothing_written(
    site_tree, data, name, reason
):
    # The good file comes first: nothing of it may be written either.
    before = snapshot()
    with pytest.raises(CommandError) as refused:
        run_import(data / "site-1.2.xml", data / name)
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith(f"{data / name}:") and reason in message
    assert snapshot() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.xml"], "missing.xml: no such file"),
        (["{site}", "--letter-pattern", "Dear (unclosed"], "--letter-pattern"),
        (["{site}", "--media-dir", "/nonexistent/uploads"], "no such directory"),
    ],
)
def test_bad_arguments_are_refused_in_one_line(site_tree, data, args, message):
    before = snapshot()
    args = [a.format(site=data / "site-1.2.xml") for a in args]
    with pytest.raises(CommandError, match=message):
        run_import(*args)
    assert snapshot() == before


def test_media_dir_imports_files_and_featured_images(client, site_tree, data, tmp_path):
    from io import BytesIO

    from PIL import Image as PILImage

    folder = tmp_path / "uploads" / "2024" / "03"
    folder.mkdir(parents=True)
    buffer = BytesIO()
    PILImage.new("RGB", (4, 3), "red").save(buffer, "JPEG")
    attachment = ImportedObject  # the fixture's attachment URL names the file to provide
    run_import(data / "site-1.2.xml", "--dry-run")
    url = _attachment_url(data / "site-1.2.xml", 110)
    relative = url.split("/uploads/", 1)[1]
    target = tmp_path / "uploads" / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(buffer.getvalue())
    run_import(data / "site-1.2.xml", "--media-dir", tmp_path / "uploads")
    letter = page_for("post", 101)
    assert letter.featured_image is not None
    assert letter.featured_image.width == 4
    row = attachment.objects.get(kind="attachment", key="110")
    assert row.old_url == url and row.object_id == letter.featured_image.pk
    file_url = letter.featured_image.file.url
    for old in ("/?attachment_id=110", "/wp-content/uploads/" + relative):
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, file_url), old


def _attachment_url(path, wp_id):
    from dearly.importer.wxr import Item, iter_wxr

    for thing in iter_wxr(path):
        if isinstance(thing, Item) and thing.wp_id == wp_id:
            return thing.attachment_url
    raise AssertionError(wp_id)


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_only_on_a_terminal(site_tree, data):
    piped = run_import(data / "comments-1.1.xml")
    assert "Importing" not in piped and "\r" not in piped
    terminal = Terminal()
    call_command("import_wordpress", str(data / "site-1.2.xml"), stdout=terminal)
    shown = terminal.getvalue()
    assert "Importing" in shown and "13/13" in shown  # every item of the file counted


BODY_EXPORT = (
    WXR_HEAD
    + """<item><title>Pictures of the shed</title>
<link>https://askmimi.example/2024/05/pictures-of-the-shed/</link><dc:creator>mimi</dc:creator>
<content:encoded><![CDATA[The shed, before:

<img src="https://askmimi.example/wp-content/uploads/2024/05/shed-300x200.jpg"
 alt="A green shed" class="wp-image-7" />

And after (this file was not copied):

<img src="https://askmimi.example/wp-content/uploads/2024/05/after.jpg" alt="The shed, painted" />

https://www.youtube.com/watch?v=abcdefghijk
]]></content:encoded><excerpt:encoded><![CDATA[]]></excerpt:encoded>
<wp:post_id>500</wp:post_id><wp:post_date_gmt>2024-05-01 08:00:00</wp:post_date_gmt>
<wp:post_name>pictures-of-the-shed</wp:post_name><wp:status>publish</wp:status>
<wp:post_parent>0</wp:post_parent><wp:post_type>post</wp:post_type></item>
</channel></rss>
"""
)


def test_body_images_from_the_media_dir_and_visible_links_for_the_rest(client, site_tree, tmp_path):
    from io import BytesIO

    from PIL import Image as PILImage

    export = tmp_path / "shed.xml"
    export.write_text(BODY_EXPORT)
    uploads = tmp_path / "uploads" / "2024" / "05"
    uploads.mkdir(parents=True)
    buffer = BytesIO()
    PILImage.new("RGB", (6, 4), "green").save(buffer, "JPEG")
    (uploads / "shed.jpg").write_bytes(buffer.getvalue())  # the original of the resized copy

    run_import(export, "--media-dir", tmp_path / "uploads")
    page = page_for("post", 500)
    kinds = [block.block_type for block in page.body]
    assert "image" in kinds
    figure = next(block.value for block in page.body if block.block_type == "image")
    assert figure["image"].width == 6  # the original, found for its resized copy
    html = client.get(page.url).content.decode()
    assert "wp-content/uploads/2024/05/after.jpg" in html  # missing file: a link to the original
    assert 'href="https://www.youtube.com/watch?v=abcdefghijk"' in html  # never embedded
    assert "<iframe" not in html


def test_an_old_url_too_long_for_a_redirect_is_reported_not_fatal(site_tree, tmp_path):
    long_slug = "why-" * 80 + "shed"
    export = tmp_path / "long.xml"
    export.write_text(BODY_EXPORT.replace("pictures-of-the-shed/</link>", f"{long_slug}/</link>"))
    summary = run_import(export)
    assert "too long for a redirect" in summary
    assert page_for("post", 500).live


@pytest.mark.servers
def test_the_command_line_exits_1_with_one_line(data, tmp_path):
    result = manage_py(tmp_path, "import_wordpress", data / "malformed.xml")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"{data / 'malformed.xml'}:" in lines[0], result.stderr
    assert result.stdout == ""


def test_a_letter_title_whose_body_does_not_split_stays_a_guide_and_is_listed(site_tree, tmp_path):
    export = tmp_path / "unsplit.xml"
    export.write_text(BODY_EXPORT.replace("Pictures of the shed", "Dear Dr. Mimi – Shed Owner"))
    summary = run_import(export, "--letter-pattern", r"^Dear\s+Dr\. Mimi\s+–")
    assert isinstance(page_for("post", 500), ArticlePage)
    assert "did not split (imported as guides): 1" in summary
    assert "Dear Dr. Mimi – Shed Owner (" in summary
    assert "Letters detected: 0" in summary


def test_pages_cached_before_the_import_show_it_at_once(site_tree, data, tmp_path):
    from dearly.pagecache.tests.helpers import Reader

    run_import(data / "site-1.2.xml")  # the author and the topics exist from now on
    reader = Reader()
    reader.get("/")
    before = reader.get("/")
    assert before.cache == "hit" and "Pictures of the shed" not in before.text
    export = tmp_path / "shed.xml"
    export.write_text(BODY_EXPORT)
    run_import(export)  # bulk writes send no signals: the import tells the cache itself
    assert "Pictures of the shed" in reader.get("/").text
    # The second file names the author without describing her: her account is left alone.
    assert get_user_model().objects.get(username="mimi").display_name == "Dr. Mimi"


def test_a_changed_export_updates_in_place_and_moderation_here_wins(site_tree, data, tmp_path):
    run_import(data / "comments-1.1.xml")
    post = page_for("post", 201)
    first = Comment.objects.get(pk=ImportedObject.objects.get(kind="comment", key="1").object_id)
    pending = Comment.objects.get(pk=ImportedObject.objects.get(kind="comment", key="7").object_id)
    pending.status = Comment.Status.APPROVED  # a moderator approves it here
    pending.save(update_fields=["status"])

    changed = tmp_path / "changed.xml"
    text = (data / "comments-1.1.xml").read_text()
    assert "I left mine in 2019 and nobody noticed." in text
    changed.write_text(
        text.replace("I left mine in 2019 and nobody noticed.", "I left mine in 2018.")
    )
    before = snapshot()
    summary = run_import(changed)
    assert snapshot() == before  # nothing new, nothing twice
    assert "letters: 0 created, 1 updated" in summary
    first.refresh_from_db()
    pending.refresh_from_db()
    assert first.body == "I left mine in 2018." and "2018" in first.body_html
    assert pending.status == Comment.Status.APPROVED
    assert page_for("post", 201).pk == post.pk


def test_terms_named_twice_link_once_on_import_and_update(site_tree, tmp_path):
    terms = (
        '<category domain="category" nicename="sheds">Sheds</category>'
        '<category domain="category" nicename="sheds">Garden sheds</category>'
        '<category domain="post_tag" nicename="paint">Paint</category>'
        '<category domain="post_tag" nicename="paint-2">paint</category>'
    )
    export = tmp_path / "terms.xml"
    export.write_text(
        BODY_EXPORT.replace(
            "<wp:post_type>post</wp:post_type>", "<wp:post_type>post</wp:post_type>" + terms
        )
    )
    run_import(export)
    export.write_text(export.read_text().replace("The shed, before:", "The shed, earlier:"))
    assert "1 updated" in run_import(export)
    page = page_for("post", 500)
    assert [t.slug for t in page.topics.all()] == ["sheds"]
    assert [t.name.lower() for t in page.tags.all()] == ["paint"]


@pytest.mark.parametrize("thumbnail_id", ["²", "١١٠", "9" * 5000, "-110", ""])
def test_a_broken_featured_image_id_is_ignored_and_the_post_imports(
    site_tree, data, tmp_path, thumbnail_id
):
    export = (data / "site-1.2.xml").read_text(encoding="utf-8")
    hostile = export.replace(
        "<wp:meta_value><![CDATA[110]]></wp:meta_value>",
        f"<wp:meta_value><![CDATA[{thumbnail_id}]]></wp:meta_value>",
    )
    assert hostile != export
    path = tmp_path / "hostile.xml"
    path.write_text(hostile, encoding="utf-8")
    run_import(path, "--media-dir", tmp_path)
    letter = page_for("post", 101)
    assert letter.live and letter.featured_image is None
