from django.apps import AppConfig


class ImporterConfig(AppConfig):
    name = "dearly.importer"
    label = "importer"
    verbose_name = "Imports"
