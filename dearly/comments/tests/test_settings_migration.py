"""The comment settings move out of the column settings with each site's values."""

from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from wagtail.models import Site

import pytest

from dearly.comments.models import CommentSettings
from dearly.core.models import ColumnSettings

# Before the move: CommentSettings exists, empty; ColumnSettings still holds the fields.
BEFORE = [("comments", "0005_comment_settings_and_any_page"), ("core", "0005_content_version")]


def migrate(targets=None):
    """Migrate to `targets` (the latest migrations if None); the models as they were there."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def latest_schema_afterwards():
    yield
    migrate()  # even after a failure: the tests that follow need the current schema


# Migrations change the schema, which SQLite refuses inside a test's transaction.
@pytest.mark.django_db(transaction=True)
def test_migrating_moves_each_sites_comment_settings_and_back(site_tree, latest_schema_afterwards):
    old = migrate(BEFORE)
    site = Site.objects.get(is_default_site=True)
    old.get_model("core", "ColumnSettings").objects.create(
        site_id=site.pk,
        columnist_name="Dr. Lou",
        hold_all_comments=True,
        close_comments_after_days=30,
        moderation_words="cheap watches\ncasino",
    )
    editors = Group.objects.create(name="Settings editors")
    editors.permissions.add(Permission.objects.get(codename="change_columnsettings"))

    migrate()
    moved = CommentSettings.objects.get(site=site)
    assert moved.hold_all_comments is True
    assert moved.close_comments_after_days == 30
    assert moved.moderation_words == "cheap watches\ncasino"
    assert ColumnSettings.objects.get(site=site).columnist_name == "Dr. Lou"
    assert editors.permissions.filter(codename="change_commentsettings").exists()

    old = migrate(BEFORE)
    back = old.get_model("core", "ColumnSettings").objects.get(site_id=site.pk)
    assert (back.hold_all_comments, back.close_comments_after_days) == (True, 30)
    assert back.moderation_words == "cheap watches\ncasino"
