"""The importer in Wagtail's admin: "Move in" (admin_views.py) for those who may run imports,
and old WordPress query URLs ("/?p=12", "/?page_id=3") answered with a 301 to the new page.

Those cannot be Wagtail redirects: they match paths, and "/" is the home page."""

from django.contrib.auth.models import Permission
from django.http import HttpResponsePermanentRedirect
from django.urls import include, path, reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.models import Page

from . import admin_views
from .mapping.links import query_target
from .models import ImportedObject


class MoveInMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(admin_views.PERMISSION)


@hooks.register("register_admin_urls")
def register_move_in_urls():
    urls = [
        path("", admin_views.MoveInView.as_view(), name="index"),
        path("upload/", admin_views.upload_view, name="upload"),
        path("<uuid:run_id>/", admin_views.RunView.as_view(), name="run"),
        path("<uuid:run_id>/import/", admin_views.confirm_view, name="confirm"),
        path("<uuid:run_id>/cancel/", admin_views.cancel_view, name="cancel"),
    ]
    return [path("move-in/", include((urls, "move_in")))]


@hooks.register("register_admin_menu_item")
def register_move_in_menu_item():
    return MoveInMenuItem(
        "Move in", reverse("move_in:index"), name="move-in", icon_name="upload", order=850
    )


@hooks.register("register_permissions")
def move_in_permission():
    """Settings → Groups shows it, so that an administrator can give it to a group."""
    app, codename = admin_views.PERMISSION.split(".")
    return Permission.objects.filter(content_type__app_label=app, codename=codename)


@hooks.register("before_serve_page")
def redirect_wordpress_query_urls(page, request, serve_args, serve_kwargs):
    if not request.GET or page.depth > 2:  # only the site root answers WordPress's ?p=
        return None
    target = query_target(request.META.get("QUERY_STRING", ""))
    if target is None:
        return None
    page_id, link = ImportedObject.objects.new_home(*target, old_url=False)
    if page_id:
        new_page = Page.objects.filter(pk=page_id).first()
        link = new_page.get_url(request) if new_page is not None and new_page.live else ""
    if link:
        return HttpResponsePermanentRedirect(link)
    return None
