"""Wagtail page routes from the cache: the site and the specific page for a path, kept under the
versions of what routes depend on (dearly.core.invalidation: pages and the site), so a page is
found without the 7 queries of walking the tree (site, root, then each level and its specific
row) on every request.

Wagtail keeps the route of a request in `request._wagtail_route_for_request` and its site in
`request._wagtail_site` (Page.route_for_request, Site.find_for_request); the middleware fills
both from the cache before the view runs, and the before_serve_page hook stores what Wagtail
found. Only plain GET/HEAD routes to a live page are kept; previews and 404s never are.
"""

import copy
import hashlib

from django.urls import Resolver404, resolve

from wagtail import views as wagtail_views
from wagtail.url_routing import RouteResult

from .invalidation import CONTENT, TIMEOUT, fragment_cache, token

_MARK = "_dearly_route_key"


def _key(request, where):
    version = token(request, *CONTENT)
    if version is None:
        return None
    return f"dearly:route:{version}:{hashlib.md5(where, usedforsecurity=False).hexdigest()}"


def _serves_pages(request):
    try:
        return resolve(request.path_info).func is wagtail_views.serve
    except Resolver404:
        return False


class CachedRouteMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and _serves_pages(request):
            where = f"{request.get_host()}|{request.path_info}".encode()
            key = _key(request, where)
            found = fragment_cache.get(key) if key is not None else None
            if found is not None:
                request._wagtail_site, page = found
                request._wagtail_route_for_request = RouteResult(page)
            elif key is not None:
                setattr(request, _MARK, key)  # remember() stores what Wagtail finds
        return self.get_response(request)


def remember(page, request, serve_args, serve_kwargs):
    """before_serve_page: keep the route Wagtail just found for the next request."""
    key = getattr(request, _MARK, None)
    if key is None or serve_args or serve_kwargs or getattr(request, "is_preview", False):
        return
    if not page.live or getattr(request, "_wagtail_site", None) is None:
        return
    page = copy.copy(page)  # the page being served keeps what it has loaded
    page.__dict__.pop("_cached_parent_obj", None)  # its ancestors are not needed again
    # A change of restrictions bumps `pages` too (dearly.core.invalidation.rules).
    page._dearly_view_restrictions = list(page.get_view_restrictions())
    fragment_cache.set(key, (request._wagtail_site, page), TIMEOUT)
