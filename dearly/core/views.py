import re

from django.conf import settings
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from . import colours


@require_GET
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        "Disallow: /accounts/",
        f"Sitemap: {settings.SITE_URL}{reverse('sitemap')}",  # never the Host header: cached
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@require_GET
@cache_control(max_age=365 * 86400, public=True, immutable=True)
def theme_css(request, colour):
    """The accent's custom properties (dearly.core.colours). The address holds the colour, so a
    new accent is a new address and this one never changes: cached for a year."""
    if not re.fullmatch(r"[0-9a-f]{6}", colour):
        raise Http404("No such colour.")
    return HttpResponse(colours.theme_css(f"#{colour}"), content_type="text/css; charset=utf-8")
