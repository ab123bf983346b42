from django.db import migrations, models


def mark_past_replies_notified(apps, schema_editor):
    """Replies approved before this field existed were announced then: never again."""
    Comment = apps.get_model("comments", "Comment")
    Comment.objects.filter(parent__isnull=False, status="approved").update(
        reply_notified_at=models.F("created_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0003_imported_comment_kind_and_email"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="reply_notified_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(mark_past_replies_notified, migrations.RunPython.noop),
    ]
