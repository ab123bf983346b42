"""Subscribing, confirming and leaving, without HTTP: the views and the account pages call
these. Links in emails are signed (django.core.signing): a confirmation link expires and works
only for the latest request; a subscriber's own link (manage, unsubscribe) never expires and
stops working when the address is deleted."""

import csv
import hashlib

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from allauth.account.models import EmailAddress

from .models import Subscriber

CONFIRM_SALT = "dearly.newsletter.confirm"
MANAGE_SALT = "dearly.newsletter.manage"
CONFIRM_MAX_AGE = 3 * 24 * 3600  # seconds: a confirmation link works for three days


def _address_key(email):
    """A short digest of the address: a link made for one address fails for another."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:16]


def confirm_token(subscriber):
    return signing.dumps(
        {
            "s": subscriber.pk,
            "e": _address_key(subscriber.email),
            "r": subscriber.requested_at.timestamp(),
        },
        salt=CONFIRM_SALT,
    )


def manage_token(subscriber):
    data = {"s": subscriber.pk, "e": _address_key(subscriber.email)}
    return signing.dumps(data, salt=MANAGE_SALT)


def _load(token, salt, max_age=None):
    try:
        data = signing.loads(str(token), salt=salt, max_age=max_age)
        subscriber = Subscriber.objects.get(pk=int(data["s"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError, Subscriber.DoesNotExist):
        return None, None
    if data.get("e") != _address_key(subscriber.email):
        return None, None
    return subscriber, data


def subscriber_to_confirm(token):
    """(subscriber, problem): the subscriber a confirmation link is for, or None and why."""
    try:
        signing.loads(str(token), salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.SignatureExpired:
        return None, "expired"
    except signing.BadSignature:
        return None, "invalid"
    subscriber, data = _load(token, CONFIRM_SALT, CONFIRM_MAX_AGE)
    if subscriber is None:
        return None, "invalid"
    if subscriber.state == Subscriber.State.ACTIVE:
        return subscriber, "done"
    if subscriber.state != Subscriber.State.PENDING:
        return None, "invalid"  # unsubscribed since: an old link confirms nothing
    if abs(float(data.get("r", 0)) - subscriber.requested_at.timestamp()) > 0.001:
        return None, "superseded"
    return subscriber, None


def subscriber_from_link(token):
    """The subscriber of a manage or unsubscribe link, or None."""
    return _load(token, MANAGE_SALT)[0]


def absolute(name, *args):
    return settings.SITE_URL + reverse(name, args=args)


def subscribe(email, frequency=Subscriber.Frequency.EACH, topics=(), user=None):
    """Ask for a subscription. Whatever the address's state, the caller shows the same answer,
    so the form tells nobody who is on the list; the address's owner gets the email that fits:
    a confirmation link, or (already subscribed) a link to their settings. A reader whose
    account's address is verified is subscribed at once. Returns the subscriber."""
    from .tasks import send_account_notice  # tasks.py imports this module

    email = email.strip()
    now = timezone.now()
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().with_email(email).first()
        if subscriber is None:
            subscriber = Subscriber(email=email, requested_at=now)
        if subscriber.state == Subscriber.State.ACTIVE:
            notice = "already"
        else:
            subscriber.state = Subscriber.State.PENDING
            subscriber.frequency = frequency
            subscriber.requested_at = now
            subscriber.paused = False
            notice = "confirm"
            if user is not None and _verified(user, email):
                subscriber.confirm(now)
                subscriber.source = Subscriber.Source.ACCOUNT
                notice = None
        if user is not None and subscriber.user_id is None and _verified(user, email):
            subscriber.user = user
        subscriber.save()
        if notice != "already":
            subscriber.topics.set(topics)
        if notice:
            transaction.on_commit(lambda: send_account_notice.enqueue(subscriber.pk, notice))
    return subscriber


def _verified(user, email):
    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def confirm(subscriber):
    subscriber.confirm()
    subscriber.save(update_fields=["state", "confirmed_at", "unsubscribed_at", "failures"])


def unsubscribe(subscriber):
    if subscriber.state != Subscriber.State.UNSUBSCRIBED:
        subscriber.unsubscribe()
        subscriber.save(update_fields=["state", "unsubscribed_at"])


