"""Following the column by email: /subscribe/, and the pages its emails link to."""

import base64
import datetime
import hashlib
import hmac
import json

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from wagtail.models import Page

from allauth.core.ratelimit import consume
from csp.decorators import csp_update

from dearly.core.ids import parse_id
from dearly.core.mail import site_name

from . import services
from .forms import ManageForm, SubscribeForm
from .models import Mailing, Subscriber
from .sending import DigestContent

LINK_PROBLEMS = {
    "expired": "This confirmation link has expired. Please subscribe again for a new one.",
    "superseded": "A newer confirmation email was sent: please use the link in that one.",
    "invalid": "This link is not valid. It may have been copied incompletely, or the address "
    "has since been removed or unsubscribed.",
}


def _link_problem(request, problem, status=400):
    context = {"message": LINK_PROBLEMS[problem], "problem": problem}
    return render(request, "newsletter/link_problem.html", context, status=status)


@require_http_methods(["GET", "POST"])
def subscribe(request):
    user = request.user if request.user.is_authenticated else None
    if request.method == "GET":
        # The footer's box sends the address here by GET (cached pages carry no CSRF token).
        typed = request.GET.get("email", "").replace("\x00", "").strip()[:254]
        form = SubscribeForm(initial={"email": typed or (user.email if user else "")})
        return render(request, "newsletter/subscribe.html", {"form": form})
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return render(request, "newsletter/subscribe.html", {"form": form}, status=400)
    if form.cleaned_data["website"]:  # the honeypot: the same answer, nothing done
        return HttpResponseRedirect(reverse("newsletter:sent"), status=303)
    if not consume(request, action="subscribe"):
        form.add_error(None, "Many requests have come from your network: please try again later.")
        return render(request, "newsletter/subscribe.html", {"form": form}, status=429)
    subscriber = services.subscribe(
        form.cleaned_data["email"],
        form.cleaned_data["frequency"],
        form.cleaned_data["topics"],
        user=user,
    )
    if user is not None and subscriber.user_id == user.pk and subscriber.state == "active":
        messages.success(request, "You are subscribed. The next letter comes to your inbox.")
        return HttpResponseRedirect(
            reverse("newsletter:manage", args=[services.manage_token(subscriber)]), status=303
        )
    return HttpResponseRedirect(reverse("newsletter:sent"), status=303)


def sent(request):
    return render(request, "newsletter/sent.html")


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """GET shows a button (mail scanners fetch links), POST confirms."""
    subscriber, problem = services.subscriber_to_confirm(token)
    if subscriber is None:
        return _link_problem(request, problem, status=410 if problem == "expired" else 400)
    manage_url = reverse("newsletter:manage", args=[services.manage_token(subscriber)])
    if problem == "done":
        return render(request, "newsletter/confirmed.html", {"manage_url": manage_url})
    if request.method == "POST":
        services.confirm(subscriber)
        return render(request, "newsletter/confirmed.html", {"manage_url": manage_url})
    return render(request, "newsletter/confirm.html", {"subscriber": subscriber, "token": token})


@require_http_methods(["GET", "POST"])
def manage(request, token):
    subscriber = services.subscriber_from_link(token)
    if subscriber is None:
        return _link_problem(request, "invalid")
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action == "delete":
            subscriber.delete()
            return render(request, "newsletter/deleted.html")
        if action == "unsubscribe":
            services.unsubscribe(subscriber)
            return render(request, "newsletter/unsubscribed.html", {"token": token})
        if action == "resubscribe" and subscriber.state == Subscriber.State.UNSUBSCRIBED:
            services.confirm(subscriber)
            messages.success(request, "Welcome back: you are subscribed again.")
            return HttpResponseRedirect(request.path, status=303)
        form = ManageForm(request.POST)
        if form.is_valid():
            subscriber.frequency = form.cleaned_data["frequency"]
            subscriber.paused = form.cleaned_data["paused"]
            subscriber.save(update_fields=["frequency", "paused"])
            subscriber.topics.set(form.cleaned_data["topics"])
            messages.success(request, "Your choices are saved.")
            return HttpResponseRedirect(request.path, status=303)
        status = 400
    else:
        initial = {
            "frequency": subscriber.frequency,
            "topics": list(subscriber.topics.all()),
            "paused": subscriber.paused,
        }
        form, status = ManageForm(initial=initial), 200
    context = {"form": form, "subscriber": subscriber, "token": token}
    return render(request, "newsletter/manage.html", context, status=status)


# The signed token is the credential, and mail clients' one-click POST (RFC 8058) carries no
# CSRF token: https://datatracker.ietf.org/doc/html/rfc8058
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """One click from an email: GET asks, POST (also a mail client's one-click) does it."""
    subscriber = services.subscriber_from_link(token)
    if subscriber is None:
        return _link_problem(request, "invalid")
    if request.method == "POST":
        services.unsubscribe(subscriber)
        return render(request, "newsletter/unsubscribed.html", {"token": token})
    return render(request, "newsletter/unsubscribe.html", {"token": token})


