"""Security middleware: the Content-Security-Policy (strict on the public site, looser in the
Wagtail admin), the admin's network allow-list and who may open it, the client address behind
our proxies, and rate limits on the passwords of private pages and documents."""

import ipaddress
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from allauth.core.ratelimit import consume
from csp.middleware import CSPMiddleware

# The editor's back office (Wagtail) and Django's own admin, should it ever be routed.
ADMIN_PREFIXES = ("/admin/", "/django-admin/")
# Open to a reader who is logged in: Wagtail's login leads to allauth's, and logging out needs
# no admin permission (dearly/urls.py).
ADMIN_PATHS_FOR_READERS = ("/admin/login/", "/admin/logout/")


def parse_networks(values, setting="ADMIN_ALLOWED_NETWORKS"):
    """CIDR strings as ip_network objects; a typo stops the start rather than locking editors
    out (or letting everyone in)."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(str(value).strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"{setting}: {value!r} is not an IP network; write comma-separated CIDRs "
                "such as 192.0.2.0/24,2001:db8::/32 (see .env.example)."
            ) from None
    return tuple(networks)


def client_ip(request):
    """The reader's address: REMOTE_ADDR, or with TRUSTED_PROXY_COUNT = n proxies of ours in
    front, the n-th address from the right of X-Forwarded-For (the part our proxies wrote).
    None when it cannot be told, so callers fail closed."""
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        # Fewer entries than proxies: the request did not come through them.
        candidate = forwarded[-hops] if len(forwarded) >= hops else ""
    else:
        candidate = request.META.get("REMOTE_ADDR", "")
    try:
        address = ipaddress.ip_address(candidate.strip())
    except ValueError:
        return None
    # ::ffff:192.0.2.1 from a dual-stack listener is the IPv4 address it wraps.
    return getattr(address, "ipv4_mapped", None) or address


class AdminNetworkMiddleware:
    """Answer 403 (in the site's design) to admin URLs from outside ADMIN_ALLOWED_NETWORKS."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.networks = parse_networks(settings.ADMIN_ALLOWED_NETWORKS)
        if not self.networks:
            raise MiddlewareNotUsed  # unset: no restriction, and no cost per request

    def __call__(self, request):
        if request.path_info.startswith(ADMIN_PREFIXES) and not self.allowed(request):
            return _refusal(request, "403.html", 403, admin_network=True)
        return self.get_response(request)

    def allowed(self, request):
        address = client_ip(request)
        return address is not None and any(address in network for network in self.networks)


class AdminAccessMiddleware:
    """Answer 403 (in the site's design) to a logged-in reader without admin access under
    /admin/. Wagtail would send them to the login page, which sends a logged-in reader
    straight back: a redirect loop."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path, user = request.path_info, request.user
        if (
            path.startswith(ADMIN_PREFIXES)
            and path not in ADMIN_PATHS_FOR_READERS
            and user.is_authenticated
            and not user.has_perm("wagtailadmin.access_admin")
        ):
            return _refusal(request, "403.html", 403, editors_area=True)
        return self.get_response(request)


def limit_password_guesses(view, restriction_kwarg):
    """Wagtail's view that checks the password of a private page or document, behind allauth's
    rate limits: wrong passwords count against "view_restriction_password" in
    ACCOUNT_RATE_LIMITS, per address and per restriction (one password, named by the view's
    `restriction_kwarg`), and past the limit even the right one gets a 429."""

    @wraps(view)
    def limited(request, **kwargs):
        key = f"{restriction_kwarg}:{kwargs[restriction_kwarg]}"
        if not consume(request, action="view_restriction_password", key=key, dry_run=True):
            return _refusal(request, "core/too_many_password_guesses.html", 429)
        response = view(request, **kwargs)
        if request.method == "POST" and response.status_code == 200:  # the form again: wrong
            consume(request, action="view_restriction_password", key=key)
        return response

    return limited


def _refusal(request, template, status, **context):
    response = render(request, template, context, status=status)
    add_never_cache_headers(response)
    return response


def _origin(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware with two additions: the admin gets its own policy
    (CONTENT_SECURITY_POLICY_ADMIN replaces those directives under /admin/), and media or
    static files served from another origin (S3, a CDN) are allowed where they are used."""

    def __init__(self, get_response):
        super().__init__(get_response)
        extra = {}
        media, static = _origin(settings.MEDIA_URL), _origin(settings.STATIC_URL)
        if media:
            extra.update({"img-src": [media], "media-src": [media]})
        if static:
            for directive in ("script-src", "style-src", "img-src", "font-src"):
                extra[directive] = [*extra.get(directive, []), static]
        self.extra_origins = extra or None

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        if parts.replace is None and request.path_info.startswith(ADMIN_PREFIXES):
            parts.replace = getattr(settings, "CONTENT_SECURITY_POLICY_ADMIN", None)
        if self.extra_origins:
            update = dict(parts.update or {})
            for directive, origins in self.extra_origins.items():
                update[directive] = [*update.get(directive, []), *origins]
            parts.update = update
        return parts
