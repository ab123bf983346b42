"""Site-wide data every page shows (column settings, footer links), read from
the fragment cache under the versions of what they show (dearly.core.invalidation) instead of
the database on each request; and whether a reader may use the editor's admin (for Wagtail's
user bar)."""

from wagtail.models import Site

from .invalidation import PAGES, PERMISSIONS, SITE, cached
from .models import ColumnSettings, StandardPage


def column_settings(request=None, site=None):
    """The ColumnSettings of `site` (or of the request's site)."""
    if site is None:
        site = (
            Site.find_for_request(request)
            if request is not None
            else Site.objects.filter(is_default_site=True).first()
        )
    if site is None:
        return ColumnSettings()

    def build():
        found = ColumnSettings.for_site(site)
        for related in ("logo", "columnist_photo", "about_page"):
            getattr(found, related)  # loaded now, so they are kept in the cache with it
        return found

    # `pages` too: the About page it links to may be renamed or unpublished.
    return cached(request, f"column-settings:{site.pk}", (SITE, PAGES), build)


def site_name(request=None):
    """The column's name ("Dear Dr. Mimi"), from the request's site or the default one."""
    return column_settings(request).name


def footer_pages(request):
    """Plain pages (About, Privacy, Comment policy) linked in the footer."""
    return cached(
        request,
        "footer-pages",
        (PAGES,),
        lambda: list(
            StandardPage.objects.live().public().order_by("path").only("title", "url_path")
        )[:6],
    )


def may_use_admin(request, user):
    """user.has_perm("wagtailadmin.access_admin"), remembered per user under the permissions
    version: without it every logged-in page costs two queries for the user bar's check."""
    if not user.is_authenticated or not user.is_active or user.is_superuser:
        return user.has_perm("wagtailadmin.access_admin")  # answered without a query
    return cached(
        request,
        f"admin-access:{user.pk}:{int(user.is_staff)}",
        (PERMISSIONS,),
        lambda: user.has_perm("wagtailadmin.access_admin"),
    )
