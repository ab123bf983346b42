"""Posting, editing, deleting and reporting comments; every change is POST + CSRF."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from wagtail.models import Page

from allauth.core.ratelimit import consume

from dearly.core.ids import parse_id
from dearly.core.security import client_ip

from .forms import CommentForm, EditCommentForm
from .models import Comment, CommentReport
from .services import (
    CommentRefused,
    commentable,
    delete_own_comment,
    edit_comment,
    ensure_can_change,
    post_comment,
)
from .tasks import UNSUBSCRIBE_SALT


def _public_page(page_id):
    """A live page any reader may see, or 404: nothing can be posted to drafts."""
    page = Page.objects.live().public().filter(pk=page_id).first() if parse_id(page_id) else None
    if page is None:
        raise Http404("No such page.")
    return page.specific


def _refusal(request, message, status):
    return render(request, "comments/refused.html", {"message": message}, status=status)


def _client_ip(request):
    address = client_ip(request)  # REMOTE_ADDR, or what our proxies wrote (TRUSTED_PROXY_COUNT)
    return str(address) if address else None


def _too_many(request, action):
    return not consume(request, action=action, user=request.user)


def _show_page_with_form(request, page, form, status):
    """The page itself again, with the reader's text and the errors next to the form."""
    request.comment_form = form
    response = page.serve(request)
    response.status_code = status
    return response


@require_POST
def post(request, page_id):
    page = _public_page(page_id)
    try:
        page = commentable(page)
    except CommentRefused as refused:
        return _refusal(request, refused.message, refused.status)
    if not request.user.is_authenticated:
        return _refusal(request, "You must be logged in to post a comment.", 403)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _show_page_with_form(request, page, form, 400)
    if _too_many(request, "comment"):
        return _refusal(request, "You are commenting very quickly. Please wait a minute.", 429)
    try:
        comment, _ = post_comment(
            page=page,
            author=request.user,
            body=form.cleaned_data["body"],
            parent_id=form.cleaned_data["parent"],
            ip_address=_client_ip(request),
        )
    except CommentRefused as refused:
        if refused.status == 400:
            form.add_error(None, refused.message)
            return _show_page_with_form(request, page, form, 400)
        return _refusal(request, refused.message, refused.status)
    if comment.is_pending:
        messages.info(request, "Thank you. Your comment is awaiting moderation.")
    return HttpResponseRedirect(f"{page.url}#{comment.anchor}", status=303)


def _comment_or_404(comment_id):
    if not parse_id(comment_id):
        raise Http404("No such comment.")
    return get_object_or_404(Comment.objects.select_related("page"), pk=comment_id)


def _own_comment(request, comment_id):
    comment = _comment_or_404(comment_id)
    if not request.user.is_authenticated:
        raise Http404("No such comment.")
    return comment


@require_http_methods(["GET", "POST"])
def edit(request, comment_id):
    comment = _own_comment(request, comment_id)
    try:
        ensure_can_change(comment, request.user, "edited")
    except CommentRefused as refused:
        return _refusal(request, refused.message, refused.status)
    form = EditCommentForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        was_pending = comment.is_pending
        try:
            edit_comment(comment, request.user, form.cleaned_data["body"])
        except CommentRefused as refused:
            return _refusal(request, refused.message, refused.status)
        if comment.is_pending and not was_pending:
            messages.info(request, "Thank you. Your edited comment is awaiting moderation.")
        else:
            messages.success(request, "Your comment was saved.")
        return HttpResponseRedirect(f"{comment.page.url}#{comment.anchor}", status=303)
    status = 400 if request.method == "POST" else 200
    return render(request, "comments/edit.html", {"form": form, "comment": comment}, status=status)


@require_http_methods(["GET", "POST"])
def delete(request, comment_id):
    comment = _own_comment(request, comment_id)
    page_url = comment.page.url
    try:
        ensure_can_change(comment, request.user, "deleted")
    except CommentRefused as refused:
        return _refusal(request, refused.message, refused.status)
    if request.method == "GET":
        return render(request, "comments/delete.html", {"comment": comment})
    delete_own_comment(comment, request.user)
    messages.info(request, "Your comment was deleted.")
    return HttpResponseRedirect(f"{page_url}#respond", status=303)


@require_POST
def report(request, comment_id):
    comment = _comment_or_404(comment_id)
    if not request.user.is_authenticated:
        return _refusal(request, "You must be logged in to report a comment.", 403)
    if comment.status != Comment.Status.APPROVED:
        raise Http404("No such comment.")
    if _too_many(request, "report_comment"):
        return _refusal(request, "You have sent many reports. Please try again later.", 429)
    reason = (request.POST.get("reason") or "").replace("\x00", "")[:300]
    try:
        with transaction.atomic():
            CommentReport.objects.create(comment=comment, reporter=request.user, reason=reason)
    except IntegrityError:
        messages.info(request, "You have already reported this comment. Thank you.")
    else:
        messages.info(request, "Thank you. A moderator will look at this comment.")
    return HttpResponseRedirect(f"{comment.page.url}#{comment.anchor}", status=303)


# The signed token is the credential, and mail clients' one-click POST (RFC 8058) carries no
# CSRF token: https://datatracker.ietf.org/doc/html/rfc8058
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """One click from an email: GET asks, POST (also a mail client's one-click) does it."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user = get_user_model().objects.get(pk=data["u"])
    except (signing.BadSignature, KeyError, TypeError, get_user_model().DoesNotExist):
        return _refusal(request, "This unsubscribe link is not valid.", 400)
    if request.method == "POST":
        user.notify_replies = False
        user.save(update_fields=["notify_replies"])
        return render(request, "comments/unsubscribed.html", {"done": True})
    return render(request, "comments/unsubscribed.html", {"done": False, "token": token})
