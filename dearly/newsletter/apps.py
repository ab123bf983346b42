from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "dearly.newsletter"
    label = "newsletter"
    verbose_name = "Newsletter"

    def ready(self):
        # Receivers connect once the app registry is ready (Django's AppConfig.ready docs).
        from . import signals  # noqa: F401  # a first publication queues its mailing
