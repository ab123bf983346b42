"""import_substack on export zips written here (Substack's layout, our own text): audiences and
statuses, letters, old URLs, subscribers, re-runs, and zips that must be refused (bombs, paths
outside the export, no posts.csv) without writing anything."""

import csv
import io
import struct
import zipfile

from django.core.management import CommandError

from wagtail.models import Page, PageViewRestriction

import pytest

from dearly.articles.models import LetterPage, PostPage
from dearly.importer.models import ImportedObject
from dearly.newsletter.models import Subscriber

from .conftest import imported_page, manage_py, row_counts, run_import
from .test_ghost import LETTER_HTML, export, ghost_id, post

pytestmark = pytest.mark.django_db
COLUMNS = ["post_id", "post_date", "is_published", "email_sent_at", "inbox_sent_at", "type",
           "audience", "title", "subtitle", "podcast_url"]  # fmt: skip
WIDGET = (
    '<div class="subscription-widget-wrap"><div class="subscription-widget show-subscribe">'
    '<div class="preamble"><p class="cta-caption">Thanks for reading! Subscribe for free.</p>'
    '</div><form><input type="email" name="email"></form></div></div>'
    '<p class="button-wrapper"><a class="button primary" href="https://mimi.substack.com/'
    'subscribe"><span>Subscribe now</span></a></p>'
)


def row(n, title, **fields):
    return {
        "post_id": f"{1000 + n}.{fields.pop('slug', f'post-{n}')}",
        "post_date": f"2023-05-{n % 28 + 1:02d}T07:00:00.000Z",
        "is_published": "true",
        "type": "newsletter",
        "audience": "everyone",
        "title": title,
        "subtitle": "",
        **fields,
    }


def posts_csv(rows, delimiter=","):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, delimiter=delimiter, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def substack_zip(path, rows, *, bodies=None, readers=None, posts_text=None, extra=()):
    """An export zip: posts.csv, posts/<post_id>.html, email_list.mimi.csv, and `extra`
    (name, bytes) entries."""
    bodies = bodies or {}
    readers = readers if readers is not None else (
        "email,active_subscription,expiry,plan,email_disabled,created_at\n"
        "ann@example.com,true,,free,false,2022-01-05T10:00:00.000Z\n"
    )  # fmt: skip
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("posts.csv", posts_text if posts_text is not None else posts_csv(rows))
        for r in rows:
            body = bodies.get(r["post_id"], f"<p>The text of {r['title']}.</p>")
            if body is not None:
                archive.writestr(f"posts/{r['post_id']}.html", body)
        archive.writestr("email_list.mimi.csv", readers)
        for name, data in extra:
            archive.writestr(name, data)
    return path


def imported(key):
    return imported_page("substack", key)


def substack(*args):
    return run_import(*args, command="import_substack")


@pytest.fixture
def site_zip(tmp_path):
    rows = [
        row(1, "Saying no to the fifth project", subtitle="Kindly, and early."),
        row(2, "Dear Dr. Mimi – Cramped", slug="cramped"),
        row(3, "For paying readers", audience="only_paid"),
        row(4, "For founding members", audience="founding"),
        row(5, "For free subscribers", audience="only_free"),
        row(6, "Not sent yet", is_published="false", post_date=""),
        row(7, "A chat", type="thread"),
        row(8, "Episode 1", type="podcast", podcast_url="https://cdn.example/ep1.mp3"),
    ]
    bodies = {
        rows[0]["post_id"]: "<p>Say it early.</p>" + WIDGET
        + '<p>See <a href="https://mimi.substack.com/p/cramped">the desk letter</a>.</p>',
        rows[1]["post_id"]: LETTER_HTML,
    }  # fmt: skip
    return substack_zip(tmp_path / "export.zip", rows, bodies=bodies)


