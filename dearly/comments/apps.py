from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "dearly.comments"
    label = "comments"

    def ready(self):
        from . import cache

        cache.connect()
