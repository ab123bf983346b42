from django.apps import AppConfig


class RetrievalConfig(AppConfig):
    name = "dearly.retrieval"
    label = "retrieval"

    def ready(self):
        from . import indexing  # imports models: only once the registry is ready

        indexing.connect()
