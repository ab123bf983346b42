from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "dearly.search"
    label = "dearly_search"
