"""import_ghost on exports written here (Ghost's JSON shape, our own text): statuses and
visibility, letters, Lexical and Mobiledoc bodies, old URLs, members, re-runs, and exports
that must be refused without writing anything."""

import json

from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command

from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page, PageViewRestriction, Revision

import pytest

from dearly.articles.models import ArticlePage, LetterPage, PostPage
from dearly.core.models import StandardPage
from dearly.newsletter.models import Subscriber

from .conftest import imported_page, row_counts, run_import

pytestmark = pytest.mark.django_db
LETTER_HTML = (
    "<p>Dear Dr. Mimi,</p><p>My desk is too small for two screens.</p><p>—Cramped</p>"
    "<p>Dear Cramped,</p><p>Ask for a bigger one, in writing.</p><p>—Dr. Mimi</p>"
)


def ghost_id(n):
    return f"65a0{n:020x}"


def post(n, title, **fields):
    return {
        "id": ghost_id(n),
        "uuid": f"uuid-{n}",
        "title": title,
        "slug": fields.pop("slug", f"post-{n}"),
        "html": fields.pop("html", f"<p>Text of post {n}.</p>"),
        "type": "post",
        "status": "published",
        "visibility": "public",
        "featured": 0,
        "published_at": f"2024-03-{n % 28 + 1:02d}T09:30:00.000Z",
        "created_at": "2024-02-01T08:00:00.000Z",
        "custom_excerpt": None,
        "feature_image": None,
        **fields,
    }


def export(path, posts, *, version="5.80.0", tags=None, posts_tags=(), posts_meta=(), wrap=True):
    """A Ghost JSON export with one author (mimi) and the tables the import reads."""
    tags = tags if tags is not None else [
        {"id": "t1", "name": "Work", "slug": "work", "visibility": "public"},
        {"id": "t2", "name": "#newsletter", "slug": "hash-newsletter", "visibility": "internal"},
    ]  # fmt: skip
    data = {
        "posts": posts,
        "posts_authors": [
            {"id": f"pa{n}", "post_id": p["id"], "author_id": "u1", "sort_order": 0}
            for n, p in enumerate(posts)
        ],
        "posts_meta": list(posts_meta),
        "posts_tags": list(posts_tags),
        "tags": tags,
        "users": [
            {"id": "u1", "name": "Dr. Mimi", "slug": "mimi", "email": "mimi@column.example"},
            {"id": "u2", "name": "Nobody", "slug": "staff", "email": "staff@column.example"},
        ],
        "settings": [{"key": "title", "value": "Ask Dr. Mimi"}],
        "members": [{"id": "m1", "email": "not-here@example.com"}],  # read from the CSV only
    }
    database = {"meta": {"exported_on": 1710000000000, "version": version}, "data": data}
    path.write_text(json.dumps({"db": [database]} if wrap else database), encoding="utf-8")
    return path


def imported(key):
    return imported_page("ghost", key)


def ghost(*args):
    return run_import(*args, command="import_ghost")


@pytest.fixture
def site_export(tmp_path):
    posts = [
        post(1, "When the meeting runs over", featured=1, custom_excerpt="Leave on time."),
        post(2, "Dear Dr. Mimi – Cramped", html=LETTER_HTML, slug="cramped"),
        post(3, "A draft", status="draft", published_at=None),
        post(4, "Coming soon", status="scheduled", published_at="2099-01-01T10:00:00.000Z"),
        post(5, "For members", visibility="members"),
        post(6, "For paying readers", visibility="paid"),
        post(7, "About", type="page", slug="about-mimi"),
        post(8, "Only in the inbox", status="sent"),
    ]
    posts_tags = [
        {"id": "pt1", "post_id": ghost_id(1), "tag_id": "t1", "sort_order": 0},
        {"id": "pt2", "post_id": ghost_id(1), "tag_id": "t2", "sort_order": 1},
    ]
    meta = [{"id": "pm1", "post_id": ghost_id(1), "meta_title": "Meetings that run over",
             "meta_description": "What to do when a meeting will not end."}]  # fmt: skip
    return export(tmp_path / "ghost.json", posts, posts_tags=posts_tags, posts_meta=meta)


