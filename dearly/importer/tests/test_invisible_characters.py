"""Invisible characters in an export (security audit, issue 9): what WordPress readers typed is
stored as the comment and question forms would store it (dearly.core.text.clean_typed_text),
so U+202E cannot show "gnp.exe" as "exe.png" and a zero-width space cannot hide in a name."""

from django.contrib.auth import get_user_model

import pytest

from dearly.articles.models import LetterPage
from dearly.comments.models import Comment
from dearly.importer.models import ImportedObject

from .conftest import WXR_HEAD, run_import

pytestmark = pytest.mark.django_db

RLO, ZWSP, ZWJ = "\u202e", "\u200b", "\u200d"
CODER = f"\U0001f469{ZWJ}\U0001f4bb"  # woman + ZWJ + laptop: one emoji, the joiner kept

EXPORT = (
    WXR_HEAD
    + f"""<wp:author><wp:author_id>1</wp:author_id>
<wp:author_login>mimi</wp:author_login>
<wp:author_email>mimi@askmimi.example</wp:author_email>
<wp:author_display_name><![CDATA[{RLO}Mimi{ZWSP} Okafor]]></wp:author_display_name>
<wp:author_first_name>Mi{ZWSP}mi</wp:author_first_name><wp:author_last_name></wp:author_last_name>
</wp:author>
<item><title>Dear Dr. Mimi – My son{ZWSP} sent me {RLO}gnp.exe</title>
<link>https://askmimi.example/2024/06/gnp-exe/</link><dc:creator>mimi</dc:creator>
<content:encoded><![CDATA[Dear Dr. Mimi,
My son sent me a picture that asked to be installed.
—Wor{ZWSP}ried {RLO}Dad

Dear Worried Dad,
Do not open it.
—Mimi]]></content:encoded><excerpt:encoded><![CDATA[]]></excerpt:encoded>
<wp:post_id>600</wp:post_id><wp:post_date_gmt>2024-06-01 08:00:00</wp:post_date_gmt>
<wp:post_name>gnp-exe</wp:post_name><wp:status>publish</wp:status>
<wp:comment_status>open</wp:comment_status>
<wp:post_parent>0</wp:post_parent><wp:post_type>post</wp:post_type>
<wp:comment><wp:comment_id>61</wp:comment_id>
<wp:comment_author><![CDATA[Pri{ZWSP}ya {RLO}gnp.exe]]></wp:comment_author>
<wp:comment_author_email>priya@mail.example</wp:comment_author_email>
<wp:comment_author_IP>192.0.2.10</wp:comment_author_IP>
<wp:comment_date_gmt>2024-06-01 09:00:00</wp:comment_date_gmt>
<wp:comment_content><![CDATA[Mine sent {RLO}gnp.exe and &#x202e;fdp.exe too,
{CODER} zero{ZWSP}width]]></wp:comment_content>
<wp:comment_approved>1</wp:comment_approved><wp:comment_type></wp:comment_type>
<wp:comment_parent>0</wp:comment_parent><wp:comment_user_id>0</wp:comment_user_id></wp:comment>
<wp:comment><wp:comment_id>62</wp:comment_id>
<wp:comment_author>A blog</wp:comment_author>
<wp:comment_author_url>https://blog{ZWSP}.example/{RLO}fdp.exe</wp:comment_author_url>
<wp:comment_date_gmt>2024-06-01 10:00:00</wp:comment_date_gmt>
<wp:comment_content>Linked here</wp:comment_content>
<wp:comment_approved>1</wp:comment_approved><wp:comment_type>pingback</wp:comment_type>
<wp:comment_parent>0</wp:comment_parent><wp:comment_user_id>0</wp:comment_user_id></wp:comment>
</item>
</channel></rss>
"""
)


def imported_comment(wp_id):
    return Comment.objects.get(pk=ImportedObject.objects.get(kind="comment", key=wp_id).object_id)


def test_imported_names_titles_and_comments_lose_bidi_overrides_and_zero_width_characters(
    client, site_tree, tmp_path
):
    export = tmp_path / "invisible.xml"
    export.write_text(EXPORT, encoding="utf-8")
    run_import(export)

    letter = LetterPage.objects.get()  # split: the sign-off and greeting name the same person
    assert letter.title == "Dear Dr. Mimi – My son sent me gnp.exe"
    assert letter.pen_name == "Worried Dad"
    mimi = get_user_model().objects.get(username="mimi")
    assert (mimi.display_name, mimi.first_name) == ("Mimi Okafor", "Mimi")

    comment = imported_comment("61")
    assert comment.author_name == "Priya gnp.exe"
    assert comment.body == f"Mine sent gnp.exe and fdp.exe too,\n{CODER} zerowidth"
    assert CODER in comment.body_html
    ping = imported_comment("62")
    assert ping.body == "Linked here\n\nhttps://blog.example/fdp.exe"

    html = client.get(letter.url).content.decode()
    assert RLO not in html and ZWSP not in html and CODER in html


def test_a_rerun_with_cleaned_values_finds_the_comments_and_authors_unchanged(site_tree, tmp_path):
    export = tmp_path / "invisible.xml"
    export.write_text(EXPORT, encoding="utf-8")
    run_import(export)
    # A changed post is written again, and its comments compared with what is stored.
    export.write_text(EXPORT.replace("Do not open it.", "Do not open it, ever."), "utf-8")
    summary = run_import(export)
    assert "letters: 0 created, 1 updated" in summary
    assert "comments: 0 created, 2 unchanged" in summary
    assert "authors: 0 created, 1 unchanged" in summary
    assert imported_comment("61").author_name == "Priya gnp.exe"
