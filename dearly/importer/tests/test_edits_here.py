"""What an editor does here outlives later imports, whatever the source: a page saved in the
admin keeps its text, and restrictions set here are never lifted."""

from django.contrib.auth import get_user_model

from wagtail.models import PageViewRestriction

import pytest

from .conftest import imported_page, run_import
from .test_ghost import export, ghost_id, post
from .test_import_command import BODY_EXPORT

pytestmark = pytest.mark.django_db


def editor():
    return get_user_model().objects.create_superuser("ed", "ed@example.com", "pw-12345")


def test_a_wordpress_post_saved_here_keeps_its_text_when_the_export_changes(site_tree, tmp_path):
    path = tmp_path / "shed.xml"
    path.write_text(BODY_EXPORT)
    run_import(path)
    page = imported_page("askmimi.example", "500")
    page.title = "The shed, as we tell it"
    page.save_revision(user=editor()).publish()
    path.write_text(BODY_EXPORT.replace("The shed, before:", "The shed, long before:"))
    summary = run_import(path)
    assert imported_page("askmimi.example", "500").title == "The shed, as we tell it"
    assert "edited here since it was imported: kept as it is here" in summary


def test_restrictions_set_here_survive_a_changed_ghost_export(site_tree, tmp_path):
    posts = [post(1, "Members first", visibility="members"), post(2, "Open")]
    path = export(tmp_path / "ghost.json", posts)
    run_import(path, command="import_ghost")
    members, open_post = imported_page("ghost", ghost_id(1)), imported_page("ghost", ghost_id(2))
    PageViewRestriction.objects.create(
        page=open_post, restriction_type=PageViewRestriction.PASSWORD, password="shed"
    )
    posts[0]["visibility"], posts[0]["title"] = "public", "Now for everyone on Ghost"
    posts[1]["title"] = "Open, renamed"
    run_import(export(path, posts), command="import_ghost")
    assert imported_page("ghost", ghost_id(1)).title == "Now for everyone on Ghost"
    kinds = dict(PageViewRestriction.objects.values_list("page_id", "restriction_type"))
    assert kinds == {members.pk: "login", open_post.pk: "password"}
