from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "dearly.articles"
    label = "articles"

    def ready(self):
        from . import invalidation  # imports models: only once the registry is ready

        invalidation.connect()
