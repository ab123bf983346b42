from urllib.parse import quote

from django import template

register = template.Library()

# Paths never copied into a ?next= link: the account pages themselves, and pages whose URL is a
# secret (a question's status link, a signed unsubscribe link) that must not travel further.
NO_NEXT_PREFIXES = ("/accounts/", "/ask/status/", "/comments/unsubscribe/")


@register.filter
def next_query(path):
    """'?next=<path>' for the log-in and sign-up links, or '' where the path must not travel."""
    if not path or path.startswith(NO_NEXT_PREFIXES):
        return ""
    return f"?next={quote(path, safe='/')}"
