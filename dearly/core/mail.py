"""What the site's emails call the site, and who they come from: the column's name (ColumnSettings)
and DEFAULT_FROM_EMAIL, never the Host header of the request that caused them."""

import unicodedata
from email.utils import parseaddr

from django.conf import settings

from .cached import site_name


def from_email(request=None):
    """DEFAULT_FROM_EMAIL; a bare address is shown under the column's name,
    "Dear Dr. Mimi" <noreply@advice.example.com>. One that names itself is kept as it is."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    if name or not address:
        return settings.DEFAULT_FROM_EMAIL
    # An editor typed the name: no line breaks or other controls reach the header.
    shown = "".join(ch for ch in site_name(request) if unicodedata.category(ch)[0] != "C")
    quoted = shown.strip().replace("\\", "\\\\").replace('"', '\\"')
    return f'"{quoted}" <{address}>' if quoted else address
