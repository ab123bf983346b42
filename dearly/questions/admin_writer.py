"""The letters inbox, after the answer: writers' updates (each beside the letter it follows;
Answer makes a draft update page) and take-down requests (Unpublish now, in one click, before
the deadline does it). Same permission and rules as admin_views: every view needs
`questions.can_answer_questions`, every change is a POST with CSRF, and the behaviour is in
plain functions the tests call without HTTP."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from dearly.articles.models import LetterPage, LetterUpdatePage

from . import writer
from .admin_views import (
    PER_PAGE,
    ActionRefused,
    AnswererRequiredMixin,
    InboxView,
    edit_url,
    question_html,
    require_answerer,
)
from .models import TakedownRequest, WriterUpdate

UpdateStatus = WriterUpdate.Status
UPDATE_FILTERS = {"new": "New", "answered": "Answered", "published": "Published", "all": "All"}


# What the actions do.


def _locked(update):
    return WriterUpdate.objects.select_for_update(of=("self",)).get(pk=update.pk)


def answer_update(update, user):
    """(page, created): the update's draft LetterUpdatePage beside its letter, made now unless
    it already has one."""
    with transaction.atomic():
        update = _locked(update)
        if update.page_id:
            return LetterUpdatePage.objects.get(pk=update.page_id), False
        if update.status == UpdateStatus.DECLINED:
            raise ActionRefused("This update was declined, so it cannot be answered.")
        question = update.question
        if getattr(question, "takedown", None) is not None:
            raise ActionRefused("The writer asked for this letter to be taken down.")
        letter = LetterPage.objects.filter(pk=question.letter_id).first()
        if letter is None:
            raise ActionRefused("The letter this update follows has been deleted.")
        column = letter.get_parent()
        if not column.permissions_for_user(user).can_add_subpage():
            raise ActionRefused(f"You may not add updates to “{column.title}”.")
        page = LetterUpdatePage(
            title=f"Update: {letter.title}"[:255],
            letter=letter,
            text=question_html(update.text),
            pen_name=question.pen_name,
            note="",
            live=False,
            owner=user,
            author=LetterUpdatePage.default_author(user),
            topics=list(letter.topics.all()),
        )
        column.add_child(instance=page)
        page.save_revision(user=user, log_action=True, clean=False)
        update.page = page
        update.set_status(UpdateStatus.ANSWERED, "page")
    return page, True


def decline_update(update):
    with transaction.atomic():
        update = _locked(update)
        if update.status != UpdateStatus.NEW:
            raise ActionRefused(
                f"Only new updates can be declined; this one is "
                f"{update.get_status_display().lower()}."
            )
        update.set_status(UpdateStatus.DECLINED)
    return update


# Views.


class UpdatesView(AnswererRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "questions/admin/updates.html"
    page_title = "Updates from letter writers"
    header_icon = "mail"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("question_inbox:index"), "label": InboxView.page_title},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "new")
        if status not in UPDATE_FILTERS:
            status = "new"
        updates = WriterUpdate.objects.select_related("question__letter")
        if status != "all":
            updates = updates.filter(status=status)
        listing = Paginator(updates, PER_PAGE).get_page(self.request.GET.get("p"))
        context.update(
            {
                "listing": listing,
                "status": status,
                "filters": list(UPDATE_FILTERS.items()),
                "takedowns": list(
                    writer.pending_takedowns().select_related("question__letter")[:PER_PAGE]
                ),
            }
        )
        return context


class UpdateView(AnswererRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "questions/admin/update.html"
    header_icon = "mail"

    def get_update(self):
        if not hasattr(self, "update"):
            updates = WriterUpdate.objects.select_related("question__letter", "page")
            self.update = get_object_or_404(updates, pk=self.kwargs["pk"])
        return self.update

    def get_page_title(self):
        return f"Update from {self.get_update().question.pen_name}"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("question_inbox:index"), "label": InboxView.page_title},
            {"url": reverse("question_inbox:updates"), "label": UpdatesView.page_title},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        update = self.get_update()
        question = update.question
        context.update(
            {
                "update": update,
                "question": question,
                "letter": question.letter,
                "takedown": getattr(question, "takedown", None),
                "page_edit_url": edit_url(update.page_id) if update.page_id else "",
                "can_answer": update.status == UpdateStatus.NEW,
                "can_decline": update.status == UpdateStatus.NEW,
            }
        )
        return context


def _update_detail(update_pk):
    url = reverse("question_inbox:update", args=[update_pk])
    return HttpResponseRedirect(url, status=303)


@require_POST
def answer_update_view(request, pk):
    require_answerer(request.user)
    update = get_object_or_404(WriterUpdate, pk=pk)
    try:
        page, created = answer_update(update, request.user)
    except ActionRefused as refused:
        messages.error(request, refused.message)
        return _update_detail(update.pk)
    if created:
        messages.success(request, "A draft update was made beside the letter. Edit and publish it.")
    return HttpResponseRedirect(edit_url(page.pk), status=303)


@require_POST
def decline_update_view(request, pk):
    require_answerer(request.user)
    update = get_object_or_404(WriterUpdate, pk=pk)
    try:
        decline_update(update)
    except ActionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, "Declined the update. Nothing was sent to the writer.")
    return _update_detail(update.pk)


@require_POST
def take_down_view(request, pk):
    """Unpublish the letter of a take-down request (and the writer's updates), now."""
    require_answerer(request.user)
    takedown = get_object_or_404(TakedownRequest.objects.select_related("question"), pk=pk)
    question_url = reverse("question_inbox:question", args=[takedown.question_id])
    letter = LetterPage.objects.filter(pk=takedown.question.letter_id).first()
    if not takedown.pending:
        when = timezone.localtime(takedown.done_at)
        messages.info(request, f"This letter was already taken down on {when:%-d %B %Y}.")
    elif letter is not None and not letter.permissions_for_user(request.user).can_unpublish():
        messages.error(request, "You may not unpublish this letter.")
    elif writer.take_down(takedown, request.user):
        messages.success(request, "The letter is unpublished, with the writer's updates to it.")
    else:  # a second click that waited for the first
        messages.info(request, "This letter was already taken down.")
    return HttpResponseRedirect(question_url, status=303)
