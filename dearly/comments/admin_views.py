"""The moderation queue in Wagtail's admin: filter; approve, reject or mark spam one comment in
one click or several at once; delete; ban a reader after a confirmation; hold every new comment
on a thread (and see the threads piling on a letter writer, hints.py).

Every view needs `comments.can_moderate`; every change is a POST with CSRF. Input no page of
ours sends (an unknown action, an id that is not there) gets a 4xx page saying what was wrong.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django.views.generic import TemplateView

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Page, Site

from dearly.core.ids import parse_id

from .hints import pile_ons
from .models import Comment, CommentReport, CommentSettings, HeldThread
from .services import CommentRefused, hold_thread, moderate

PERMISSION = "comments.can_moderate"
FILTERS = {
    "pending": ("Awaiting moderation", lambda qs: qs.awaiting_moderation()),
    "reported": ("Reported", lambda qs: qs.reported()),
    "approved": ("Approved", lambda qs: qs.approved()),
    "spam": ("Spam", lambda qs: qs.filter(status=Comment.Status.SPAM)),
    "rejected": ("Rejected", lambda qs: qs.filter(status=Comment.Status.REJECTED)),
    "all": ("All", lambda qs: qs),
}
ACTIONS = {"approve": "Approve", "reject": "Reject", "spam": "Mark as spam", "delete": "Delete"}
# One click on a comment's own row: (action, button label, what the message says was done).
ROW_ACTIONS = {
    "approve": ("Approve", "Approved"),
    "spam": ("Spam", "Marked as spam"),
    "reject": ("Reject", "Rejected"),
}
STATUS_OF_ACTION = {
    "approve": Comment.Status.APPROVED,
    "spam": Comment.Status.SPAM,
    "reject": Comment.Status.REJECTED,
}


def require_moderator(user):
    if not user.has_perm(PERMISSION):
        raise PermissionDenied


class QueueView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "comments/admin/queue.html"
    page_title = "Comments"
    header_icon = "comment"

    def dispatch(self, request, *args, **kwargs):
        require_moderator(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": "Comments"}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        state = self.request.GET.get("state", "pending")
        if state not in FILTERS:
            state = "pending"
        comments = FILTERS[state][1](Comment.objects.all())
        page_id = self.request.GET.get("page_id", "")
        if page_pk := parse_id(page_id):
            comments = comments.filter(page_id=page_pk)
        author = self.request.GET.get("author", "").replace("\x00", "").strip()[:150]
        if author:
            comments = comments.filter(author__username=author) | comments.filter(
                author__display_name__iexact=author
            )
        comments = (
            comments.select_related("author", "page", "parent", "parent__author")
            .annotate(report_count=Count("reports"))
            .with_author_role()
            .order_by("-created_at", "-pk")
        )
        listing = Paginator(comments, 50).get_page(self.request.GET.get("p"))
        listing.object_list = list(listing.object_list)
        threads = thread_hints(self.request)
        for comment in listing.object_list:
            comment.row_actions = row_actions(comment)
            comment.pile_on = threads["pile_ons"].get(comment.page_id)
            comment.thread_held = comment.page_id in threads["held_ids"]
        context.update(
            {
                **threads,
                "filtered_page": page_pk and Page.objects.filter(pk=page_pk).first(),
                "listing": listing,
                "state": state,
                "filters": [(key, label) for key, (label, _) in FILTERS.items()],
                "actions": ACTIONS.items(),
                "page_id": page_id,
                "author": author,
                "counts": {
                    "pending": Comment.objects.awaiting_moderation().count(),
                    "reported": Comment.objects.reported().count(),
                },
            }
        )
        return context


def thread_hints(request):
    """What the queue says about whole threads: those piling on a letter writer now, with
    their pages, and those holding every new comment (three queries, whatever is listed)."""
    site = Site.find_for_request(request)
    threshold = (CommentSettings.for_site(site) if site else CommentSettings()).pile_on_replies
    found = pile_ons(threshold)
    pages = Page.objects.in_bulk(found)
    held = list(HeldThread.objects.select_related("page").order_by("-since"))
    held_ids = {thread.page_id for thread in held}
    return {
        "pile_ons": found,
        "pile_on_threads": [
            (pages[pk], pile_on, pk in held_ids) for pk, pile_on in found.items() if pk in pages
        ],
        "held_threads": held,
        "held_ids": held_ids,
    }


def row_actions(comment):
    """[(action, label)]: the one-click buttons a comment's row offers, those that change it."""
    if comment.status == Comment.Status.REMOVED:
        return []  # its author deleted it, or a moderator did; only its replies remain
    return [
        (action, label)
        for action, (label, _) in ROW_ACTIONS.items()
        if STATUS_OF_ACTION[action] != comment.status
    ]


def _next_url(request, data):
    target = data.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = reverse("comment_moderation:index")
    return target


def _back(request):
    return HttpResponseRedirect(_next_url(request, request.POST), status=303)


