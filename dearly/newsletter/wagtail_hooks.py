"""The editor's side of the newsletter, in the Wagtail admin: the subscribers (search, filter
by state, export to CSV) and what each mailing did ("sent to N of M, K failed")."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.mail import get_connection
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import path, reverse

from wagtail import hooks
from wagtail.admin.action_menu import ActionMenuItem
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic.models import IndexView
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.models import Page
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from dearly.articles.models import PostPage
from dearly.core.ids import parse_id

from . import sending, services
from .forms import ImportForm
from .models import Delivery, Mailing, Subscriber


class OnlyActions(ModelPermissionPolicy):
    """The model's permissions, limited to `actions` whoever asks (superusers too)."""

    def __init__(self, model, actions):
        super().__init__(model)
        self.actions = set(actions)

    def user_has_permission(self, user, action):
        return action in self.actions and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return super().user_has_any_permission(user, [a for a in actions if a in self.actions])

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([a for a in actions if a in self.actions])


# Nobody adds a subscriber by hand (only a confirmation makes one active); mailings are made
# by publishing and only looked at.
register_permission_policy(Subscriber, OnlyActions(Subscriber, ["view", "change", "delete"]))
register_permission_policy(Mailing, OnlyActions(Mailing, ["view"]))


class SubscriberIndexView(IndexView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = dict(Subscriber.objects.values_list("state").annotate(n=Count("pk")).order_by())
        context["state_counts"] = [
            (state, label, counts.get(state, 0)) for state, label in Subscriber.State.choices
        ]
        return context


class SubscriberViewSet(ModelViewSet):
    model = Subscriber
    index_view_class = SubscriberIndexView
    index_template_name = "newsletter/admin/subscribers_index.html"
    icon = "mail"
    menu_label = "Subscribers"
    # Few, short columns: the list stays readable at a phone's width.
    list_display = [
        "email",
        Column("state", label="State", accessor="status", sort_key="state"),
        Column("frequency", label="Gets", accessor="gets", sort_key="frequency"),
        DateColumn("created_at", label="Since", sort_key="created_at"),
    ]
    list_filter = ["state", "frequency", "paused", "source"]
    list_export = [
        "email",
        "state",
        "frequency",
        "paused",
        "source",
        "created_at",
        "confirmed_at",
        "unsubscribed_at",
    ]
    export_filename = "subscribers"
    search_fields = ["email"]
    search_backend_name = None  # the database's own lookups, not Wagtail's search index
    ordering = ["-created_at"]
    # Editors change a subscriber's choices or unsubscribe them; nobody is made active here
    # without their confirmation.
    form_fields = ["frequency", "topics", "paused"]
    copy_view_enabled = False
    inspect_view_enabled = True


class MailingIndexView(IndexView):
    def get_base_queryset(self):
        return Mailing.objects.select_related("page").annotate(
            total=Count("deliveries"),
            sent=Count("deliveries", filter=Q(deliveries__state=Delivery.State.SENT)),
            failed=Count("deliveries", filter=Q(deliveries__state=Delivery.State.FAILED)),
        )


class MailingViewSet(ModelViewSet):
    model = Mailing
    icon = "doc-full"
    menu_label = "Mailings"
    list_display = [
        "page",
        "state",
        Column("sent", label="Sent"),
        Column("total", label="Recipients"),
        Column("failed", label="Failed"),
        "created_at",
        "finished_at",
    ]
    list_filter = ["state"]
    ordering = ["-created_at"]
    form_fields = []
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_fields = ["page", "state", "created_at", "finished_at", "failures"]
    index_view_class = MailingIndexView


def import_subscribers(request):
    """Upload a list of people who agreed (CSV); all or nothing, with each bad line named."""
    if not request.user.has_perm("newsletter.change_subscriber"):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    status, problems = 200, []
    if request.method == "POST":
        status = 400
        if form.is_valid():
            text = form.cleaned_data["file"]
            try:
                counts = services.import_subscribers(
                    text.splitlines(), form.cleaned_data["frequency"]
                )
            except services.ImportProblem as error:
                problems = error.problems
            else:
                messages.success(
                    request,
                    "Imported: {added} added, {activated} made active, {unchanged} already "
                    "subscribed, {kept out} kept out (they had unsubscribed or bounced).".format(
                        **counts
                    ),
                )
                return HttpResponseRedirect(reverse("subscribers:index"))
    context = {"form": form, "problems": problems[:50], "more": max(0, len(problems) - 50)}
    return render(request, "newsletter/admin/import.html", context, status=status)


class ImportViewSet(ViewSet):
    menu_label = "Import subscribers"
    icon = "upload"

    def get_urlpatterns(self):
        return [path("", import_subscribers, name="index")]


class NewsletterGroup(ViewSetGroup):
    menu_label = "Newsletter"
    menu_icon = "mail"
    items = (
        SubscriberViewSet("subscribers"),
        MailingViewSet("mailings"),
        ImportViewSet("import-subscribers"),
    )


@hooks.register("register_admin_viewset")
def register_newsletter():
    return NewsletterGroup()


@hooks.register("dearly_profile_sections")  # accounts.views.PROFILE_SECTIONS_HOOK
def profile_section(request):
    """The reader's subscription on their profile page: its state, or a one-click button."""
    subscriber = Subscriber.objects.filter(user=request.user).first()
    if subscriber is None and request.user.email:
        subscriber = Subscriber.objects.with_email(request.user.email).first()
        if subscriber is not None and subscriber.user_id not in (None, request.user.pk):
            subscriber = None
    context = {
        "user": request.user,
        "subscriber": subscriber,
        "manage_url": subscriber
        and services.absolute("newsletter:manage", services.manage_token(subscriber)),
    }
    return render_to_string("newsletter/includes/profile_section.html", context, request)


# --- from the page editor: a preview of the email, and a test sent to the editor ------------

TEST_ACTION = "action-newsletter-test"


def _editable_post(request, page_id):
    page = get_object_or_404(Page, pk=parse_id(page_id) or 0).specific
    if not isinstance(page, PostPage) or not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    return page.get_latest_revision_as_object()  # the draft, as the editor last saved it


def _test_message(page, user):
    """The page's email as a subscriber would get it, addressed to `user`."""
    reader = Subscriber(email=user.email)
    message = sending.build(sending.PageContent(page), Delivery(subscriber=reader))
    message.subject = f"[Test] {message.subject}"
    return message


def preview_email(request, page_id):
    page = _editable_post(request, page_id)
    return HttpResponse(_test_message(page, request.user).alternatives[0][0])


class PreviewEmailMenuItem(ActionMenuItem):
    label = "Preview the email"
    icon_name = "view"
    order = 60

    def is_shown(self, context):
        return context["view"] == "edit" and isinstance(context["page"].specific, PostPage)

    def get_url(self, context):
        return reverse("newsletter_preview", args=[context["page"].pk])


class SendTestMenuItem(ActionMenuItem):
    label = "Save draft and email it to me"
    name = TEST_ACTION
    icon_name = "mail"
    order = 61

    def is_shown(self, context):
        return (
            super().is_shown(context)
            and context["view"] == "edit"
            and isinstance(context["page"].specific, PostPage)
            and bool(context["request"].user.email)
        )


@hooks.register("register_page_action_menu_item")
def preview_email_item():
    return PreviewEmailMenuItem()


@hooks.register("register_page_action_menu_item")
def send_test_item():
    return SendTestMenuItem()


@hooks.register("register_admin_urls")
def newsletter_admin_urls():
    return [path("newsletter/preview/<int:page_id>/", preview_email, name="newsletter_preview")]


@hooks.register("after_edit_page")
def send_test_email(request, page):
    """The editor pressed "Save draft and email it to me": the draft is saved; mail it."""
    if TEST_ACTION not in request.POST or not isinstance(page.specific, PostPage):
        return
    draft = page.specific.get_latest_revision_as_object()
    get_connection().send_messages([_test_message(draft, request.user)])
    messages.success(request, f"A test email of this draft was sent to {request.user.email}.")
