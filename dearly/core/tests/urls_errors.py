"""The site's URLs plus views that fail on purpose, for the error-page tests."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from dearly.urls import urlpatterns as site_urlpatterns


def crash(request):
    raise RuntimeError("secret-internal-detail: the database password is hunter2")


def forbidden(request):
    raise PermissionDenied("secret-internal-detail: staff group 7 missing")


def suspicious(request):
    raise SuspiciousOperation("secret-internal-detail: tampered signature")


urlpatterns = [
    path("test-crash/", crash),
    path("test-forbidden/", forbidden),
    path("test-suspicious/", suspicious),
    *site_urlpatterns,
]