def test_statuses_visibility_and_types_land_as_on_ghost(client, site_tree, site_export):
    summary = ghost(site_export)
    guide = imported(ghost_id(1))
    assert isinstance(guide, ArticlePage) and guide.live and guide.featured
    assert guide.get_parent().pk == site_tree["guides"].pk
    assert guide.excerpt == "Leave on time."
    assert guide.date.isoformat() == "2024-03-02T09:30:00+00:00"
    assert guide.author.username == "mimi" and guide.author.display_name == "Dr. Mimi"
    assert not get_user_model().objects.filter(username="staff").exists()  # wrote nothing
    assert [t.name for t in guide.tags.all()] == ["Work"]  # the internal #tag left out
    assert guide.seo_title == "Meetings that run over"
    assert guide.search_description == "What to do when a meeting will not end."

    draft, scheduled = imported(ghost_id(3)), imported(ghost_id(4))
    assert not draft.live and draft.go_live_at is None
    assert not scheduled.live and scheduled.go_live_at.year == 2099
    assert Revision.objects.get(object_id=str(scheduled.pk)).approved_go_live_at.year == 2099

    members, paid, sent = imported(ghost_id(5)), imported(ghost_id(6)), imported(ghost_id(8))
    assert members.live
    assert PageViewRestriction.objects.get(page=members).restriction_type == "login"
    assert not paid.live and not sent.live
    public = set(PostPage.objects.published().values_list("pk", flat=True))
    assert {members.pk, paid.pk, sent.pk, draft.pk, scheduled.pk}.isdisjoint(public)
    assert guide.pk in public
    response = client.get(members.url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "For paying readers" not in client.get("/feed/").content.decode()

    about = imported(ghost_id(7))
    assert isinstance(about, StandardPage) and about.get_parent().pk == site_tree["home"].pk

    assert "Ghost posts for “members” (shown to readers who are logged in): 1" in summary
    assert "Ghost posts for “paid” (kept as drafts): 1" in summary
    assert "Ghost posts sent by email only (kept as drafts): 1" in summary
    assert "internal tags (Ghost's #tags): 1" in summary
    assert "Letters detected: 1" in summary


def test_a_dear_mimi_post_becomes_a_letter(site_tree, site_export):
    ghost(site_export)
    letter = imported(ghost_id(2))
    assert isinstance(letter, LetterPage) and letter.live
    assert letter.pen_name == "Cramped"
    assert "two screens" in letter.question and "in writing" in letter.answer
    assert letter.get_parent().pk == site_tree["letters"].pk


def test_old_addresses_answer_301(client, site_tree, site_export):
    ghost(site_export)
    moved = {
        "/post-1/": imported(ghost_id(1)).url,
        "/cramped/": imported(ghost_id(2)).url,
        "/tag/work/": "/tags/work/",
        "/tag/work/rss/": "/tags/work/",
        "/author/mimi/": "/authors/mimi/",
        "/rss/": "/feed/",
    }
    for old, new in moved.items():
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, new), old
    assert client.get("/post-1/", follow=True).status_code == 200
    assert client.get("/?p=1").status_code == 200  # a Ghost id is no WordPress ?p= id


def test_a_page_already_at_the_old_address_keeps_it_and_the_summary_says_so(
    client, site_tree, tmp_path
):
    ours = site_tree["home"].add_child(instance=StandardPage(title="About Dr. Mimi", slug="about"))
    summary = ghost(export(tmp_path / "g.json", [post(1, "About", type="page", slug="about")]))
    theirs = imported(ghost_id(1))
    assert theirs.url == "/about-2/"
    assert (
        "  - /about/: the page “About Dr. Mimi” keeps it; the imported “About” is at /about-2/"
    ) in summary
    response = client.get("/about/")
    assert response.status_code == 200 and ours.title in response.content.decode()
    assert not Redirect.objects.filter(old_path="/about").exists()


def test_a_post_without_an_id_is_skipped_with_its_line(site_tree, tmp_path):
    path = export(tmp_path / "g.json", [post(1, "Kept"), post(2, "Lost", id="")])
    summary = ghost(path)
    assert imported(ghost_id(1)).title == "Kept"
    assert "  Ghost posts without id: 1" in summary
    assert f"  - {path}:1: this post skipped: it has no id" in summary


