from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dearly.core"
    label = "core"