# The email as it was sent: styled inline, as mail clients need. Only styles are relaxed; it
# has no scripts.
@csp_update({"style-src": ["'unsafe-inline'"]})
def web_version(request, page_id):
    """The email a page went out as, for readers whose mail client shows it badly; without
    anyone's personal links."""
    page_id = parse_id(page_id)  # a path's digits may be more than any row id
    if page_id is None or not Mailing.objects.filter(page_id=page_id).exists():
        raise Http404("No email went out for this page.")
    page = Page.objects.live().public().filter(pk=page_id).specific().first()
    if page is None:
        raise Http404("This page is not published.")
    context = {"page": page, "page_url": page.get_full_url(request)}
    return _as_sent(request, "page", context)


def _as_sent(request, template, context):
    """An email's web version: the reader's own links become the subscribe page's."""
    subscribe_url = request.build_absolute_uri(reverse("newsletter:subscribe"))
    context.update(
        site_name=site_name(request),
        site_url=settings.SITE_URL,
        manage_url=subscribe_url,
        unsubscribe_url=subscribe_url,
    )
    response = render(request, f"newsletter/email/{template}.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


@csp_update({"style-src": ["'unsafe-inline'"]})
def digest_web_version(request, week):
    """A weekly digest as it was sent, for the week that ended on `week` (2026-12-07, as the
    email's "View in your browser" link names it): every post of that week that is still
    published. A reader who chose topics got only those; this is the whole digest."""
    try:
        ended = datetime.datetime.strptime(week, "%Y-%m-%d").replace(tzinfo=datetime.UTC)
        until = ended + datetime.timedelta(days=1)
    except (ValueError, OverflowError):  # not a date, or the last day there is
        raise Http404("No digest went out that week.") from None
    digest = Mailing.objects.filter(
        page__isnull=True, digest_until__gte=ended, digest_until__lt=until
    ).first()
    posts = DigestContent(digest).posts if digest else []
    if not posts:
        raise Http404("No digest went out that week.")
    context = {"posts": [(post, post.get_full_url(request)) for post in posts]}
    return _as_sent(request, "digest", context)


WEBHOOK_MAX_BYTES = 64 * 1024
# What a mail provider's notice says, in its own words, and what it makes of the address.
BOUNCES = {"bounce", "hardbounce", "permanent"}
COMPLAINTS = {"complaint", "spamcomplaint"}


# A mail provider posts here: no browser, no CSRF token; the shared secret is the credential.
@csrf_exempt
@require_POST
def webhook(request):
    """Bounce and complaint notices: a permanent bounce marks the address bouncing, a complaint
    unsubscribes it. Signed with NEWSLETTER_WEBHOOK_SECRET, either as an HMAC-SHA256 of the body
    in `X-Dearly-Signature: sha256=<hex>`, or as the password of HTTP basic auth (what Postmark
    and others put in the webhook's URL). docs/newsletter.md shows both."""
    secret = settings.NEWSLETTER_WEBHOOK_SECRET
    if not secret:
        raise Http404("No webhook is set up.")
    if int(request.headers.get("Content-Length") or 0) > WEBHOOK_MAX_BYTES:
        return JsonResponse({"error": "too large"}, status=413)
    body = request.body
    if not _signed(request, body, secret):
        return JsonResponse({"error": "bad signature"}, status=403)
    try:
        notices = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        return JsonResponse({"error": "the body is not JSON"}, status=400)
    notices = notices if isinstance(notices, list) else [notices]
    done = 0
    for notice in notices[:1000]:
        if not isinstance(notice, dict):
            return JsonResponse({"error": "each notice is a JSON object"}, status=400)
        email = str(notice.get("email") or notice.get("Email") or "")[:254]
        kind = str(notice.get("type") or notice.get("RecordType") or "").lower()
        if kind == "bounce" and str(notice.get("Type") or "").lower() not in ("", "hardbounce"):
            continue  # Postmark's soft bounces and the like: a later send tries again
        if email and (kind in BOUNCES or kind in COMPLAINTS):
            done += services.notice(email, complaint=kind in COMPLAINTS)
    return JsonResponse({"applied": done})


def _signed(request, body, secret):
    given = request.headers.get("X-Dearly-Signature", "")
    if given.startswith("sha256="):
        expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(given.removeprefix("sha256="), expected)
    auth = request.headers.get("Authorization", "")
    if auth.startswith("Basic "):
        try:
            _, _, password = base64.b64decode(auth[6:], validate=True).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return hmac.compare_digest(password.encode(), secret.encode())
    return False
