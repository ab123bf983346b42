"""Requests Django or Wagtail cannot read get a 400 (in the site's design), never a 500.

UnreadableRequestMiddleware answers before anything reads the request:
- a form body declared in a charset other than UTF-8. Django refuses it (BadRequest, ticket
  https://code.djangoproject.com/ticket/34709) but leaves request.POST unparsed, so the error
  page's CSRF check (`requires_csrf_token` on Django's error views) read it again and the
  second BadRequest escaped as an unlogged 500: `charset=utf-16` and a csrftoken cookie on any
  POST. The error views below skip that check as well;
- a charset that does not read ASCII as ASCII (UTF-16/32, UTF-7, EBCDIC, unknown names), on
  any request: Django decodes the query string with it too;
- a NUL in the path.
WagtailAdminInputMiddleware turns what Wagtail's admin views raise on malformed input into 400.

Found by the hostile-request walk (dearly/core/tests/test_hostile_requests.py, docs/security.md).
"""

import functools

from django.core.exceptions import BadRequest
from django.core.paginator import InvalidPage
from django.db import OperationalError
from django.http import HttpResponseBadRequest
from django.template.loader import render_to_string
from django.urls import NoReverseMatch
from django.views import defaults

from wagtail.search.backends.base import FilterFieldError

_ASCII = bytes(range(128))
_ASCII_TEXT = _ASCII.decode("ascii")
FORM = "application/x-www-form-urlencoded"


@functools.lru_cache(maxsize=64)
def reads_ascii_as_ascii(charset):
    """True for UTF-8, Latin-1 and the like; False for UTF-16, unknown names, codecs.decode
    transforms (rot13, base64) and anything else that would garble a query string."""
    try:
        return _ASCII.decode(charset) == _ASCII_TEXT
    except (LookupError, ValueError):  # unknown codec; UnicodeError is a ValueError
        return False


def unreadable(request):
    """True for a path with a NUL in it, or a body or query string in a charset Django could
    not read."""
    if "\x00" in request.path_info:
        return True  # no URL names one; PostgreSQL refuses it in a lookup (DataError, a 500)
    charset = (request.content_params or {}).get("charset")
    if charset is None:
        return False
    if not reads_ascii_as_ascii(charset):
        return True
    # Django's own rule for form bodies (HttpRequest._load_post_and_files).
    return request.method == "POST" and request.content_type == FORM and charset.lower() != "utf-8"


def bad_request_page():
    # 400.html needs no request, database or context (see the template).
    return HttpResponseBadRequest(render_to_string("400.html"))


class UnreadableRequestMiddleware:
    """Answer 400 to a request Django cannot read (above), before CSRF reads its body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if unreadable(request):
            return bad_request_page()
        return self.get_response(request)


def _no_csrf_check(view):
    """Django's error view without its CSRF check: the check reads request.POST, which may be
    the very body that could not be parsed. The token and its cookie are still provided."""

    @functools.wraps(view)
    def error_view(request, *args, **kwargs):
        request.csrf_processing_done = True  # CsrfViewMiddleware.process_view then returns
        return view(request, *args, **kwargs)

    return error_view


bad_request = _no_csrf_check(defaults.bad_request)
permission_denied = _no_csrf_check(defaults.permission_denied)
page_not_found = _no_csrf_check(defaults.page_not_found)
server_error = _no_csrf_check(defaults.server_error)


# What Wagtail's admin views raise on input its own pages never send: an id that is no number
# ("²" as ?id= or in a chooser's URL), a `next` that is no URL (redirect() takes it for a view
# name), a page number out of range, a form without a field Wagtail's own forms always send.
WAGTAIL_INPUT_ERRORS = (
    ValueError,
    KeyError,
    AttributeError,
    OverflowError,
    NoReverseMatch,
    InvalidPage,
    FilterFieldError,
)
# SQLite's words for a search Wagtail passed on as it was typed: modelsearch puts a term in
# double quotes without doubling a `"` inside it (a search for `"unterminated`).
FTS_SYNTAX_ERRORS = ("unterminated string", "fts5: syntax error", "malformed MATCH")


def _search_syntax_error(exception):
    return isinstance(exception, OperationalError) and str(exception).startswith(FTS_SYNTAX_ERRORS)


class WagtailAdminInputMiddleware:
    """Wagtail's admin views answer malformed input with a 400 instead of a 500 (or a 503: the
    outage page takes any OperationalError for a database gone). Only Wagtail's own views under
    /admin/: ours must not fail. Django still logs the traceback, at WARNING, as for every 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        match = request.resolver_match
        if (
            match is not None
            and match.func.__module__.startswith("wagtail.")
            and request.path_info.startswith("/admin/")
            and (isinstance(exception, WAGTAIL_INPUT_ERRORS) or _search_syntax_error(exception))
        ):
            raise BadRequest(f"Wagtail's admin could not use this request: {exception!r}") from (
                exception
            )
        return None
