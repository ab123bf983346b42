"""Responses made for one reader say so to every cache in front of the site (a CDN, a proxy),
which ignore `Vary: Cookie` more often than not: `Cache-Control: private`, and no shared-cache
lifetime. What the page cache itself stores never needs this (it refuses both kinds)."""

from django.utils.cache import cc_delim_re, patch_cache_control


def for_one_reader(request, response):
    """Rendered for a session (a logged-in reader: the view looked at the session and there is
    one), or setting cookies (a CSRF token, a session, messages read)."""
    session = getattr(request, "session", None)
    return bool(response.cookies) or (
        session is not None and session.accessed and session.session_key is not None
    )


def make_private(response):
    patch_cache_control(response, private=True)  # also drops "public"
    directives = cc_delim_re.split(response["Cache-Control"])
    kept = [d for d in directives if not d.strip().lower().startswith("s-maxage")]
    response["Cache-Control"] = ", ".join(kept)


class PrivateResponsesMiddleware:
    """Sits before SessionMiddleware, so that it sees the session as that left it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        no_store = "no-store" in response.get("Cache-Control", "")  # kept by no cache already
        if not no_store and for_one_reader(request, response):
            make_private(response)
        return response
