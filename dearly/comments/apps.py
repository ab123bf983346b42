from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


def comment_settings_changed(sender, created=False, **kwargs):
    """Cached pages and fragments hold the comment settings, as they hold the column settings."""
    # Both load models: imported once the app registry is ready.
    from dearly.core import versions
    from dearly.pagecache.signals import invalidate

    if not created:  # for_site() makes the row with its defaults on first use: nothing new shown
        versions.bump(versions.CONTENT)
        invalidate("site")


class CommentsConfig(AppConfig):
    name = "dearly.comments"
    label = "comments"

    def ready(self):
        from . import cache
        from .models import CommentSettings

        cache.connect()
        for signal in (post_save, post_delete):
            signal.connect(
                comment_settings_changed,
                sender=CommentSettings,
                dispatch_uid=f"dearly-comment-settings-{signal}",
            )
