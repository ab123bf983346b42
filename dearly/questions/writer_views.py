"""The status page's actions after publication: sending an update (the ask form's checks,
consent and preview, sent once per preview) and asking for the letter to be taken down (a
confirmation step, as for withdrawal). Every change is POST + CSRF; the pages carry the token,
so they are private_page like the status page."""

from django.contrib import messages
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from allauth.core.ratelimit import consume

from . import services, writer
from .forms import UpdateForm
from .models import WriterUpdate, hash_token
from .views import (
    DOUBLE_SEND_WINDOW,
    _columnist,
    _question_or_404,
    _to_status,
    private_page,
    say_once,
)


def _refused(request, token, heading, message):
    context = {"token": token, "heading": heading, "message": message}
    return render(request, "questions/writer_refused.html", context, status=409)


def _update_form(request, data=None):
    return UpdateForm(data, columnist=_columnist(request))


def _show_update_form(request, token, question, form, submission, status=200):
    context = {"token": token, "question": question, "form": form, "submission": submission}
    return render(request, "questions/update.html", context, status=status)


def _show_update_preview(request, token, question, form, submission, status=200, error=""):
    context = {
        "token": token,
        "question": question,
        "update": form.cleaned_data,
        "submission": submission,
        "error": error,
    }
    return render(request, "questions/update_preview.html", context, status=status)


@private_page
@require_http_methods(["GET", "POST"])
def update(request, token):
    """GET: the empty form. POST: the preview, the form again with its errors, or (Edit) the
    form filled in from the preview. Refused (409) unless the letter is published."""
    question, not_found = _question_or_404(request, token)
    if not_found:
        return not_found
    refusal = writer.update_refusal(question)
    if refusal:
        return _refused(request, token, "You cannot send an update now", refusal)
    if request.method == "GET":
        return _show_update_form(request, token, question, _update_form(request), "")
    form = _update_form(request, request.POST)
    carried = request.POST.get("submission", "")
    known = services.submission_token(carried, writer.UPDATE_SALT)
    submission = carried if known else services.new_submission(writer.UPDATE_SALT)
    if "edit" in request.POST:
        return _show_update_form(request, token, question, form, submission)
    if not form.is_valid():
        return _show_update_form(request, token, question, form, submission, status=400)
    return _show_update_preview(request, token, question, form, submission)


@private_page
@require_POST
def send_update(request, token):
    """Store the update from the preview (once), then 303 to the status page."""
    question, not_found = _question_or_404(request, token)
    if not_found:
        return not_found
    form = _update_form(request, request.POST)
    submitted = services.submission_token(request.POST.get("submission"), writer.UPDATE_SALT)
    if not form.is_valid():
        submission = request.POST["submission"] if submitted else ""
        submission = submission or services.new_submission(writer.UPDATE_SALT)
        return _show_update_form(request, token, question, form, submission, status=400)
    if submitted is None:
        return _show_update_preview(
            request,
            token,
            question,
            form,
            services.new_submission(writer.UPDATE_SALT),
            status=400,
            error="This preview has expired. Please read your update again and send it.",
        )
    sent = WriterUpdate.objects.filter(submission_hash=hash_token(submitted)).first()
    if sent is not None:
        if timezone.now() - sent.created_at < DOUBLE_SEND_WINDOW:
            _thank_for_update(request)  # a double click: the same answer as the first
        else:
            messages.info(request, "You have already sent this update.")
        return _to_status(token)
    refusal = writer.update_refusal(question)
    if refusal:
        return _refused(request, token, "Your update was not sent", refusal)
    if not consume(request, action="send_update", key=str(question.pk)):
        return _show_update_preview(
            request,
            token,
            question,
            form,
            request.POST["submission"],
            status=429,
            error="Your update has not been sent: many have come from your network or for this "
            "letter recently. Please wait a few minutes, then press Send again.",
        )
    try:
        writer.store_update(
            question,
            submitted,
            text=form.cleaned_data["update"],
            ip_address=services.client_ip(request),
            consent_text=form.consent_text,
        )
    except writer.Refused as refused:  # taken down between the check and now
        return _refused(request, token, "Your update was not sent", refused.message)
    _thank_for_update(request)
    return _to_status(token)


def _thank_for_update(request):
    say_once(
        request,
        f"Thank you. Your update is on its way to {_columnist(request)}. This page will show "
        "when it is published.",
    )


@private_page
@require_http_methods(["GET", "POST"])
def takedown(request, token):
    """GET (the status page links here) or a POST without "confirm": are you sure?
    POST with "confirm": record the request, then 303 to the status page."""
    question, not_found = _question_or_404(request, token)
    if not_found:
        return not_found
    refusal = writer.takedown_refusal(question)
    if refusal:
        return _refused(request, token, "There is nothing to take down", refusal)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            request_made = writer.request_takedown(question)
        except writer.Refused as refused:  # a second click that waited for the first
            return _refused(request, token, "There is nothing to take down", refused.message)
        due = timezone.localtime(request_made.due_at)
        messages.success(
            request,
            f"Your request is recorded. Your letter will be taken off the site by "
            f"{due:%-d %B %Y, %H:%M} at the latest.",
        )
        return _to_status(token)
    context = {"question": question, "token": token, "takedown_days": writer.takedown_days()}
    return render(request, "questions/takedown.html", context)
