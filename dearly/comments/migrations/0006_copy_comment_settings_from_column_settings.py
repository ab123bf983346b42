"""The comment settings used to be part of the column settings (core.ColumnSettings): copy each
site's values, and who may change them, before core drops those fields."""

from django.db import migrations

FIELDS = ("hold_all_comments", "close_comments_after_days", "moderation_words")


def copy_forward(apps, schema_editor):
    ColumnSettings = apps.get_model("core", "ColumnSettings")
    CommentSettings = apps.get_model("comments", "CommentSettings")
    for column in ColumnSettings.objects.all():
        values = {field: getattr(column, field) for field in FIELDS}
        CommentSettings.objects.update_or_create(site_id=column.site_id, defaults=values)
    _grant_like_column_settings(apps)


def _grant_like_column_settings(apps):
    """Groups that could change the column settings (and so the comment settings) still can."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    groups = Group.objects.filter(
        permissions__codename="change_columnsettings",
        permissions__content_type__app_label="core",
    ).distinct()
    if not groups.exists():
        return
    # Permissions are normally made after all migrations; this one is needed now.
    content_type, _ = ContentType.objects.get_or_create(
        app_label="comments", model="commentsettings"
    )
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="change_commentsettings",
        defaults={"name": "Can change comment settings"},
    )
    for group in groups:
        group.permissions.add(permission)


def copy_back(apps, schema_editor):
    ColumnSettings = apps.get_model("core", "ColumnSettings")
    CommentSettings = apps.get_model("comments", "CommentSettings")
    for comments in CommentSettings.objects.all():
        values = {field: getattr(comments, field) for field in FIELDS}
        ColumnSettings.objects.update_or_create(site_id=comments.site_id, defaults=values)


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0005_comment_settings_and_any_page"),
        ("core", "0005_content_version"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(copy_forward, copy_back)]
