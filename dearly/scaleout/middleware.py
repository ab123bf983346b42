"""While the database or Redis cannot be reached, readers get a short "We'll be right back"
page with a 503 and Retry-After (which load balancers and crawlers understand), never a 500."""

import logging
import sys

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

OUTAGE_ERRORS = (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError)
RETRY_AFTER_SECONDS = 10


def service_unavailable():
    # No request context: the page must render with the database gone.
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)  # nor may any cache keep it
    return response


def _mark_outage(sender, request=None, **kwargs):
    """Django turns an exception raised inside a middleware into a 500 before outer
    middleware sees it; note the cause on the request so the 500 becomes a 503."""
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, OUTAGE_ERRORS):
        request.service_outage = error


got_request_exception.connect(_mark_outage, dispatch_uid="dearly.scaleout.mark_outage")


class ServiceUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, "service_outage", None):
            return service_unavailable()
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, OUTAGE_ERRORS):
            logger.warning("Answering 503 for %s: %r", request.path, exception)
            return service_unavailable()
        return None
