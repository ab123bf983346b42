from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dearly.core"
    label = "core"

    def ready(self):
        from . import versions

        versions.connect()
