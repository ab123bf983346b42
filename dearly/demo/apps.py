from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo column (`load_demo`) and its accounts (`demo_accounts`), for `make run`."""

    name = "dearly.demo"
    label = "demo"
