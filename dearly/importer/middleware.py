"""Old links with doubled slashes ("http://old.example//2012/01/post/") reach their new home.

A WordPress site whose address was saved with a trailing slash writes such links into its
pages, feeds and exports, and other sites copied them. Django finds no route for them, and
Wagtail's redirects cannot match them either (Redirect.normalise_path reads "//2012" as a
host), so a 404 for a path with "//" is answered with a 301 to the same path with single
slashes; that path then answers as usual (the page, or the import's redirect)."""

from django.http import HttpResponsePermanentRedirect

from .mapping.links import single_slashes


class DoubledSlashesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or "//" not in request.path:
            return response
        if request.method not in ("GET", "HEAD"):
            return response
        path, query = request.get_full_path().partition("?")[::2]
        path = single_slashes(path)  # percent-encoded, so always a path on this site
        return HttpResponsePermanentRedirect(f"{path}?{query}" if query else path)
