"""Asking Dr. Mimi: the form, the preview, sending, similar letters (JSON) and the status page.

Every change is POST + CSRF. The status pages carry the writer's token in their URL, so they
are never cached, never indexed, and the links on them never send the path as Referer.
"""

import datetime
import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wagtail.models import Site

from allauth.core.internal import ratelimit
from allauth.core.ratelimit import consume

from dearly.core.models import ColumnSettings

from . import claims, services, writer
from .forms import AskForm
from .models import QUESTION_MAX, LetterClaim, Question

# A second send of the same preview within this time is a double click, not a resubmission.
DOUBLE_SEND_WINDOW = datetime.timedelta(minutes=5)


def _columnist(request):
    site = Site.find_for_request(request)
    column = ColumnSettings.for_site(site) if site else ColumnSettings()
    return column.columnist_name or "Dr. Mimi"


def _form(request, data=None, **kwargs):
    return AskForm(data, columnist=_columnist(request), **kwargs)


def _show_form(request, form, submission, status=200):
    context = {"form": form, "submission": submission}
    return render(request, "questions/ask.html", context, status=status)


def _show_preview(request, form, submission, status=200, error=""):
    context = {
        "form": form,
        "letter": form.cleaned_data,
        "submission": submission,
        "similar": services.similar_letters(form.cleaned_data["question"], request),
        "error": error,
    }
    response = render(request, "questions/preview.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def ask(request):
    """GET: the empty form. POST: the preview, the form again with its errors, or (Edit) the
    form filled in from the preview."""
    if request.method == "GET":
        initial = {"email": request.user.email} if request.user.is_authenticated else {}
        return _show_form(request, _form(request, initial=initial), "")
    form = _form(request, request.POST)
    carried = request.POST.get("submission", "")
    submission = carried if services.submission_token(carried) else services.new_submission()
    if "edit" in request.POST:
        return _show_form(request, form, submission)
    if not form.is_valid():
        return _show_form(request, form, submission, status=400)
    return _show_preview(request, form, submission)


@require_POST
def send(request):
    """Store the letter from the preview (once), then 303 to its status page."""
    form = _form(request, request.POST)
    token = services.submission_token(request.POST.get("submission"))
    if not form.is_valid():
        submission = request.POST["submission"] if token else services.new_submission()
        return _show_form(request, form, submission, status=400)
    if token is None:
        return _show_preview(
            request,
            form,
            services.new_submission(),
            status=400,
            error="This preview has expired. Please read your letter again and send it.",
        )
    sent = Question.objects.by_token(token).first()
    if sent is not None:
        if timezone.now() - sent.created_at < DOUBLE_SEND_WINDOW:
            # A double click or a retried request: the browser shows whichever answer comes
            # last, so this one thanks the writer exactly as the first did.
            _thank_once(request, sent.email)
        else:
            messages.info(request, "You have already sent this letter. This is its status page.")
        return _to_status(token)
    if not consume(request, action="ask_question"):
        return _show_preview(
            request,
            form,
            request.POST["submission"],
            status=429,
            error="Your letter has not been sent: many letters have come from your network in "
            "the last few minutes. Please wait a few minutes, then press Send again.",
        )
    data = form.cleaned_data
    services.store_question(
        token,
        text=data["question"],
        pen_name=data["pen_name"],
        email=data["email"],
        ip_address=services.client_ip(request),
        user=request.user,
        consent_text=form.consent_text,
    )
    # Also when a simultaneous request stored it first: both answers thank the writer.
    _thank_once(request, data["email"])
    return _to_status(token)


def _thank_once(request, email):
    note = f"Thank you. Your letter is on its way to {_columnist(request)}."
    if email:
        note += " We have emailed you the link to this page."
    say_once(request, note)


def say_once(request, note):
    """A success message, unless the same one already waits (a double click's second answer)."""
    pending = messages.get_messages(request)
    already = any(message.message == note for message in pending)
    pending.used = False  # looking must not discard them (Django's documented way)
    if not already:
        messages.success(request, note)


def _to_status(token):
    return HttpResponseRedirect(reverse("questions:status", args=[token]), status=303)


@require_GET
def similar(request):
    """JSON: up to five published letters whose question is closest to ?q=."""
    query = request.GET.get("q", "")
    if len(query) > QUESTION_MAX:
        error = f"The question is too long: send at most {QUESTION_MAX:,} characters."
        return JsonResponse({"error": error}, status=400)
    if not query.strip():
        return JsonResponse({"error": "Send the question's text as ?q=."}, status=400)
    # allauth's public consume() never counts GETs; its implementation does when asked.
    if not ratelimit.consume(request, app="allauth.account", action="ask_similar", limit_get=True):
        error = "Too many lookups from your network: wait a minute, then try again."
        return JsonResponse({"error": error}, status=429)
    response = JsonResponse({"results": services.similar_letters(query, request)})
    response["X-Robots-Tag"] = "noindex"
    return response


# Never the path, so never the token, in any Referer. Not "no-referrer": under it Chromium
# sends `Origin: null` with a form's POST and Django's CSRF check refuses it, which broke the
# withdrawal and the header's "Log out" on these pages (found by the browser tests).
# https://fetch.spec.whatwg.org/#append-a-request-origin-header
PRIVATE_REFERRER_POLICY = "strict-origin"


def private_page(view):
    """Pages whose URL holds the token: not cached, not indexed, no token in any Referer."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = never_cache(view)(request, *args, **kwargs)
        response["Referrer-Policy"] = PRIVATE_REFERRER_POLICY
        response["X-Robots-Tag"] = "noindex"
        return response

    return wrapped


def _question_or_404(request, token):
    question = Question.objects.by_token(token).select_related("letter").first()
    if question is None:
        return None, render(request, "questions/status_not_found.html", status=404)
    return question, None


@private_page
@require_GET
def status(request, token):
    question, not_found = _question_or_404(request, token)
    if not_found:
        return not_found
    stage = services.status_stage(question)
    context = {
        "question": question,
        "token": token,
        "stage": stage,
        "steps": services.status_steps(question, stage),
        "letter": services.published_letter(question),
        "can_withdraw": services.can_withdraw(question),
        "status_url": settings.SITE_URL + request.path,  # the public address, not the Host header
    }
    context.update(writer.status_context(question))  # updates and take-down (writer.py)
    return render(request, "questions/status.html", context)


@private_page
@require_http_methods(["GET", "POST"])
def withdraw(request, token):
    """GET (the status page links here) or a POST without "confirm": are you sure?
    POST with "confirm": delete it."""
    question, not_found = _question_or_404(request, token)
    if not_found:
        return not_found
    if not services.can_withdraw(question):
        context = {"question": question, "token": token}
        return render(request, "questions/withdraw_refused.html", context, status=409)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        services.withdraw(question)
        return render(request, "questions/withdrawn.html")
    return render(request, "questions/withdraw.html", {"question": question, "token": token})


# Claiming the letter for a reader account (the "Letter writer" badge, claims.py)


@private_page
@require_http_methods(["GET", "POST"])
def claim(request, token):
    """GET: what claiming means, and a button (or, logged out, the way to log in or sign up
    and come back here). POST with "confirm": claim the letter for the reader logged in."""
    question, not_found = _question_or_404(request, token)
    if not_found:
        return not_found
    state = claims.claim_state(question, request.user)
    letter = services.published_letter(question)
    context = {"question": question, "token": token, "state": state, "letter": letter}
    status = claims.State.STATUS.get(state, 200)
    if status != 200 or request.method == "GET" or state == claims.State.YOURS:
        return render(request, "questions/claim.html", context, status=status)
    if state == claims.State.LOG_IN:
        # A POST from a reader not logged in says nothing about who is claiming.
        return render(request, "questions/claim.html", context, status=403)
    if request.POST.get("confirm") != "yes":
        return render(request, "questions/claim.html", context, status=400)
    try:
        claims.claim_letter(question, request.user)
    except claims.ClaimRefused as refused:
        context["state"] = refused.state
        return render(request, "questions/claim.html", context, status=refused.status)
    messages.success(
        request,
        "Your letter is claimed. Your comments on it and on its updates now show “Letter writer”.",
    )
    return HttpResponseRedirect(f"{letter.url}#respond", status=303)


@login_required
@require_POST
def drop_claim(request, claim_id):
    """From the reader's profile page: their comments stop showing "Letter writer"."""
    claim = LetterClaim.objects.filter(pk=claim_id, user=request.user).first()
    if claim is None:
        return render(request, "questions/claim_not_found.html", status=404)
    claims.drop_claim(claim)
    messages.success(
        request, "The claim was dropped. Your comments no longer show “Letter writer”."
    )
    return HttpResponseRedirect(reverse("accounts:profile"), status=303)
