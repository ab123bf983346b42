"""Sending a page to its subscribers: each gets it once, even if the sender is killed.

For each message, over one SMTP connection per batch of deliveries:

1. The batch is claimed (CLAIMED, with the sender's name and the time) in a committed UPDATE.
2. MAIL FROM, RCPT TO, DATA and the whole message go to the server, all but the final ".".
3. The delivery is marked SENT, in a committed UPDATE that succeeds only while the claim is
   still this sender's (otherwise the message is abandoned with RSET).
4. The final "." goes, and the server answers: 250 (done), 4xx (queued again, later) or 5xx
   (failed; the address is marked bouncing after BOUNCE_AFTER in a row).

A server keeps a message only once it has the final "." (RFC 5321, 4.1.1.4), so a sender killed
before step 3 leaves a claim and no message: another sender takes the claim over once it is
older than the lease, and sends it. Killed after step 3, the message is complete, or its last
three bytes were about to go: the window is a few microseconds, not the server's round trip.
Nobody gets it twice, and nobody is skipped.

Who calls it: the server's scheduler thread (`make run`), `manage.py send_newsletter`, or a
queued task when TASKS_BACKEND=database. Several at once are safe: claims are conditional.
"""

import contextlib
import contextvars
import logging
import os
import re
import secrets
import smtplib
import socket
import time
from datetime import UTC, timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape

from wagtail.models import Page

import css_inline

from dearly.articles.models import PostPage
from dearly.core.mail import from_email, site_name

from . import services
from .models import Delivery, Mailing, Subscriber

logger = logging.getLogger(__name__)

BATCH = 50  # messages per SMTP connection
ADDRESS_CHUNK = 2000  # deliveries created per INSERT
BOUNCE_AFTER = 3  # permanent failures in a row before an address is marked bouncing
MAX_ATTEMPTS = 5  # temporary (4xx) failures before a delivery is given up
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
LINE_END = re.compile(rb"\r\n|\n|\r")
LEADING_DOT = re.compile(rb"(?m)^\.")


def lease():
    """How long a claim holds: longer than a batch takes at the slowest rate."""
    return timedelta(seconds=getattr(settings, "NEWSLETTER_CLAIM_SECONDS", 600))


def rate():
    """Messages per second at most (NEWSLETTER_RATE; 0 for no limit)."""
    return float(getattr(settings, "NEWSLETTER_RATE", 0) or 0)


def sender_name():
    return f"{socket.gethostname()[:20]}:{os.getpid()}:{secrets.token_hex(3)}"


# --- starting a mailing -------------------------------------------------------------------


def first_publication(page):
    """Wagtail sets both dates from one clock reading on a page's first publication only;
    an edit published again, a scheduled republication and an import leave them apart."""
    return page.first_published_at is not None and (
        page.first_published_at == page.last_published_at
    )


_QUIET = contextvars.ContextVar("newsletter_quiet", default=False)


@contextlib.contextmanager
def not_mailed():
    """Pages published inside are never emailed: seeding a site (load_demo) is not news."""
    token = _QUIET.set(True)
    try:
        yield
    finally:
        _QUIET.reset(token)


def start_mailing(page):
    """The mailing of a guide or letter just published for the first time, or None."""
    if _QUIET.get() or not isinstance(page, PostPage) or not page.email_subscribers:
        return None
    if not first_publication(page):
        return None
    mailing, created = Mailing.objects.get_or_create(page_id=page.pk)
    return mailing if created else None


# --- sending ------------------------------------------------------------------------------


def send_pending(deadline=None, owner=None):
    """Send every mailing not finished yet, until done or past `deadline` (a monotonic time).
    Returns how many messages were completed."""
    owner = owner or sender_name()
    sent = 0
    for mailing in Mailing.objects.filter(state__in=[Mailing.State.QUEUED, Mailing.State.SENDING]):
        sent += send_mailing(mailing, owner, deadline)
        if deadline is not None and time.monotonic() > deadline:
            break
    return sent


def send_mailing(mailing, owner, deadline=None):
    if mailing.is_digest:
        content = DigestContent(mailing)
    else:
        page = Page.objects.filter(pk=mailing.page_id).live().public().specific().first()
        if page is None:  # unpublished (or made private) before it went out
            Mailing.objects.filter(pk=mailing.pk).update(
                state=Mailing.State.CANCELLED, finished_at=timezone.now()
            )
            return 0
        content = PageContent(page)
    if not mailing.addressed:
        address(mailing, content.recipients())
    Mailing.objects.filter(pk=mailing.pk, state=Mailing.State.QUEUED).update(
        state=Mailing.State.SENDING
    )
    sent = 0
    while True:
        batch = claim(mailing, owner)
        if not batch:
            break
        sent += send_batch(content, batch, owner)
        if deadline is not None and time.monotonic() > deadline:
            return sent
    waiting = mailing.deliveries.filter(state__in=[Delivery.State.QUEUED, Delivery.State.CLAIMED])
    if not waiting.exists():
        Mailing.objects.filter(pk=mailing.pk).update(
            state=Mailing.State.DONE, finished_at=timezone.now()
        )
    return sent


