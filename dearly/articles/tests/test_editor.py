"""The columnist works in Wagtail's editor: every page type opens there, readers cannot."""

import re

from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from wagtail.models import GroupPagePermission, Site

import pytest

from dearly.articles.models import LetterPage
from dearly.core.models import ColumnSettings
from dearly.testing import make_article, make_letter, make_topic

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


# The editor, direct: byline, topics, tags and image on the main tab; Publish up front.


def add_url(model, parent):
    return reverse("wagtailadmin_pages:add", args=["articles", model, parent.pk])


def main_tab(html):
    """The editor's first tab ("Content"), up to where the Promote tab starts."""
    start = html.index('id="tab-content"')
    return html[start : html.index('id="tab-promote"', start)]


def selected_author(html):
    select = re.search(r'<select name="author".*?</select>', html, re.S).group(0)
    chosen = re.findall(r'<option value="(\d*)" selected>', select)
    return int(chosen[0]) if chosen and chosen[0] else None


def author_choices(html):
    select = re.search(r'<select name="author".*?</select>', html, re.S).group(0)
    return {int(pk) for pk in re.findall(r'<option value="(\d+)"', select)}


@pytest.mark.parametrize("model", ["articlepage", "letterpage"])
def test_topics_tags_author_and_image_are_on_the_main_tab(editor_client, site_tree, model):
    make_topic("Career")
    parent = site_tree["guides" if model == "articlepage" else "letters"]
    for url in (add_url(model, parent), edit_url(parent, model)):
        html = editor_client.get(url).content.decode()
        main, rest = main_tab(html), html[html.index('id="tab-promote"') :]
        for field in ("author", "topics", "tags", "featured_image"):
            assert f'name="{field}"' in main, (url, field)
            assert f'name="{field}"' not in rest, (url, field)
        assert 'type="checkbox" name="topics"' in main  # ticked, as categories are
        assert 'name="excerpt"' in rest  # what only sharing and listings use stays there


def edit_url(parent, model):
    make = make_article if model == "articlepage" else make_letter
    return reverse("wagtailadmin_pages:edit", args=[make(parent).pk])


def test_a_new_guide_is_signed_by_the_editor_writing_it(client, django_user_model, site_tree):
    make_columnist(django_user_model)
    editor = django_user_model.objects.create_superuser("ed2", "ed2@example.com", "pw")
    client.force_login(editor)
    html = client.get(add_url("articlepage", site_tree["guides"])).content.decode()
    assert selected_author(html) == editor.pk


def make_columnist(django_user_model, site=None):
    """The column settings name the columnist's account (the demo's has no password)."""
    mimi = django_user_model.objects.create_user("mimi", display_name="Dr. Mimi")
    settings = ColumnSettings.for_site(site or Site.objects.get(is_default_site=True))
    settings.columnist = mimi
    settings.save()
    return mimi


def test_a_new_letter_is_signed_by_the_columnist(editor_client, django_user_model, site_tree):
    mimi = make_columnist(django_user_model)
    html = editor_client.get(add_url("letterpage", site_tree["letters"])).content.decode()
    assert selected_author(html) == mimi.pk
    assert "Dr. Mimi (mimi)</option>" in html


def test_without_the_setting_letters_are_signed_like_the_latest_letter(
    client, django_user_model, site_tree
):
    editor = django_user_model.objects.create_superuser("ed3", "ed3@example.com", "pw")
    client.force_login(editor)
    url = add_url("letterpage", site_tree["letters"])
    assert selected_author(client.get(url).content.decode()) == editor.pk  # a new column
    mimi = django_user_model.objects.create_user("mimi", display_name="Dr. Mimi")
    make_letter(site_tree["letters"], author=mimi)
    make_letter(site_tree["letters"], author=None)  # an unsigned one is no evidence
    assert selected_author(client.get(url).content.decode()) == mimi.pk


def test_the_default_author_is_saved_with_a_new_letter(editor_client, django_user_model, site_tree):
    mimi = make_columnist(django_user_model)
    url = add_url("letterpage", site_tree["letters"])
    html = editor_client.get(url).content.decode()
    data = {
        "title": "Dear Dr. Mimi – Early",
        "slug": "early",
        "question": '{"blocks": [{"key": "a", "type": "unstyled", "text": "Too early?"}], '
        '"entityMap": {}}',
        "pen_name": "Early",
        "answer": '{"blocks": [{"key": "b", "type": "unstyled", "text": "No."}], "entityMap": {}}',
        "author": str(selected_author(html)),
        "date": "2026-01-05 09:00",
        "comments_open": "on",
        "tags": "",
    }
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert LetterPage.objects.get(slug="early").get_latest_revision_as_object().author == mimi


def test_the_author_choices_are_editors_and_existing_bylines_not_every_reader(
    editor_client, django_user_model, site_tree
):
    mimi = make_columnist(django_user_model)
    imported = django_user_model.objects.create_user("wp-author")
    make_article(site_tree["guides"], author=imported)
    reader = django_user_model.objects.create_user("reader", "reader@example.com", "pw")
    html = editor_client.get(add_url("articlepage", site_tree["guides"])).content.decode()
    choices = author_choices(html)
    assert {mimi.pk, imported.pk} <= choices and reader.pk not in choices
    # A post signed by someone who is not (or no longer) among them keeps its byline.
    page = make_article(site_tree["guides"], author=reader)
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    assert selected_author(editor_client.get(url).content.decode()) == reader.pk


def test_publish_is_the_visible_button_for_those_who_may_publish(editor_client, site_tree):
    page = make_letter(site_tree["letters"])
    for url in (
        add_url("letterpage", site_tree["letters"]),
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
    ):
        html = editor_client.get(url).content.decode()
        footer = html[html.index('class="w-dropdown-button"') :]
        first_button = re.search(r"<button[^>]*>", footer).group(0)
        assert 'name="action-publish"' in first_button, url
        assert "Save draft" in footer  # one click away in the menu, and on Ctrl/Cmd+S


def test_editors_who_may_not_publish_keep_save_draft_first(client, django_user_model, site_tree):
    group = Group.objects.create(name="Writers")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in ("add_page", "change_page"):
        GroupPagePermission.objects.create(
            group=group,
            page=site_tree["letters"],
            permission=Permission.objects.get(codename=codename),
        )
    writer = django_user_model.objects.create_user("writer", "w@example.com", "pw")
    writer.groups.add(group)
    client.force_login(writer)
    html = client.get(add_url("letterpage", site_tree["letters"])).content.decode()
    assert 'name="action-publish"' not in html
    assert "Save draft" in html and 'data-w-kbd-key-value="mod+s"' in html
