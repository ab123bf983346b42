"""What is waiting for the editors, on the admin's dashboard: one panel that every app adds
its queue to (comments to moderate, new questions, ...) through the `dearly_waiting` hook, as
core may not import the apps above it. This module adds the pages scheduled to go live.

Each section costs two queries however much waits: a count, and the first few rows.
https://docs.wagtail.org/en/stable/reference/hooks.html#construct-homepage-panels
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import CharField
from django.db.models.functions import Cast
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.text import Truncator
from django.utils.timezone import localtime
from django.views.generic import TemplateView

from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Revision
from wagtail.permission_policies.pages import PagePermissionPolicy

from .text import truncate_words

WAITING_HOOK = "dearly_waiting"  # fn(request) -> Waiting, or None for what the user may not see
SHOWN = 3  # rows listed per section; the count and the link say the rest


@dataclass
class Waiting:
    heading: str  # "Comments awaiting moderation"
    count: int
    url: str  # where all of them are
    link_label: str  # "Moderate comments"
    empty: str  # "No comment is waiting."
    items: list = field(default_factory=list)  # [WaitingItem]
    order: int = 100


def gist(text, words=12, chars=100):
    """The first words of what someone wrote, short enough for a line (a long URL is one word)."""
    return Truncator(truncate_words(text, words)).chars(chars)


@dataclass
class WaitingItem:
    label: str
    url: str
    detail: str = ""


class WaitingPanel(Component):
    """ "Waiting for you": one section per queue the user may work on."""

    name = "dearly_waiting"
    template_name = "core/admin/waiting_panel.html"
    order = 50  # above Wagtail's own panels (workflows 210, recent edits 250)

    class Media:
        css = {"all": ["core/admin/dashboard.css"]}

    def sections(self, request):
        found = (fn(request) for fn in hooks.get_hooks(WAITING_HOOK))
        return sorted((s for s in found if s is not None), key=lambda s: s.order)

    def get_context_data(self, parent_context):
        return {"sections": self.sections(parent_context["request"])}

    def render_html(self, parent_context=None):
        context = self.get_context_data(parent_context)
        if not context["sections"]:
            return ""
        return render_to_string(self.template_name, context)


def scheduled_revisions(user):
    """Versions of pages approved to go live later, soonest first, among the pages `user` may
    edit or publish; None for someone who may do neither to any page."""
    policy = PagePermissionPolicy()
    if not policy.user_has_any_permission(user, {"change", "publish"}):
        return None
    revisions = Revision.page_revisions.filter(approved_go_live_at__isnull=False)
    if not user.is_superuser:
        pages = policy.instances_user_has_any_permission_for(user, {"change", "publish"})
        as_text = Cast("pk", output_field=CharField())  # Revision.object_id is a string
        revisions = revisions.filter(object_id__in=pages.annotate(key=as_text).values("key"))
    return revisions.order_by("approved_go_live_at", "pk").only(
        "object_id", "object_str", "approved_go_live_at"
    )


def scheduled_item(revision):
    return WaitingItem(
        label=revision.object_str,
        url=reverse("wagtailadmin_pages:edit", args=[revision.object_id]),
        detail="goes live " + date_format(localtime(revision.approved_go_live_at), "j M Y, H:i"),
    )


def scheduled_pages(request):
    revisions = scheduled_revisions(request.user)
    if revisions is None:
        return None
    return Waiting(
        heading="Scheduled pages",
        count=revisions.count(),
        url=reverse("dearly_scheduled_pages"),
        link_label="All scheduled pages",
        empty="No page is scheduled to go live.",
        items=[scheduled_item(revision) for revision in revisions[:SHOWN]],
        order=300,
    )


class ScheduledPagesView(WagtailAdminTemplateMixin, TemplateView):
    """Every page scheduled to go live, soonest first (the dashboard lists the first few)."""

    template_name = "core/admin/scheduled_pages.html"
    page_title = "Scheduled pages"
    header_icon = "time"

    def dispatch(self, request, *args, **kwargs):
        self.revisions = scheduled_revisions(request.user)
        if self.revisions is None:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        listing = Paginator(self.revisions, 50).get_page(self.request.GET.get("p"))
        context["listing"] = listing
        context["items"] = [scheduled_item(revision) for revision in listing]
        return context
