"""The columnist works in Wagtail's editor: every page type opens there, readers cannot."""

from django.urls import reverse

import pytest

from dearly.testing import make_article, make_letter

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, django_user_model):
    editor = django_user_model.objects.create_superuser("ed", "ed@example.com", "pw")
    client.force_login(editor)
    return client


def test_editor_can_open_add_and_edit_forms_for_every_page_type(editor_client, site_tree):
    guides, letters = site_tree["guides"], site_tree["letters"]
    for app_model, parent in (
        ("articles/articlepage", guides),
        ("articles/letterpage", letters),
        ("core/standardpage", site_tree["home"]),
    ):
        app, model = app_model.split("/")
        url = reverse("wagtailadmin_pages:add", args=[app, model, parent.pk])
        assert editor_client.get(url).status_code == 200, url
    for page in (make_article(guides), make_letter(letters), guides, letters, site_tree["home"]):
        url = reverse("wagtailadmin_pages:edit", args=[page.pk])
        assert editor_client.get(url).status_code == 200, page


def test_editor_can_preview_a_letter(editor_client, site_tree):
    page = make_letter(site_tree["letters"], pen_name="Previewed")
    url = reverse("wagtailadmin_pages:view_draft", args=[page.pk])
    html = editor_client.get(url).content.decode()
    assert "Dear Previewed," in html


def test_page_rules_keep_letters_in_the_column(site_tree):
    from dearly.articles.models import ArticlePage, LetterPage

    assert LetterPage.can_create_at(site_tree["letters"])
    assert not LetterPage.can_create_at(site_tree["guides"])
    assert not ArticlePage.can_create_at(site_tree["letters"])


def test_readers_cannot_reach_the_editor(client, django_user_model, site_tree):
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    reader = django_user_model.objects.create_user("reader", "r@example.com", "pw")
    client.force_login(reader)
    response = client.get("/admin/")
    assert response.status_code in (302, 403)
    assert response.status_code == 403 or "/accounts/login/" in response["Location"]
