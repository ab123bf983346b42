"""Comments are stored without bidi controls or zero-width characters (U+202E showed "gnp.exe"
as "exe.png" on the page, in the moderation queue and in reply emails), and NFC-normalised."""

from django.test import Client

import pytest

from dearly.comments.models import Comment
from dearly.testing import make_article

from .helpers import make_comment, make_reader

pytestmark = pytest.mark.django_db

HIDDEN = (
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
    "\u200b\u200c\u2060\ufeff"
)
TYPED = (
    "See my_photo_gnp\u202e.exe\u202c, it is\u200b safe\ufeff.\n\n"
    "\u2067Caf\u0065\u0301\u2069 at 5pm? \U0001f469\u200d\U0001f4bb"
)
STORED = "See my_photo_gnp.exe, it is safe.\n\nCafé at 5pm? \U0001f469\u200d\U0001f4bb"


@pytest.fixture
def guide_and_reader(site_tree):
    """A guide, and a reader whose earlier comment there was approved (theirs show at once)."""
    guide = make_article(site_tree["guides"], title="Guide with comments")
    reader = make_reader("ann", display_name="Ann")
    make_comment(guide, reader, "An earlier approved comment.")
    return guide, reader


def assert_nothing_hidden(text):
    assert not any(ch in text for ch in HIDDEN), ascii(text)


def test_a_posted_comment_is_stored_and_shown_without_invisible_characters(
    client, guide_and_reader
):
    guide, reader = guide_and_reader
    client.force_login(reader)
    response = client.post(f"/comments/post/{guide.pk}/", {"body": TYPED})
    assert response.status_code == 303
    comment = Comment.objects.latest("pk")
    assert comment.body == STORED
    html = Client().get(guide.url).content.decode()
    assert "my_photo_gnp.exe" in html and "Café at 5pm?" in html
    assert_nothing_hidden(html.split("<main", 1)[1])


def test_an_edited_comment_is_cleaned_the_same_way(client, guide_and_reader):
    guide, reader = guide_and_reader
    comment = make_comment(guide, reader, "First version.")
    client.force_login(reader)
    response = client.post(f"/comments/{comment.pk}/edit/", {"body": TYPED})
    assert response.status_code in (302, 303)
    comment.refresh_from_db()
    assert comment.body == STORED


def test_a_comment_of_nothing_but_invisible_characters_is_refused(client, guide_and_reader):
    guide, reader = guide_and_reader
    client.force_login(reader)
    before = Comment.objects.count()
    response = client.post(f"/comments/post/{guide.pk}/", {"body": HIDDEN * 3})
    assert "Please write a comment." in response.content.decode()
    assert Comment.objects.count() == before