def _on_topics(subscribers, topic_ids):
    """Those who chose no topics (everything) or one of `topic_ids`."""
    return subscribers.filter(Q(topics__isnull=True) | Q(topics__in=topic_ids)).distinct()


def address(mailing, recipients):
    """One queued delivery per recipient, in chunks; safe to run again after a kill."""
    ids = list(recipients.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), ADDRESS_CHUNK):
        chunk = ids[start : start + ADDRESS_CHUNK]
        Delivery.objects.bulk_create(
            [Delivery(mailing=mailing, subscriber_id=pk) for pk in chunk], ignore_conflicts=True
        )
    Mailing.objects.filter(pk=mailing.pk).update(addressed=True)
    mailing.addressed = True


class PageContent:
    """A guide or letter, to the subscribers who get each post on its topics."""

    def __init__(self, page):
        self.page = page
        self.rendered = {}
        self.context = {
            "page": page,
            "page_url": page.get_full_url(),
            "web_url": services.absolute("newsletter:web_version", page.pk),
        }

    def recipients(self):
        chosen = Subscriber.objects.active().filter(frequency=Subscriber.Frequency.EACH)
        return _on_topics(chosen, list(self.page.topics.values_list("pk", flat=True)))

    def for_subscriber(self, subscriber):
        """(subject, template name, context, what varies by subscriber) of their email."""
        return self.page.title, "page", self.context, None


class DigestContent:
    """The week's posts, to the digest subscribers: each gets those on their topics."""

    def __init__(self, mailing):
        self.mailing = mailing
        self.rendered = {}
        posts = PostPage.objects.published().filter(
            email_subscribers=True,
            first_published_at__gte=mailing.digest_from,
            first_published_at__lt=mailing.digest_until,
        )
        self.posts = list(posts.specific().order_by("first_published_at"))
        self.topics = {
            post.pk: set(post.topics.values_list("pk", flat=True)) for post in self.posts
        }
        self.urls = {post.pk: post.get_full_url() for post in self.posts}

    def recipients(self):
        if not self.posts:
            return Subscriber.objects.none()
        chosen = Subscriber.objects.active().filter(frequency=Subscriber.Frequency.WEEKLY)
        return _on_topics(chosen, set().union(*self.topics.values()))

    def for_subscriber(self, subscriber):
        wanted = {topic.pk for topic in subscriber.topics.all()}  # prefetched by claim()
        posts = [p for p in self.posts if not wanted or wanted & self.topics[p.pk]]
        subject = f"This week in {site_name()}: " + (
            posts[0].title if len(posts) == 1 else f"{len(posts)} new posts"
        )
        context = {"posts": [(post, self.urls[post.pk]) for post in posts], "web_url": self.web_url}
        return subject, "digest", context, tuple(post.pk for post in posts)

    @property
    def web_url(self):
        return services.absolute("newsletter:digest_web_version", week_of(self.mailing))


def week_of(digest):
    """The day a digest's week ended (UTC), as its web version's URL names it: 2026-12-07."""
    return digest.digest_until.astimezone(UTC).date().isoformat()


DIGEST_EVERY = timedelta(days=7)


def start_digest(now=None):
    """The weekly digest, once a week has passed since the last one ended (the first covers
    the week up to the last midnight, UTC). Returns it, or None."""
    now = now or timezone.now()
    last = Mailing.objects.filter(page__isnull=True).order_by("-digest_until").first()
    if last is None:
        until = now.replace(hour=0, minute=0, second=0, microsecond=0)
    else:
        until = last.digest_until + DIGEST_EVERY
        if now < until:
            return None
    # The unique end keeps one digest a week however many senders get here at once.
    mailing, created = Mailing.objects.get_or_create(
        digest_until=until, defaults={"digest_from": until - DIGEST_EVERY}
    )
    return mailing if created else None


