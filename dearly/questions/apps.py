from django.apps import AppConfig


class QuestionsConfig(AppConfig):
    name = "dearly.questions"
    label = "questions"

    def ready(self):
        # Receivers connect once the app registry is ready (Django's AppConfig.ready docs).
        from . import signals  # noqa: F401  # letter published → question published
