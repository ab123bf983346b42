"""The comment settings now live in comments.CommentSettings, which copied them first."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_content_version"),
        ("comments", "0006_copy_comment_settings_from_column_settings"),
    ]

    operations = [
        migrations.RemoveField(model_name="columnsettings", name="close_comments_after_days"),
        migrations.RemoveField(model_name="columnsettings", name="hold_all_comments"),
        migrations.RemoveField(model_name="columnsettings", name="moderation_words"),
    ]
