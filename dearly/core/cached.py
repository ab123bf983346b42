"""Site-wide data every page shows (column settings, topic navigation, footer links), read from
the fragment cache under the content version (dearly.core.versions) instead of the database on
each request; and whether a reader may use the editor's admin (for Wagtail's user bar)."""

from django.core.cache import caches
from django.utils.connection import ConnectionProxy

from wagtail.models import Site

from . import versions

# Pieces kept under version tokens are only an optimisation: in each process's memory (or in
# Redis), never in the shared "default" cache, which is a database table on one machine.
fragment_cache = ConnectionProxy(caches, "fragments")


def _cached(request, name, build):
    token = versions.current(request, versions.CONTENT)[versions.CONTENT]
    key = f"dearly:{name}:{token}"
    value = fragment_cache.get(key)
    if value is None:
        value = build()
        fragment_cache.set(key, value, versions.TIMEOUT)
    return value


def column_settings(request=None, site=None):
    """The ColumnSettings of `site` (or of the request's site)."""
    from .models import ColumnSettings

    if site is None:
        site = (
            Site.find_for_request(request)
            if request is not None
            else Site.objects.filter(is_default_site=True).first()
        )
    if site is None:
        return ColumnSettings()
    return _cached(request, f"column-settings:{site.pk}", lambda: ColumnSettings.for_site(site))


def nav_topics(request):
    """Top-level topics for the site navigation."""
    from dearly.articles.models import Topic

    return _cached(
        request,
        "nav-topics",
        lambda: list(Topic.objects.filter(parent__isnull=True).only("name", "slug")[:8]),
    )


def footer_pages(request):
    """Plain pages (About, Privacy, Comment policy) linked in the footer."""
    from .models import StandardPage

    return _cached(
        request,
        "footer-pages",
        lambda: list(
            StandardPage.objects.live().public().order_by("path").only("title", "url_path")
        )[:6],
    )


def may_use_admin(request, user):
    """user.has_perm("wagtailadmin.access_admin"), remembered per user under the permissions
    version: without it every logged-in page costs two queries for the user bar's check."""
    if not user.is_authenticated or not user.is_active or user.is_superuser:
        return user.has_perm("wagtailadmin.access_admin")  # answered without a query
    token = versions.current(request, versions.PERMISSIONS)[versions.PERMISSIONS]
    key = f"dearly:admin-access:{user.pk}:{int(user.is_staff)}:{token}"
    allowed = fragment_cache.get(key)
    if allowed is None:
        allowed = user.has_perm("wagtailadmin.access_admin")
        fragment_cache.set(key, allowed, versions.TIMEOUT)
    return allowed
