"""Wagtail page routes from the cache: the site and the specific page for a path, kept under the
content version (dearly.core.versions), so a page is found without the 7 queries of walking the
tree (site, root, then each level and its specific row) on every request.

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

from . import versions
from .cached import fragment_cache as cache

_MARK = "_dearly_route_key"


# Where -> the id of the page last found there, in this process: a hint only, so that the
# page's comment version is read in the same query as the others (dearly.core.versions).
_HINTS = {}
MAX_HINTS = 10_000


def _key(request, where):
    hint = _HINTS.get(where)
    keys = (versions.CONTENT,) if hint is None else (versions.CONTENT, versions.page_comments(hint))
    token = versions.current(request, *keys)[versions.CONTENT]
    return f"dearly:route:{token}:{hashlib.md5(where, usedforsecurity=False).hexdigest()}"


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
            found = cache.get(key)
            if found is None:
                setattr(request, _MARK, (key, where))  # remember() stores what Wagtail finds
            else:
                request._wagtail_site, page = found
                request._wagtail_route_for_request = RouteResult(page)
                _hint(where, page.pk)
        return self.get_response(request)


def _hint(where, page_id):
    if _HINTS.get(where) != page_id:
        if len(_HINTS) >= MAX_HINTS:
            _HINTS.clear()
        _HINTS[where] = page_id


def remember(page, request, serve_args, serve_kwargs):
    """before_serve_page: keep the route Wagtail just found for the next request."""
    mark = getattr(request, _MARK, None)
    if mark is None or serve_args or serve_kwargs or getattr(request, "is_preview", False):
        return
    key, where = mark
    if not page.live or getattr(request, "_wagtail_site", None) is None:
        return
    page = copy.copy(page)  # the page being served keeps what it has loaded
    page.__dict__.pop("_cached_parent_obj", None)  # its ancestors are not needed again
    # Restrictions change the content version too (dearly.core.versions).
    page._dearly_view_restrictions = list(page.get_view_restrictions())
    cache.set(key, (request._wagtail_site, page), versions.TIMEOUT)
    _hint(where, page.pk)