def claim(mailing, owner, size=BATCH):
    """Claim up to `size` deliveries due now (queued, or claimed by a sender whose lease ran
    out), committed before anything is sent. Returns them, with their subscribers."""
    now = timezone.now()
    due = Q(state=Delivery.State.QUEUED) & (Q(retry_after__isnull=True) | Q(retry_after__lte=now))
    due |= Q(state=Delivery.State.CLAIMED, claimed_at__lt=now - lease())
    with transaction.atomic():
        ids = list(
            mailing.deliveries.filter(due).order_by("pk").values_list("pk", flat=True)[:size]
        )
        Delivery.objects.filter(due, pk__in=ids).update(
            state=Delivery.State.CLAIMED, claimed_by=owner, claimed_at=now
        )
    return list(
        Delivery.objects.filter(pk__in=ids, state=Delivery.State.CLAIMED, claimed_by=owner)
        .select_related("subscriber")
        .prefetch_related("subscriber__topics")
        .order_by("pk")
    )


def send_batch(content, batch, owner):
    smtp = settings.EMAIL_BACKEND == SMTP_BACKEND
    connection = None
    sent = 0
    gap = 1.0 / rate() if rate() else 0.0
    try:
        for delivery in batch:
            started = time.monotonic()
            if delivery.subscriber.state != Subscriber.State.ACTIVE or delivery.subscriber.paused:
                _finish(delivery, owner, Delivery.State.SKIPPED, "no longer subscribed")
                continue
            message = build(content, delivery)
            if smtp:
                if connection is None:
                    try:
                        connection = _open()
                    except (smtplib.SMTPException, OSError) as error:
                        # The mail server is away: this batch waits, claimed by nobody.
                        for waiting in batch[batch.index(delivery) :]:
                            _retry(waiting, f"could not reach the mail server: {error}")
                        return sent
                connection, done = _send_smtp(connection, message, delivery, owner)
            else:
                done = _send_django(message, delivery, owner)
            sent += done
            wait = gap - (time.monotonic() - started)
            if wait > 0:
                time.sleep(wait)
    finally:
        if connection is not None:
            try:
                connection.quit()
            except (smtplib.SMTPException, OSError):
                connection.close()
    return sent


def _open():
    timeout = getattr(settings, "EMAIL_TIMEOUT", None) or 30
    cls = smtplib.SMTP_SSL if getattr(settings, "EMAIL_USE_SSL", False) else smtplib.SMTP
    connection = cls(settings.EMAIL_HOST, settings.EMAIL_PORT, timeout=timeout)
    # The message and its final "." go as two writes: without this, Nagle's algorithm holds
    # the "." until the server's delayed ACK, 40 ms a message.
    connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    connection.ehlo()
    if getattr(settings, "EMAIL_USE_TLS", False):
        connection.starttls()
        connection.ehlo()
    if settings.EMAIL_HOST_USER:
        connection.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)
    return connection


def _mark_sent(delivery, owner):
    """Step 3: SENT, committed, only if the claim is still ours. One UPDATE in autocommit
    mode commits by itself: wrapped in atomic() it cost a BEGIN and a COMMIT more, three round
    trips a message on PostgreSQL instead of one."""
    return bool(
        Delivery.objects.filter(
            pk=delivery.pk, state=Delivery.State.CLAIMED, claimed_by=owner
        ).update(state=Delivery.State.SENT, sent_at=timezone.now(), attempts=delivery.attempts + 1)
    )


def _send_django(message, delivery, owner):
    """Another backend (files under var/outbox/, or the tests' memory): no final "." to hold
    back, so the delivery is marked first and put back if the backend fails."""
    if not _mark_sent(delivery, owner):
        return 0
    try:
        get_connection().send_messages([message])
    except Exception as error:  # any backend's failure: put it back
        _retry(delivery, str(error))
        return 0
    _delivered(delivery)
    return 1


def _send_smtp(connection, message, delivery, owner):
    """Steps 2 to 4 for one message. Returns (the connection to go on with, 1 if sent)."""
    data = message.message().as_bytes(linesep="\r\n")
    try:
        code, reply = connection.mail(message.from_email)
        if code != 250:  # refused for our sender address, not for this reader: not a bounce
            connection.rset()
            _retry(delivery, f"MAIL FROM: {code} {reply!r}")
            return connection, 0
        code, reply = connection.rcpt(delivery.subscriber.email)
        if code in (250, 251):
            connection.putcmd("data")
            code, reply = connection.getreply()
        if code != 354:
            connection.rset()
            _failed(delivery, code, reply)
            return connection, 0
        connection.send(_body_without_end(data))
        if not _mark_sent(delivery, owner):
            connection.close()  # no final ".": the server drops it; taken over meanwhile
            return None, 0
        connection.send(b".\r\n")
        code, reply = connection.getreply()
    except smtplib.SMTPServerDisconnected as error:
        _retry(delivery, f"the connection dropped: {error}")
        return None, 0
    except (smtplib.SMTPException, OSError) as error:
        _retry(delivery, str(error))
        connection.close()
        return None, 0
    if code == 250:
        _delivered(delivery)
        return connection, 1
    _failed(delivery, code, reply)
    return connection, 0


