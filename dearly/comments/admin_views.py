"""The moderation queue in Wagtail's admin: filter, approve, reject, mark spam, delete, ban."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from dearly.core.ids import parse_id

from .models import Comment, CommentReport
from .services import CommentRefused, moderate

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
        author = self.request.GET.get("author", "").strip()[:150]
        if author:
            comments = comments.filter(author__username=author) | comments.filter(
                author__display_name__iexact=author
            )
        comments = (
            comments.select_related("author", "page")
            .annotate(report_count=Count("reports"))
            .order_by("-created_at", "-pk")
        )
        listing = Paginator(comments, 50).get_page(self.request.GET.get("p"))
        context.update(
            {
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


def _back(request):
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = reverse("comment_moderation:index")
    return HttpResponseRedirect(target, status=303)


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


@require_POST
def ban(request, user_id):
    require_moderator(request.user)
    person = get_object_or_404(get_user_model(), pk=user_id)
    if person.is_staff:
        messages.error(request, "Staff accounts cannot be banned from commenting here.")
        return _back(request)
    person.banned_from_commenting = request.POST.get("ban", "1") == "1"
    person.save(update_fields=["banned_from_commenting"])
    verb = "may no longer comment" if person.banned_from_commenting else "may comment again"
    messages.success(request, f"{person.public_name} {verb}.")
    return _back(request)
