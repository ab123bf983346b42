"""allauth's account adapter: its emails link to SITE_URL, whatever Host a request came with, and
speak as the column (its name in the greeting, subject and From)."""

from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings

from allauth.account.adapter import DefaultAccountAdapter

from dearly.core.mail import from_email, site_name


def on_site_url(url):
    """`url` with its scheme and host replaced by SITE_URL's: allauth builds its links with
    request.build_absolute_uri(), from a Host header the client chooses (any port of localhost
    is allowed in dev, any subdomain behind a permissive proxy)."""
    site = urlsplit(settings.SITE_URL)
    parts = urlsplit(url)
    return urlunsplit((site.scheme, site.netloc, parts.path, parts.query, parts.fragment))


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        # Every "…_url" allauth passes (activate_url, password_reset_url, signup_url) and its
        # footer's site name and domain come from settings, not from the request.
        context = {
            key: on_site_url(value) if key.endswith("_url") and isinstance(value, str) else value
            for key, value in context.items()
        }
        context["current_site"] = SimpleNamespace(
            name=site_name(), domain=urlsplit(settings.SITE_URL).netloc
        )
        context["site_url"] = settings.SITE_URL
        super().send_mail(template_prefix, email, context)

    def format_email_subject(self, subject):
        # "[Dear Dr. Mimi] Confirm your email address": the column's name, not a fixed prefix.
        return f"[{site_name()}] {subject}"

    def get_from_email(self):
        return from_email()

    def _get_login_attempts_cache_key(self, request, **credentials):
        # allauth keys the per-account lockout by get_current_site(), which without
        # django.contrib.sites is the Host header, port included: "Host: site:1", "site:2"...
        # would each get five fresh tries. One site, so the login alone is the key.
        login = credentials.get("email", credentials.get("username", ""))
        return f"{settings.SITE_URL}:{login.casefold()}"
