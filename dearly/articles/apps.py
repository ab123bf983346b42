from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "dearly.articles"
    label = "articles"