def _page(title, **context):
    """What wagtailadmin/generic/base.html needs for a page under Comments (its slim header
    shows the last breadcrumb as the page's heading)."""
    return {
        "page_title": title,
        "header_title": title,
        "header_icon": "comment",
        "breadcrumbs_items": [
            {"url": reverse("wagtailadmin_home"), "label": "Home"},
            {"url": reverse("comment_moderation:index"), "label": "Comments"},
            {"url": "", "label": title},
        ],
        **context,
    }


def refused(request, message, status):
    """A page in the admin saying why nothing was done, with the status the refusal deserves."""
    context = _page(
        "Nothing was changed",
        message=message,
        back_url=reverse("comment_moderation:index"),
    )
    return TemplateResponse(request, "comments/admin/refused.html", context, status=status)


@require_POST
def moderate_one(request, comment_id):
    """Approve, mark as spam or reject one comment: the buttons on its row."""
    require_moderator(request.user)
    action = request.POST.get("action", "")
    if action not in ROW_ACTIONS:
        choices = ", ".join(ROW_ACTIONS)
        return refused(request, f"Unknown moderation action “{action[:40]}”: use {choices}.", 400)
    with transaction.atomic():
        comment = (
            Comment.objects.select_for_update(of=("self",))
            .select_related("author")
            .filter(pk=comment_id)
        ).first()
        if comment is None:
            return refused(request, f"There is no comment {comment_id}: it may be deleted.", 404)
        if comment.status == Comment.Status.REMOVED:
            return refused(request, f"Comment {comment_id} was removed; it cannot change.", 409)
        moderate([comment], action)
        CommentReport.objects.filter(comment=comment).delete()  # reviewed now
    done = ROW_ACTIONS[action][1]
    messages.success(request, f"{done}: the comment by {comment.display_name}.")
    return _back(request)


@require_POST
def bulk_action(request):
    require_moderator(request.user)
    action = request.POST.get("action", "")
    ids = [pk for pk in map(parse_id, request.POST.getlist("ids")) if pk]
    if action not in ACTIONS:
        messages.error(request, "Choose an action.")
        return _back(request)
    if not ids:
        messages.error(request, "Select at least one comment.")
        return _back(request)
    with transaction.atomic():
        try:
            changed = moderate(Comment.objects.filter(pk__in=ids), action)
        except CommentRefused as refused:
            messages.error(request, refused.message)
            return _back(request)
        CommentReport.objects.filter(comment_id__in=ids).delete()  # reviewed now
    messages.success(request, f"{ACTIONS[action]}: {changed} comment{'s' if changed != 1 else ''}.")
    return _back(request)


@require_http_methods(["GET", "POST"])
def ban(request, user_id):
    """GET: what banning this reader means, and a button to do it. POST: ban (ban=1, the
    default) or allow comments again (ban=0)."""
    require_moderator(request.user)
    person = get_user_model().objects.filter(pk=user_id).first()
    if person is None:
        return refused(request, f"There is no account {user_id}: it may be deleted.", 404)
    if person.is_staff:
        return refused(request, "Staff accounts cannot be banned from commenting here.", 403)
    if request.method == "GET":
        return ban_confirmation(request, person)
    banning = request.POST.get("ban", "1")
    if banning not in ("0", "1"):
        return refused(request, "Say ban=1 to ban the reader or ban=0 to allow them again.", 400)
    person.banned_from_commenting = banning == "1"
    person.save(update_fields=["banned_from_commenting"])
    verb = "may no longer comment" if person.banned_from_commenting else "may comment again"
    messages.success(request, f"{person.public_name} {verb}.")
    return _back(request)


def ban_confirmation(request, person):
    counts = dict(
        Comment.objects.filter(author=person)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    context = _page(
        "Ban a reader",  # short: the slim header does not wrap on a phone
        person=person,
        counts=[(label, counts[s]) for s, label in Comment.Status.choices if s in counts],
        next=_next_url(request, request.GET),
    )
    return TemplateResponse(request, "comments/admin/ban.html", context)


@require_POST
def hold_thread_view(request, page_id):
    """hold=1: every new comment on the page waits for a moderator; hold=0: the usual rules."""
    require_moderator(request.user)
    hold = request.POST.get("hold", "")
    if hold not in ("0", "1"):
        message = "Say hold=1 to hold every new comment on the page or hold=0 to stop."
        return refused(request, message, 400)
    page = Page.objects.filter(pk=parse_id(page_id) or 0).first()
    if page is None:
        return refused(request, f"There is no page {page_id}: it may be deleted.", 404)
    try:
        changed = hold_thread(page, hold == "1", request.user)
    except CommentRefused as refusal:
        return refused(request, refusal.message, refusal.status)
    if hold == "1":
        done = "now waits" if changed else "already waited"
        messages.success(request, f"Every new comment on “{page.title}” {done} for moderation.")
    else:
        done = "follow" if changed else "already followed"
        messages.success(request, f"New comments on “{page.title}” {done} the usual rules.")
    return _back(request)
