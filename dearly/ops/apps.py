from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running a site: `backup`, `restore` and `run_scheduler`."""

    name = "dearly.ops"
    label = "ops"
