import re

from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, re_path

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from dearly.core.sitemaps import SITEMAPS
from dearly.core.views import robots_txt

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("search/", include("dearly.search.urls")),
    path("accounts/", include("dearly.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("comments/", include("dearly.comments.urls")),
    path("ask/", include("dearly.questions.urls")),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemap_views.sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("", include("dearly.articles.urls")),
]

if settings.SERVE_MEDIA:
    # django.conf.urls.static.static() only works with DEBUG on; `make run` keeps DEBUG off.
    from django.views.static import serve

    urlpatterns += [
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]

urlpatterns += [path("", include(wagtail_urls))]
