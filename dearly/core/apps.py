from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dearly.core"
    label = "core"

    def ready(self):
        from . import restrictions  # imports models: only once the registry is ready
        from .invalidation import rules  # imports models: only once the registry is ready

        rules.connect()
        restrictions.install()
