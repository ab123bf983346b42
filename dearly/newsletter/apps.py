from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "dearly.newsletter"
    label = "newsletter"
    verbose_name = "Newsletter"