def test_audiences_and_statuses_never_make_paid_posts_public(client, site_tree, site_zip):
    summary = substack(site_zip)
    first = imported("1001")
    assert first.live and first.excerpt == "Kindly, and early."
    assert first.date.isoformat() == "2023-05-02T07:00:00+00:00"
    assert first.get_parent().pk == site_tree["guides"].pk
    body = " ".join(str(block.value) for block in first.body)
    assert "Say it early." in body and "Subscribe" not in body and "<form" not in body
    raw = " ".join(block["value"] for block in first.body.raw_data)
    assert f'linktype="page" id="{imported("1002").pk}"' in raw  # a page link: follows moves

    paid, founding, free, draft = (imported(k) for k in ("1003", "1004", "1005", "1006"))
    assert not paid.live and not founding.live and not draft.live
    assert free.live
    assert PageViewRestriction.objects.get(page=free).restriction_type == "login"
    public = set(PostPage.objects.published().values_list("pk", flat=True))
    assert {paid.pk, founding.pk, free.pk, draft.pk}.isdisjoint(public)
    assert "For paying readers" not in client.get("/feed/").content.decode()
    assert "Substack posts for “only_paid” (kept as drafts): 1" in summary
    assert "Substack posts for “founding” (kept as drafts): 1" in summary
    assert "Substack posts for “only_free” (shown to readers who are logged in): 1" in summary
    assert "Substack discussion threads: 1" in summary
    podcast = " ".join(str(block.value) for block in imported("1008").body)
    assert "https://cdn.example/ep1.mp3" in podcast

    letter = imported("1002")
    assert isinstance(letter, LetterPage) and letter.pen_name == "Cramped"
    assert "Letters detected: 1" in summary


def test_old_addresses_answer_301(client, site_tree, site_zip):
    substack(site_zip)
    for key, old in (("1001", "/p/post-1"), ("1002", "/p/cramped"), ("1001", "/p/post-1/")):
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, imported(key).url), old
    assert client.get("/feed").status_code == 301
    assert client.get("/?p=1001").status_code == 200  # no WordPress ?p= id


def test_active_subscribers_come_in_without_confirming(site_tree, tmp_path):
    Subscriber.objects.create(email="bounced@example.com", state=Subscriber.State.BOUNCING)
    readers = (
        "email,active_subscription,expiry,plan,email_disabled,created_at\n"
        "ann@example.com,true,,free,false,2022-01-05T10:00:00.000Z\n"
        "bo@example.com,false,,free,false,2022-01-06T10:00:00.000Z\n"
        "cy@example.com,true,,free,true,2022-01-07T10:00:00.000Z\n"
        "@example.com,true,,free,false,\n"
        "bounced@example.com,true,,paid,false,\n"
    )
    summary = substack(substack_zip(tmp_path / "e.zip", [row(1, "Hi")], readers=readers))
    ann = Subscriber.objects.get(email="ann@example.com")
    assert (ann.state, ann.source, ann.created_at.year) == ("active", "import", 2022)
    assert set(Subscriber.objects.values_list("email", "state")) == {
        ("ann@example.com", "active"),
        ("bounced@example.com", "bouncing"),
    }
    assert "subscribers: 1 created" in summary
    assert "subscribers who had stopped the emails: 2" in summary
    assert "subscribers with an invalid email address: 1" in summary
    assert "subscribers who unsubscribed or bounced here (left so): 1" in summary


def test_a_rerun_duplicates_nothing_and_a_dry_run_writes_nothing(site_tree, site_zip):
    before = row_counts()
    dry = substack(site_zip, "--dry-run")
    assert row_counts() == before
    real = substack(site_zip)
    assert real.startswith("Imported:\n")
    assert dry.split("\n", 1)[1] == real.split("\n", 1)[1]
    after = row_counts()
    again = substack(site_zip)
    assert row_counts() == after
    assert "letters: 0 created, 1 unchanged" in again
    assert "subscribers: 0 created, 1 unchanged" in again


def test_spreadsheet_csvs_with_a_bom_semicolons_and_newlines_in_titles(site_tree, tmp_path):
    rows = [row(1, "Two lines\nof title", subtitle="A; B"), row(2, "Plain")]
    text = "\ufeff" + posts_csv(rows, delimiter=";")
    substack(substack_zip(tmp_path / "s.zip", rows, posts_text=text))
    assert imported("1001").title == "Two lines of title"
    assert imported("1001").excerpt == "A; B"
    assert imported("1002").live


def test_a_posts_csv_without_an_audience_column_imports_drafts(site_tree, tmp_path):
    rows = [row(1, "Who may read this?")]
    text = "post_id,post_date,is_published,title\n1001.who,2023-05-01T07:00:00Z,true,Who?\n"
    summary = substack(substack_zip(tmp_path / "s.zip", rows, posts_text=text))
    assert not imported("1001").live
    assert "Substack posts whose audience the export does not give (kept as drafts): 1" in summary


def test_a_post_whose_text_is_missing_imports_with_a_warning(site_tree, tmp_path):
    rows = [row(1, "Lost text")]
    summary = substack(substack_zip(tmp_path / "s.zip", rows, bodies={rows[0]["post_id"]: None}))
    assert imported("1001").title == "Lost text"
    assert "posts/1001.post-1.html is not in the zip" in summary