def test_lexical_and_mobiledoc_bodies_are_rendered_safely(site_tree, tmp_path):
    lexical = {"root": {"type": "root", "children": [
        {"type": "heading", "tag": "h2", "children": [{"type": "text", "text": "Steps"}]},
        {"type": "paragraph", "children": [
            {"type": "text", "text": "Ask ", "format": 0},
            {"type": "text", "text": "kindly", "format": 1},
            {"type": "text", "text": " <script>alert(1)</script>", "format": 0},
            {"type": "link", "url": "javascript:alert(2)", "children": [
                {"type": "text", "text": "a bad link"}]},
            {"type": "link", "url": "__GHOST_URL__/post-2/", "children": [
                {"type": "text", "text": "the other post"}]},
        ]},
        {"type": "list", "listType": "number", "children": [
            {"type": "listitem", "children": [{"type": "text", "text": "First"}]},
            {"type": "listitem", "children": [{"type": "text", "text": "Second"}]}]},
        {"type": "html", "html": "<p onclick='x()'>Raw <iframe src='https://evil.example'></iframe>card</p>"},
        {"type": "signup", "header": "Join"},
    ]}}  # fmt: skip
    mobiledoc = {
        "version": "0.3.1",
        "atoms": [["soft-return", "", {}]],
        "markups": [["a", ["href", "https://example.org/"]], ["strong"]],
        "cards": [["markdown", {"markdown": "## Tips\n\n- one\n- **two**"}], ["paywall", {}]],
        "sections": [
            [1, "p", [[0, [1], 1, "Bold"], [0, [], 0, " then "], [0, [0], 1, "a link"],
                      [1, [], 0, 0], [0, [], 0, "after a break"]]],
            [10, 0],
            [10, 1],
            [3, "ul", [[[0, [], 0, "item"]]]],
        ],
    }  # fmt: skip
    posts = [
        post(1, "From Lexical", html="", lexical=json.dumps(lexical)),
        post(2, "From Mobiledoc", html="", mobiledoc=json.dumps(mobiledoc)),
    ]
    summary = ghost(export(tmp_path / "cards.json", posts))
    lexical_page, mobiledoc_page = imported(ghost_id(1)), imported(ghost_id(2))
    body = " ".join(str(block.value) for block in lexical_page.body)
    assert "<h2>Steps</h2>" in body and "<strong>kindly</strong>" in body
    assert "<ol><li>First</li><li>Second</li></ol>" in body
    assert "<script" not in body and "alert(1)" in body  # shown as text, never run
    assert "javascript:" not in body and "onclick" not in body and "<iframe" not in body
    assert f'id="{mobiledoc_page.pk}"' in lexical_page.body.raw_data[0]["value"]  # internal link
    assert "a signup form was left out" in summary

    text = " ".join(str(block.value) for block in mobiledoc_page.body)
    assert "<strong>Bold</strong>" in text and '<a href="https://example.org/">a link</a>' in text
    assert "<br>after a break" in text and "<h2>Tips</h2>" in text
    assert "<li><strong>two</strong></li>" in text and "<li>item</li>" in text


def test_html_holding_scripts_is_sanitised_as_wordpress_bodies_are(client, site_tree, tmp_path):
    hostile = (
        '<p>Hello<script>document.cookie</script> <img src=x onerror="alert(1)"></p>'
        '<p><a href="javascript:alert(3)">click</a> <style>body{display:none}</style></p>'
        '<figure class="kg-card kg-bookmark-card"><a class="kg-bookmark-container" '
        'href="https://example.org/read"><div class="kg-bookmark-content"><div '
        'class="kg-bookmark-title">A good read</div></div><div class="kg-bookmark-thumbnail">'
        '<img src="https://example.org/thumb.jpg"></div></a></figure>'
    )
    ghost(export(tmp_path / "hostile.json", [post(1, "Hello <b>there</b>", html=hostile)]))
    page = imported(ghost_id(1))
    assert page.title == "Hello there"
    html = client.get(page.url).content.decode()
    article = html.split("<main", 1)[1]
    assert "document.cookie" not in article and "onerror" not in article
    assert "javascript:" not in article and "display:none" not in article
    assert '<a href="https://example.org/read">A good read</a>' in article
    assert "thumb.jpg" not in article


