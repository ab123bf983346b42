from django.apps import AppConfig


class QuestionsConfig(AppConfig):
    name = "dearly.questions"
    label = "questions"

    def ready(self):
        from . import signals  # noqa: F401  # letter published → question published
