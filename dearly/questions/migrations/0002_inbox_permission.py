"""Wagtail's "Editors" and "Moderators" groups may read and answer readers' questions."""

from django.db import migrations

GROUPS = ["Editors", "Moderators"]


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    # Permissions are normally made after all migrations; this one is needed now.
    content_type, _ = ContentType.objects.get_or_create(app_label="questions", model="question")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="can_answer_questions",
        defaults={"name": "Can read and answer readers' questions"},
    )
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.filter(
        content_type__app_label="questions", codename="can_answer_questions"
    ).first()
    if permission is not None:
        for group in Group.objects.filter(name__in=GROUPS):
            group.permissions.remove(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("questions", "0001_initial"),
        ("wagtailcore", "0002_initial_data"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