def _body_without_end(data):
    """The DATA payload as smtplib's data() sends it, without the final ".": CRLF line ends,
    and a "." doubled at the start of a line (RFC 5321, 4.5.2)."""
    data = LINE_END.sub(b"\r\n", data)
    data = LEADING_DOT.sub(b"..", data)
    return data if data.endswith(b"\r\n") else data + b"\r\n"


def _delivered(delivery):
    if delivery.subscriber.failures:
        Subscriber.objects.filter(pk=delivery.subscriber_id).update(failures=0)


def _finish(delivery, owner, state, error):
    Delivery.objects.filter(pk=delivery.pk, claimed_by=owner).update(state=state, error=error)


def _retry(delivery, error):
    """A temporary failure: queued again with a growing wait, or given up after MAX_ATTEMPTS.
    Also when step 3 was done but the final "." could not be sent."""
    attempts = delivery.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        state, retry_after = Delivery.State.FAILED, None
    else:
        state = Delivery.State.QUEUED
        retry_after = timezone.now() + timedelta(seconds=30 * 2**attempts)
    Delivery.objects.filter(pk=delivery.pk).update(
        state=state, attempts=attempts, retry_after=retry_after, error=error[:300], claimed_by=""
    )


def _failed(delivery, code, reply):
    text = f"{code} {reply.decode('utf-8', 'replace') if isinstance(reply, bytes) else reply}"
    if 400 <= code < 500 or (code == -1):
        _retry(delivery, text)
        return
    Delivery.objects.filter(pk=delivery.pk).update(
        state=Delivery.State.FAILED, attempts=delivery.attempts + 1, error=text[:300]
    )
    subscriber = delivery.subscriber
    failures = subscriber.failures + 1
    update = {"failures": failures}
    if failures >= BOUNCE_AFTER:
        update["state"] = Subscriber.State.BOUNCING
    Subscriber.objects.filter(pk=subscriber.pk).update(**update)


# --- the email ----------------------------------------------------------------------------


# Stand-ins for a subscriber's own links: each email is rendered and its CSS inlined once per
# mailing (and per choice of posts, for a digest), then these are replaced for each subscriber.
MANAGE_MARK = "https://newsletter.invalid/manage"
UNSUBSCRIBE_MARK = "https://newsletter.invalid/unsubscribe"


def _rendered(content, template, extra, variant):
    key = (template, variant)
    if key not in content.rendered:
        context = {
            "site_name": site_name(),
            "site_url": settings.SITE_URL,
            "unsubscribe_url": UNSUBSCRIBE_MARK,
            "manage_url": MANAGE_MARK,
            **extra,
        }
        text = render_to_string(f"newsletter/email/{template}.txt", context)
        html = css_inline.inline(render_to_string(f"newsletter/email/{template}.html", context))
        content.rendered[key] = (text, html)
    return content.rendered[key]


def build(content, delivery):
    subscriber = delivery.subscriber
    subject, template, extra, variant = content.for_subscriber(subscriber)
    text, html = _rendered(content, template, extra, variant)
    token = services.manage_token(subscriber)
    unsubscribe = services.absolute("newsletter:unsubscribe", token)
    for mark, url in (
        (MANAGE_MARK, services.absolute("newsletter:manage", token)),
        (UNSUBSCRIBE_MARK, unsubscribe),
    ):
        text, html = text.replace(mark, url), html.replace(mark, escape(url))
    domain = settings.SITE_URL.split("//", 1)[-1].split("/")[0].split(":")[0] or "localhost"
    headers = {
        "List-Unsubscribe": f"<{unsubscribe}>, <mailto:{_unsubscribe_mailbox()}?subject={token}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Message-ID": make_msgid(f"delivery-{delivery.pk}", domain=domain),
    }
    message = EmailMultiAlternatives(
        subject, text, from_email(), [subscriber.email], headers=headers
    )
    message.attach_alternative(html, "text/html")
    return message


def _unsubscribe_mailbox():
    return getattr(settings, "NEWSLETTER_UNSUBSCRIBE_MAILBOX", "") or (
        settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">").strip()
    )
