from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dearly.accounts"
    label = "accounts"
