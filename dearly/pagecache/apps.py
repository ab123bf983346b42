from django.apps import AppConfig, apps
from django.core.management import call_command
from django.db.models.signals import post_migrate


def create_cache_tables(using, verbosity=1, **kwargs):
    """The shared cache's table (settings.CACHES, a database table on one machine) comes with
    every `migrate`: `make run`, an upgrade, bench and test sites, a restored old backup."""
    call_command("createcachetable", database=using, verbosity=max(verbosity - 1, 0))


class PageCacheConfig(AppConfig):
    name = "dearly.pagecache"
    label = "pagecache"
    verbose_name = "page cache"

    def ready(self):
        # post_migrate reaches only apps with models, which this one has not: after core's.
        post_migrate.connect(
            create_cache_tables, sender=apps.get_app_config("core"), dispatch_uid="dearly.cache"
        )