def notice(email, complaint=False):
    """A mail provider's bounce (the address is marked bouncing) or complaint (unsubscribed).
    Returns 1 if it changed someone, 0 for an address not on the list."""
    subscriber = Subscriber.objects.with_email(email).first()
    if subscriber is None:
        return 0
    if complaint:
        unsubscribe(subscriber)
    else:
        subscriber.state = Subscriber.State.BOUNCING
        subscriber.save(update_fields=["state"])
    return 1


class ImportProblem(ValueError):
    """A list of subscribers that cannot be imported: `problems` names each bad line."""

    def __init__(self, problems):
        super().__init__("; ".join(problems[:5]))
        self.problems = problems


MAX_IMPORT_ROWS = 200_000


def import_subscribers(lines, frequency=Subscriber.Frequency.EACH):
    """Subscribe the addresses of a CSV export (a header row with an `email` column, as
    Mailchimp, Ghost, Substack and spreadsheets write it), which the editor confirms agreed to
    get the column. They are active at once. Unsubscribed and bouncing addresses stay so, and
    addresses already on the list are left as they are. All or nothing: a file with any bad
    line imports nobody (ImportProblem). Returns {"added", "activated", "unchanged", "kept
    out"} counts."""
    reader = csv.DictReader(lines)
    fields = {name.strip().lower(): name for name in reader.fieldnames or [] if name}
    if "email" not in fields:
        raise ImportProblem(["the first line must name the columns, one of them “email”"])
    wanted, problems = {}, []
    for number, row in enumerate(reader, start=2):
        if number > MAX_IMPORT_ROWS + 1:
            raise ImportProblem([f"more than {MAX_IMPORT_ROWS:,} addresses; split the file"])
        email = (row.get(fields["email"]) or "").strip()
        if checked_address(email) is None:
            problems.append(f"line {number}: “{email[:60]}” is not an email address")
            continue
        wanted.setdefault(email.lower(), (email, None))
    if problems:
        raise ImportProblem(problems)
    return subscribe_consented(wanted, frequency)


def checked_address(raw):
    """The address, stripped, if mail can be sent to it; None otherwise."""
    email = (raw or "").strip()
    if len(email) > 254 or any(c in email for c in "\r\n\x00"):
        return None
    try:
        validate_email(email)
    except ValidationError:
        return None
    return email


def subscribe_consented(wanted, frequency=Subscriber.Frequency.EACH):
    """Make active, without a confirmation email, the checked addresses of people who agreed
    to get the column: `wanted` maps each lower-cased address to (address, since when, or
    None for now). Unsubscribed and bouncing addresses stay so; one waiting for its
    confirmation is made active; active ones are left as they are. Returns {"added",
    "activated", "unchanged", "kept out"} counts."""
    counts = {"added": 0, "activated": 0, "unchanged": 0, "kept out": 0}
    now = timezone.now()
    with transaction.atomic():
        existing = {}
        keys = list(wanted)
        for start in range(0, len(keys), 1000):  # found by the lower-case unique index
            chunk = keys[start : start + 1000]
            found = Subscriber.objects.annotate(key=Lower("email")).filter(key__in=chunk)
            existing.update((subscriber.key, subscriber) for subscriber in found)
        new = []
        for key, (email, since) in wanted.items():
            subscriber = existing.get(key)
            if subscriber is None:
                new.append(
                    Subscriber(
                        email=email,
                        state=Subscriber.State.ACTIVE,
                        frequency=frequency,
                        source=Subscriber.Source.IMPORT,
                        created_at=since or now,
                        confirmed_at=now,
                    )
                )
            elif subscriber.state in (Subscriber.State.UNSUBSCRIBED, Subscriber.State.BOUNCING):
                counts["kept out"] += 1
            elif subscriber.state == Subscriber.State.PENDING:
                subscriber.confirm(now)
                subscriber.source = Subscriber.Source.IMPORT
                subscriber.save()
                counts["activated"] += 1
            else:
                counts["unchanged"] += 1
        Subscriber.objects.bulk_create(new, batch_size=2000)
        counts["added"] = len(new)
    return counts
