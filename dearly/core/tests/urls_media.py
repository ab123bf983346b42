"""The site's URLs plus its uploaded files, for browser tests whose images must load: the test
settings keep uploads in memory and the live server serves no media (tests that use this point
MEDIA_ROOT and the default storage at a temporary directory)."""

from django.conf import settings
from django.urls import include, path, re_path
from django.views.static import serve


def media(request, path):
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [
    re_path(r"^media/(?P<path>.*)$", media),
    path("", include("dearly.urls")),
]

handler400 = "dearly.core.requests.bad_request"
handler403 = "dearly.core.requests.permission_denied"
handler404 = "dearly.core.requests.page_not_found"
handler500 = "dearly.core.requests.server_error"
