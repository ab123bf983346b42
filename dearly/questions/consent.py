"""Consent records: what a letter writer agreed to, when, and from which address.

The address is kept as a keyed hash (HMAC-SHA256 with a key derived from SECRET_KEY), never as
itself: two records from one address can be matched, but nobody without the key can tell which
address it was (a plain hash would not do: every IPv4 address can be hashed in minutes). A new
SECRET_KEY makes older hashes unmatchable, which is all the harm it does.
"""

from django.utils.crypto import salted_hmac

from .models import Consent

IP_HASH_SALT = "dearly.questions.consent.ip"


def letter_consent_text(columnist):
    """The words the ask form's consent box shows, and the letter's consent record keeps."""
    return (
        f"{columnist} may publish my letter, edited for length and to remove identifying details."
    )


def update_consent_text(columnist):
    """The same consent, for an update sent after the letter was published."""
    return (
        f"{columnist} may publish my update with my letter, edited for length and to remove "
        "identifying details."
    )


def ip_hash(ip_address):
    if not ip_address:
        return ""
    return salted_hmac(IP_HASH_SALT, str(ip_address), algorithm="sha256").hexdigest()


def record(question, text, ip_address, update=None):
    """Keep what the writer agreed to, now (inside the caller's transaction)."""
    return Consent.objects.create(
        question=question, update=update, text=text, ip_hash=ip_hash(ip_address)
    )
