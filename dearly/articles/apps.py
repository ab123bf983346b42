from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "dearly.articles"
    label = "articles"

    def ready(self):
        # These import models: only once the registry is ready.
        from dearly.retrieval.indexing import documents_indexed

        from . import invalidation, related

        invalidation.connect()
        documents_indexed.connect(related.on_indexed, dispatch_uid="dearly.articles.related")