def test_a_row_without_a_post_id_is_skipped_with_its_line(site_tree, tmp_path):
    path = substack_zip(tmp_path / "s.zip", [row(1, "Kept"), row(2, "Lost", post_id="")])
    summary = substack(path)
    assert imported("1001").title == "Kept"
    assert "  Substack posts without a post_id: 1" in summary
    assert f"  - {path}:posts.csv:3: this post skipped: it has no post_id" in summary


def test_duplicate_slugs_across_sources_each_keep_their_page_and_address(
    client, site_tree, tmp_path
):
    ghost_export = export(tmp_path / "g.json", [post(1, "From Ghost", slug="cramped")])
    run_import(ghost_export, command="import_ghost")
    substack(substack_zip(tmp_path / "s.zip", [row(2, "From Substack", slug="cramped")]))
    from_ghost = Page.objects.get(pk=ImportedObject.objects.get(key=ghost_id(1)).object_id)
    from_substack = imported("1002")
    assert from_ghost.pk != from_substack.pk
    assert (from_ghost.slug, from_substack.slug) == ("cramped", "cramped-2")
    assert client.get("/cramped/")["Location"] == from_ghost.url
    assert client.get("/p/cramped")["Location"] == from_substack.url


def _bomb():
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("posts.csv", posts_csv([row(1, "Hi")]))
        archive.writestr("posts/1001.post-1.html", b"\0" * (20 * 1024 * 1024))
    return data.getvalue()


def _lying_sizes():
    """A zip whose directory says its post is 10 bytes long, while it holds 5,000."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("posts.csv", posts_csv([row(1, "Hi")]))
        archive.writestr("posts/1001.post-1.html", "<p>" + "x" * 5000 + "</p>")
    raw = bytearray(data.getvalue())
    entry = raw.index(b"PK\x01\x02", raw.index(b"PK\x01\x02") + 4)  # the post's directory entry
    struct.pack_into("<I", raw, entry + 24, 10)  # its uncompressed size
    return bytes(raw)


def _zip_with(*entries):
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        for name, text in entries:
            archive.writestr(zipfile.ZipInfo(name), text)
    return data.getvalue()


OUTSIDE = "names a place outside the export"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (_bomb, "as a zip bomb is"),
        (_lying_sizes, "cannot be read"),
        (lambda: _zip_with(("posts.csv", "post_id\n"), ("../evil.html", "x")), OUTSIDE),
        (lambda: _zip_with(("posts.csv", "post_id\n"), ("/etc/cron.d/x", "x")), OUTSIDE),
        (lambda: _zip_with(("posts.csv", "post_id\n"), ("C:/x.html", "x")), OUTSIDE),
        (lambda: _zip_with(("readme.txt", "hello")), "no posts.csv in the zip"),
        (lambda: _zip_with(("posts.csv", "title\nHi\n")), "no “post_id” column"),
        (lambda: _zip_with(("posts.csv", 'post_id,title\n1.a,"Hi\n')), "broken CSV"),
        (lambda: _zip_with(("posts.csv", b"post_id\n\xff\xfe\n")), "not UTF-8"),
        (lambda: b"PK\x03\x04 not really a zip", "not a zip file"),
        (lambda: _zip_with(("posts.csv", "post_id\n1.a\n"), ("email_list.x.csv", "email\n")),
         "no “active_subscription” column"),
    ],
)  # fmt: skip
def test_hostile_and_broken_zips_are_refused_in_one_line_and_nothing_written(
    site_tree, tmp_path, content, reason
):
    path = tmp_path / "export.zip"
    path.write_bytes(content())
    before = row_counts()
    with pytest.raises(CommandError) as refused:
        substack(path)
    message = str(refused.value)
    assert "\n" not in message and message.startswith(str(path)) and reason in message, message
    assert row_counts() == before


@pytest.mark.servers
@pytest.mark.parametrize("command", ["import_ghost", "import_substack"])
def test_the_command_line_exits_1_with_one_line_and_no_traceback(tmp_path, command):
    path = tmp_path / "export"
    if command == "import_ghost":
        path.write_text('{"db": [{"meta": {"version": "5.1.0"}, "data": {"posts": [{"id": "a')
    else:
        path.write_bytes(_zip_with(("posts.csv", "post_id\n"), ("../../etc/passwd", "x")))
    result = manage_py(tmp_path, command, path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"CommandError: {path}"), result.stderr
    assert result.stdout == ""
