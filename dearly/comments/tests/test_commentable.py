"""Comments attach to any page whose type has CommentableMixin; other pages refuse them."""

from django.test import Client
from django.utils import timezone

import pytest

from dearly.comments.models import Comment, CommentableMixin, CommentSettings
from dearly.comments.services import CommentRefused, post_comment
from dearly.core.models import StandardPage
from dearly.testing import make_article, make_letter

from .helpers import make_comment, make_reader

pytestmark = pytest.mark.django_db


@pytest.fixture
def about(site_tree):
    page = site_tree["home"].add_child(instance=StandardPage(title="About", slug="about"))
    page.save_revision().publish()
    return page


@pytest.fixture
def reader(site_tree):
    person = make_reader("ann", display_name="Ann")
    make_comment(make_article(site_tree["guides"]), person)  # no longer a first-timer
    return person


def test_a_page_without_the_mixin_refuses_a_comment_with_404_and_stores_nothing(
    client, about, reader
):
    client.force_login(reader)
    before = Comment.objects.count()
    response = client.post(f"/comments/post/{about.pk}/", {"body": "Nice page."})
    assert response.status_code == 404
    assert "This page does not take comments." in response.content.decode()
    assert Comment.objects.count() == before


def test_posting_straight_to_a_page_without_the_mixin_is_refused(about, reader):
    with pytest.raises(CommentRefused) as refused:
        post_comment(page=about, author=reader, body="Nice page.")
    assert refused.value.status == 404
    assert not Comment.objects.filter(page=about).exists()


def test_a_comment_on_a_plain_page_id_reaches_its_commentable_type(client, site_tree, reader):
    letter = make_letter(site_tree["letters"])
    client.force_login(reader)
    response = client.post(f"/comments/post/{letter.pk}/", {"body": "Good answer."})
    assert response.status_code == 303
    comment = Comment.objects.get(body="Good answer.")
    assert comment.page_id == letter.page_ptr_id  # a wagtailcore.Page id
    assert isinstance(comment.page.specific, CommentableMixin)
    assert "Good answer." in Client().get(letter.url).content.decode()


def test_comments_close_by_the_date_readers_see_not_the_first_publication(site_tree):
    guide = make_article(site_tree["guides"], date=timezone.now() - timezone.timedelta(days=3))
    guide.first_published_at = timezone.now() - timezone.timedelta(days=400)
    settings = CommentSettings(close_comments_after_days=30)
    assert guide.closed_reason(settings) == ""
    guide.date = timezone.now() - timezone.timedelta(days=31)
    assert guide.closed_reason(settings) == "Comments close 30 days after publication."


@pytest.mark.parametrize("logged_in", [False, True], ids=["logged-out", "logged-in"])
def test_changing_the_comment_settings_refreshes_cached_pages(client, site_tree, logged_in):
    guide = make_article(site_tree["guides"], date=timezone.now() - timezone.timedelta(days=10))
    if logged_in:
        client.force_login(make_reader())
    assert "Comments close" not in client.get(guide.url).content.decode()
    client.get(guide.url)  # now from the caches
    settings = CommentSettings.for_site(guide.get_site())
    settings.close_comments_after_days = 7
    settings.save()
    assert "Comments close 7 days after publication." in client.get(guide.url).content.decode()


def test_comment_settings_are_edited_in_the_admin_settings_menu(
    client, site_tree, django_user_model
):
    client.force_login(django_user_model.objects.create_superuser("boss", "b@example.com", "pw"))
    site = site_tree["home"].get_site()
    assert "/admin/settings/comments/commentsettings/" in client.get("/admin/").content.decode()
    url = f"/admin/settings/comments/commentsettings/{site.pk}/"  # per site
    response = client.post(
        url,
        {
            "close_comments_after_days": "14",
            "moderation_words": "cheap watches",
            "pile_on_replies": "8",
        },
    )
    assert response.status_code == 302
    settings = CommentSettings.for_site(site)
    assert (settings.hold_all_comments, settings.close_comments_after_days) == (False, 14)
    assert settings.moderation_words == "cheap watches"
    assert settings.pile_on_replies == 8
