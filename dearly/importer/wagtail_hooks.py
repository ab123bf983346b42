"""Old WordPress query URLs ("/?p=12", "/?page_id=3") answered with a 301 to the new page.

They cannot be Wagtail redirects: those match paths, and "/" is the home page."""

from django.http import HttpResponsePermanentRedirect

from wagtail import hooks
from wagtail.models import Page

from .mapping.links import query_target
from .models import ImportedObject


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