def test_a_rerun_duplicates_nothing_and_keeps_edits_made_here(site_tree, tmp_path):
    posts = [post(1, "First title"), post(2, "Second title")]
    path = export(tmp_path / "ghost.json", posts)
    ghost(path)
    before = row_counts()
    assert "guides: 0 created, 2 unchanged" in ghost(path)
    assert row_counts() == before

    edited = imported(ghost_id(2))
    editor = get_user_model().objects.create_superuser("ed", "ed@example.com", "pw-12345")
    edited.title = "Retitled here"
    edited.save_revision(user=editor).publish()
    posts[0]["title"], posts[1]["title"] = "First, renamed on Ghost", "Second, renamed on Ghost"
    summary = ghost(export(path, posts))
    assert imported(ghost_id(1)).title == "First, renamed on Ghost"
    assert imported(ghost_id(2)).title == "Retitled here"
    assert "was edited here since it was imported: kept as it is here" in summary
    assert "guides: 0 created, 1 updated, 1 unchanged" in summary
    assert Page.objects.count() == before[0]


def test_dry_run_writes_nothing_and_reports_the_same(site_tree, site_export, tmp_path):
    members = tmp_path / "members.csv"
    members.write_text("email,name,subscribed_to_emails\nann@example.com,Ann,true\n")
    before = row_counts()
    dry = ghost(site_export, "--members", members, "--dry-run")
    assert row_counts() == before
    assert dry.startswith("Dry run: nothing was written.")
    real = ghost(site_export, "--members", members)
    assert real.startswith("Imported:\n")
    assert dry.split("\n", 1)[1] == real.split("\n", 1)[1]


def test_members_who_were_subscribed_become_subscribers_without_confirming(site_tree, tmp_path):
    Subscriber.objects.create(email="gone@example.com", state=Subscriber.State.UNSUBSCRIBED)
    members = tmp_path / "members.csv"
    members.write_bytes(
        "\ufeffid;email;name;note;subscribed_to_emails;created_at;labels\n"
        '1;ann@example.com;"Ann\nAnnie";;true;2021-04-01T10:00:00.000Z;"vip, early"\n'
        "2;bo@example.com;Bo;;false;2021-04-02T10:00:00.000Z;\n"
        "3;not an address;Cy;;true;2021-04-03T10:00:00.000Z;\n"
        "4;gone@example.com;Di;;true;2021-04-04T10:00:00.000Z;\n"
        "5;ann@example.com;Ann again;;true;;\n"
        '6;"eve@example.com\r\nBcc: all@example.com";;;true;;\n'.encode()
    )
    summary = ghost(export(tmp_path / "g.json", [post(1, "Hello")]), "--members", members)
    ann = Subscriber.objects.get(email="ann@example.com")
    assert (ann.state, ann.source, ann.created_at.year) == ("active", "import", 2021)
    assert ann.confirmed_at is not None
    assert not Subscriber.objects.filter(email__in=["bo@example.com", "not an address"]).exists()
    assert Subscriber.objects.get(email="gone@example.com").state == "unsubscribed"
    assert mail.outbox == []  # nobody is asked to confirm again
    assert "subscribers: 1 created" in summary
    assert "subscribers with an invalid email address: 2" in summary
    assert "subscribers who had stopped the emails: 1" in summary
    assert "subscribers who unsubscribed or bounced here (left so): 1" in summary
    assert f"{members}:5: “not an address” is not an email address" in summary  # lines as read
    again = ghost(export(tmp_path / "g.json", [post(1, "Hello")]), "--members", members)
    assert "subscribers: 0 created, 1 unchanged" in again
    assert Subscriber.objects.count() == 2


def test_a_members_file_of_100000_rows(site_tree, tmp_path):
    members = tmp_path / "members.csv"
    rows = "".join(f"{n},reader{n}@example.com,true\n" for n in range(100_000))
    members.write_text("id,email,subscribed_to_emails\n" + rows)
    summary = ghost(export(tmp_path / "g.json", [post(1, "Hello")]), "--members", members)
    assert Subscriber.objects.filter(state="active").count() == 100_000
    assert "subscribers: 100000 created" in summary


