from django.template.loader import render_to_string
from django.urls import include, path, re_path, reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from dearly.articles.models import LetterPage
from dearly.core.dashboard import SHOWN, WAITING_HOOK, Waiting, WaitingItem, gist

from . import admin_views, admin_writer, writer
from .models import LetterClaim, Question, WriterUpdate

# Ids are at most 18 digits: anything longer, or not a number, is a 404 before any query.
QUESTION = r"^(?P<pk>[0-9]{1,18})/"
UPDATE = r"^updates/(?P<pk>[0-9]{1,18})/"
TAKEDOWN = r"^takedowns/(?P<pk>[0-9]{1,18})/"


class InboxMenuItem(MenuItem):
    """ "Letters inbox (3)": the number of new questions, for those who may answer them."""

    def is_shown(self, request):
        return request.user.has_perm(admin_views.PERMISSION)

    def render_component(self, request):
        waiting = Question.objects.filter(status=Question.Status.NEW).count()
        self.label = f"Letters inbox ({waiting})" if waiting else "Letters inbox"
        return super().render_component(request)


@hooks.register("register_admin_urls")
def register_inbox_urls():
    urls = [
        path("", admin_views.InboxView.as_view(), name="index"),
        re_path(QUESTION + "$", admin_views.QuestionView.as_view(), name="question"),
        re_path(QUESTION + "shortlist/$", admin_views.shortlist_view, name="shortlist"),
        re_path(QUESTION + "decline/$", admin_views.decline_view, name="decline"),
        re_path(QUESTION + "answer/$", admin_views.answer_view, name="answer"),
        path("updates/", admin_writer.UpdatesView.as_view(), name="updates"),
        re_path(UPDATE + "$", admin_writer.UpdateView.as_view(), name="update"),
        re_path(
            UPDATE + "answer/$",
            admin_writer.answer_update_view,
            name="answer_update",
        ),
        re_path(
            UPDATE + "decline/$",
            admin_writer.decline_update_view,
            name="decline_update",
        ),
        re_path(TAKEDOWN + "$", admin_writer.take_down_view, name="take_down"),
    ]
    return [path("questions/", include((urls, "question_inbox")))]


@hooks.register("register_admin_menu_item")
def register_inbox_menu_item():
    return InboxMenuItem(
        "Letters inbox",
        reverse("question_inbox:index"),
        name="letters-inbox",
        icon_name="mail",
        order=260,
    )


@hooks.register(WAITING_HOOK)
def questions_waiting(request):
    """The dashboard's "Waiting for you": new questions in the letters inbox, newest first."""
    if not request.user.has_perm(admin_views.PERMISSION):
        return None
    new = Question.objects.filter(status=Question.Status.NEW)
    newest = new.only("pk", "pen_name", "text", "created_at").order_by("-created_at", "-pk")
    return Waiting(
        heading="New questions",
        count=new.count(),
        url=reverse("question_inbox:index"),
        link_label="Open the letters inbox",
        empty="No new question.",
        items=[
            WaitingItem(
                label=question.pen_name,
                url=reverse("question_inbox:question", args=[question.pk]),
                detail=gist(question.text),
            )
            for question in newest[:SHOWN]
        ],
        order=200,
    )


@hooks.register("dearly_profile_sections")  # accounts.views.PROFILE_SECTIONS_HOOK
def claimed_letters(request):
    """The letters the reader claimed (the "Letter writer" badge), each with a button that
    drops the claim; nothing for a reader who claimed none."""
    claims = list(LetterClaim.objects.filter(user=request.user).select_related("question__letter"))
    if not claims:
        return ""
    letter_ids = [claim.question.letter_id for claim in claims if claim.question.letter_id]
    public = set(
        LetterPage.objects.published().filter(pk__in=letter_ids).values_list("pk", flat=True)
    )
    for claim in claims:
        claim.letter = claim.question.letter if claim.question.letter_id in public else None
    return render_to_string(
        "questions/includes/profile_claims.html", {"claims": claims}, request=request
    )


@hooks.register(WAITING_HOOK)
def takedowns_waiting(request):
    """ "Waiting for you": letters their writers asked to take down, soonest deadline first."""
    if not request.user.has_perm(admin_views.PERMISSION):
        return None
    pending = writer.pending_takedowns()
    first = pending.select_related("question").only(
        "pk", "due_at", "question__id", "question__pen_name"
    )
    return Waiting(
        heading="Take-down requests",
        count=pending.count(),
        url=reverse("question_inbox:updates"),
        link_label="See take-down requests",
        empty="No take-down request.",
        items=[
            WaitingItem(
                label=takedown.question.pen_name,
                url=reverse("question_inbox:question", args=[takedown.question.pk]),
                detail=f"Unpublished automatically {takedown.due_at:%-d %b %Y %H:%M} UTC",
            )
            for takedown in first[:SHOWN]
        ],
        order=190,
    )


@hooks.register(WAITING_HOOK)
def updates_waiting(request):
    """ "Waiting for you": new updates from letter writers, newest first."""
    if not request.user.has_perm(admin_views.PERMISSION):
        return None
    new = WriterUpdate.objects.filter(status=WriterUpdate.Status.NEW)
    newest = new.select_related("question").only("pk", "text", "question__pen_name")
    return Waiting(
        heading="New updates from letter writers",
        count=new.count(),
        url=reverse("question_inbox:updates"),
        link_label="See the updates",
        empty="No new update.",
        items=[
            WaitingItem(
                label=update.question.pen_name,
                url=reverse("question_inbox:update", args=[update.pk]),
                detail=gist(update.text),
            )
            for update in newest.order_by("-created_at", "-pk")[:SHOWN]
        ],
        order=210,
    )
