from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "dearly.comments"
    label = "comments"

    def ready(self):
        from . import invalidation  # imports models: only once the registry is ready

        invalidation.connect()
