from django.apps import AppConfig


class QuestionsConfig(AppConfig):
    name = "dearly.questions"
    label = "questions"

    def ready(self):
        # Receivers connect once the app registry is ready (Django's AppConfig.ready docs).
        # signals: a letter published → its question published; claims: a claim, or a claimed
        # letter's update link → the writer's badges.
        from . import claims, signals  # noqa: F401
