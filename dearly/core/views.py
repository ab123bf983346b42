from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET


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
