import re

from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, re_path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from wagtail import urls as wagtail_urls
from wagtail import views as wagtail_views
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.admin.views.account import LogoutView as WagtailLogoutView
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.documents.views import serve as wagtaildocs_views

from dearly.accounts.views import to_the_login_page
from dearly.articles.sitemaps import SITEMAPS
from dearly.core.security import limit_password_guesses
from dearly.core.views import robots_txt, theme_css

# One way to log in (docs/security.md). These shadow Wagtail's own routes of the same paths:
# its login forms skip email verification, 2FA and rate limits, so they lead to allauth's
# login page; logging out needs no admin permission, and only a POST reaches Wagtail's view
# (it deletes the session cookie whatever the method, so a cross-site GET would sign an
# editor out; CSRF middleware checks the POST); the passwords of private pages and
# documents are rate limited.
login_routes = [
    path("admin/login/", to_the_login_page),
    path("_util/login/", to_the_login_page),
    path("admin/logout/", never_cache(require_POST(WagtailLogoutView.as_view()))),
    path(
        "_util/authenticate_with_password/<int:page_view_restriction_id>/<int:page_id>/",
        limit_password_guesses(
            wagtail_views.authenticate_with_password, "page_view_restriction_id"
        ),
    ),
    path(
        "documents/authenticate_with_password/<int:restriction_id>/",
        limit_password_guesses(wagtaildocs_views.authenticate_with_password, "restriction_id"),
    ),
]

urlpatterns = [
    *login_routes,
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("search/", include("dearly.search.urls")),
    path("accounts/", include("dearly.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("comments/", include("dearly.comments.urls")),
    path("ask/", include("dearly.questions.urls")),
    path("subscribe/", include("dearly.newsletter.urls")),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("theme/<str:colour>.css", theme_css, name="theme_css"),
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

# Django's error pages without their CSRF check, which re-reads a body that failed to parse.
handler400 = "dearly.core.requests.bad_request"
handler403 = "dearly.core.requests.permission_denied"
handler404 = "dearly.core.requests.page_not_found"
handler500 = "dearly.core.requests.server_error"