def test_feature_images_come_from_the_media_dir(site_tree, tmp_path):
    from io import BytesIO

    from PIL import Image as PILImage

    folder = tmp_path / "images" / "2024" / "03"
    folder.mkdir(parents=True)
    buffer = BytesIO()
    PILImage.new("RGB", (5, 3), "blue").save(buffer, "JPEG")
    (folder / "desk.jpg").write_bytes(buffer.getvalue())
    images = "__GHOST_URL__/content/images"
    posts = [
        post(1, "With a picture", feature_image=f"{images}/size/w600/2024/03/desk.jpg"),
        post(2, "Picture not copied", feature_image=f"{images}/2024/03/gone.jpg"),
    ]
    meta = [{"id": "m", "post_id": ghost_id(1), "feature_image_alt": "A tidy desk"}]
    summary = ghost(export(tmp_path / "g.json", posts, posts_meta=meta), "--media-dir",
                    tmp_path / "images")  # fmt: skip
    image = imported(ghost_id(1)).featured_image
    assert (image.width, image.title) == (5, "desk")
    assert imported(ghost_id(2)).featured_image is None
    assert "featured images whose file was not found (see --media-dir): 1" in summary


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "the JSON ends before it is complete"),  # the site's export cut in half
        ('{"db": [{"meta": {"version": "1.25.0"}, "data": {"posts": []}}]}', "Ghost 2.0 and later"),
        ('{"db": [{"meta": {"version": "003"}, "data": {"posts": []}}]}', "Ghost 0.x"),
        ('{"db": [{"data": {"posts": []}}]}', "no meta.version"),
        ('{"posts": "none"}', "not a Ghost export"),
        ("[1, 2, 3]", "not a Ghost export"),
        ('{"db": [{"meta": {"version": "5.0.0"}, "data": {"posts": [1]}}]}', "not an object"),
        ('{"db": [{"meta": {"version": "5.0.0"}, "data": {"posts": [{]}}]}', "broken JSON"),
        ('{"db": [{"data": {"posts": [' + "[" * 100_000, "nested too deeply"),
        ("\udcff", "not UTF-8"),
    ],
)
def test_broken_exports_are_refused_in_one_line_and_nothing_written(
    site_tree, tmp_path, content, reason
):
    path = tmp_path / "export.json"
    if content is None:
        whole = export(tmp_path / "whole.json", [post(n, f"Post {n}") for n in range(1, 30)])
        text = whole.read_text()
        path.write_text(text[: len(text) * 2 // 3])
    elif content == "\udcff":
        path.write_bytes(b'{"db": [\xff]}')
    else:
        path.write_text(content)
    before = row_counts()
    with pytest.raises(CommandError) as refused:
        ghost(path)
    message = str(refused.value)
    assert "\n" not in message and message.startswith(f"{path}") and reason in message, message
    assert row_counts() == before


@pytest.mark.parametrize(
    ("members", "reason"),
    [
        ("name,subscribed_to_emails\nAnn,true\n", "no “email” column"),
        ("email,name\nann@example.com,Ann\n", "no “subscribed_to_emails” column"),
        ('email,subscribed_to_emails\n"ann@example.com,true\n', "broken CSV"),
        ("", "the file is empty"),
    ],
)
def test_a_broken_members_file_refuses_the_whole_import(site_tree, tmp_path, members, reason):
    path = tmp_path / "members.csv"
    path.write_text(members)
    before = row_counts()
    with pytest.raises(CommandError, match=reason) as refused:
        ghost(export(tmp_path / "g.json", [post(1, "Hello")]), "--members", path)
    assert str(refused.value).startswith(f"{path}")
    assert row_counts() == before


def test_missing_files_are_named(site_tree, tmp_path):
    with pytest.raises(CommandError, match=r"nothing\.json: no such file"):
        ghost(tmp_path / "nothing.json")
    good = export(tmp_path / "g.json", [post(1, "Hello")])
    with pytest.raises(CommandError, match=r"members\.csv: no such file"):
        ghost(good, "--members", tmp_path / "members.csv")


def test_an_export_without_the_db_wrapper_imports_too(site_tree, tmp_path):
    ghost(export(tmp_path / "plain.json", [post(1, "Unwrapped")], wrap=False))
    assert imported(ghost_id(1)).title == "Unwrapped"


def test_the_progress_bar_counts_every_post(site_tree, site_export):
    from .test_import_command import Terminal

    terminal = Terminal()
    call_command("import_ghost", str(site_export), stdout=terminal)
    assert "Importing" in terminal.getvalue() and "9/9" in terminal.getvalue()  # 8 + #tags
