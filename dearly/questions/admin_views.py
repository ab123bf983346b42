"""The letters inbox in Wagtail's admin: list, search and filter readers' questions, see the
published letters closest to each, shortlist, decline (with an optional reply by email) or
answer one, which makes a draft letter and opens it in the page editor.

Every view needs `questions.can_answer_questions`; every change is a POST with CSRF. The
behaviour is in plain functions (`shortlist`, `decline`, `answer`) that tests can call
without HTTP; the views only translate them to messages and redirects.
"""

import re

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from dearly.articles.editor import columnist_name
from dearly.articles.found import published_letters
from dearly.articles.models import ColumnIndexPage, LetterPage
from dearly.retrieval import query

from . import tasks, writer
from .models import Question

PERMISSION = "questions.can_answer_questions"
Status = Question.Status
FILTERS = {
    "new": "New",
    "shortlisted": "Shortlisted",
    "answered": "Answered",
    "published": "Published",
    "declined": "Declined",
    "all": "All",
}
PER_PAGE = 25
SEARCH_MAX = 200
DECLINE_REPLY_MAX = 2000
SIMILAR_SHOWN = 3


class ActionRefused(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def require_answerer(user):
    if not user.has_perm(PERMISSION):
        raise PermissionDenied


# What the actions do.


def _locked(question):
    """The question's current row, locked until the transaction ends (a second click waits)."""
    return Question.objects.select_for_update().get(pk=question.pk)


def _set_status(question, status, *fields):
    question.status = status
    question.status_changed_at = timezone.now()
    question.save(update_fields=["status", "status_changed_at", *fields])


def shortlist(question):
    with transaction.atomic():
        question = _locked(question)
        if question.status != Status.NEW:
            raise ActionRefused(
                f"Only new questions can be shortlisted; this one is "
                f"{question.get_status_display().lower()}."
            )
        _set_status(question, Status.SHORTLISTED)
    return question


def decline(question, reply=""):
    """Decline; a reply, if written and the writer left an address, is emailed after commit."""
    with transaction.atomic():
        question = _locked(question)
        if question.status not in (Status.NEW, Status.SHORTLISTED):
            raise ActionRefused(
                f"Only new and shortlisted questions can be declined; this one is "
                f"{question.get_status_display().lower()}."
            )
        question.decline_reply = reply
        _set_status(question, Status.DECLINED, "decline_reply")
        if reply and question.email:
            pk = question.pk
            transaction.on_commit(lambda: tasks.tell_writer_declined.enqueue(pk))
    return question


def question_html(text):
    """The writer's plain text as rich-text paragraphs, every character escaped."""
    text = str(text).replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "".join(
        "<p>" + "<br/>".join(escape(line.strip()) for line in p.split("\n")) + "</p>"
        for p in paragraphs
    )


def answer(question, user):
    """(letter, created): the question's draft letter, made now unless it already has one."""
    with transaction.atomic():
        question = _locked(question)
        if question.letter_id:
            return LetterPage.objects.get(pk=question.letter_id), False
        if question.status == Status.DECLINED:
            raise ActionRefused("This question was declined, so it cannot be answered.")
        column = ColumnIndexPage.objects.order_by("path").first()
        if column is None:
            raise ActionRefused("There is no letters column yet: add a column index page first.")
        if not column.permissions_for_user(user).can_add_subpage():
            raise ActionRefused(f"You may not add letters to “{column.title}”.")
        title = f"Dear {columnist_name()} – {question.pen_name}"
        letter = LetterPage(
            title=title[:255],
            question=question_html(question.text),
            pen_name=question.pen_name,
            answer="",
            live=False,
            owner=user,
            author=LetterPage.default_author(user),  # the byline: the columnist's account
        )
        column.add_child(instance=letter)  # Wagtail picks a free slug and logs the creation
        # As Wagtail's own "Save draft": the empty answer is only required for publishing.
        letter.save_revision(user=user, log_action=True, clean=False)
        question.letter = letter
        _set_status(question, Status.ANSWERED, "letter")
    return letter, True


# Similar published letters.


def edit_url(page_pk):
    return reverse("wagtailadmin_pages:edit", args=[page_pk])


def similar_letters(request, questions, limit=SIMILAR_SHOWN):
    """{question pk: [(title, url)]}: the published letters closest in meaning to each
    question (a round-up's letters one by one), all questions embedded together
    (dearly.retrieval)."""
    questions = list(questions)
    ranked = query.similar_many([q.text for q in questions], kinds=("letter",), limit=limit)
    letters = published_letters(key for found in ranked for key, _ in found)
    return {
        question.pk: [
            # A letter outside any site has no public URL; its editor page will do.
            (letters[key].title, letters[key].get_url(request) or edit_url(key.page_id))
            for key, _score in found
            if key in letters
        ]
        for question, found in zip(questions, ranked, strict=True)
        if found
    }


# Views.


class AnswererRequiredMixin:
    def dispatch(self, request, *args, **kwargs):
        require_answerer(request.user)
        return super().dispatch(request, *args, **kwargs)


class InboxView(AnswererRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "questions/admin/inbox.html"
    page_title = "Letters inbox"
    header_icon = "mail"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "new")
        if status not in FILTERS:
            status = "new"
        search = self.request.GET.get("q", "").replace("\x00", "").strip()[:SEARCH_MAX]
        questions = Question.objects.all()
        if status != "all":
            questions = questions.filter(status=status)
        if search:
            questions = questions.filter(Q(text__icontains=search) | Q(pen_name__icontains=search))
        questions = questions.defer("decline_reply", "token_hash")
        listing = Paginator(questions, PER_PAGE).get_page(self.request.GET.get("p"))
        shown = list(listing.object_list)
        similar = similar_letters(self.request, shown)
        counts = dict(Question.objects.order_by().values_list("status").annotate(n=Count("pk")))
        counts["all"] = sum(counts.values())
        context.update(
            {
                "listing": listing,
                "rows": [(question, similar.get(question.pk, [])) for question in shown],
                "status": status,
                "search": search,
                "filters": [(key, label, counts.get(key, 0)) for key, label in FILTERS.items()],
            }
        )
        context.update(writer.inbox_notes())  # updates and take-downs waiting
        return context


class DeclineForm(forms.Form):
    reply = forms.CharField(
        required=False,
        max_length=DECLINE_REPLY_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Reply to the writer (optional)",
    )


class QuestionView(AnswererRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "questions/admin/question.html"
    header_icon = "mail"

    def get_question(self):
        if not hasattr(self, "question"):
            self.question = get_object_or_404(
                Question.objects.select_related("letter", "user"), pk=self.kwargs["pk"]
            )
        return self.question

    def get_page_title(self):
        return f"Letter from {self.get_question().pen_name}"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("question_inbox:index"), "label": InboxView.page_title},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        question = self.get_question()
        context.update(
            {
                "question": question,
                "similar": similar_letters(self.request, [question]).get(question.pk, []),
                "decline_form": DeclineForm(),
                "can_shortlist": question.status == Status.NEW,
                "can_decline": question.status in (Status.NEW, Status.SHORTLISTED),
                "can_answer": question.status != Status.DECLINED,
                "letter_edit_url": edit_url(question.letter_id) if question.letter_id else "",
                "reply_max": DECLINE_REPLY_MAX,
            }
        )
        context.update(writer.question_after(question))  # consent, updates, take-down
        return context


def _detail(question_pk):
    return HttpResponseRedirect(reverse("question_inbox:question", args=[question_pk]), status=303)


@require_POST
def shortlist_view(request, pk):
    require_answerer(request.user)
    question = get_object_or_404(Question, pk=pk)
    try:
        shortlist(question)
    except ActionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, f"Shortlisted the letter from {question.pen_name}.")
    return _detail(question.pk)


@require_POST
def decline_view(request, pk):
    require_answerer(request.user)
    question = get_object_or_404(Question, pk=pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        problems = " ".join(error for errors in form.errors.values() for error in errors)
        messages.error(request, f"Not declined: {problems}")
        return _detail(question.pk)
    reply = form.cleaned_data["reply"]
    try:
        question = decline(question, reply)
    except ActionRefused as refused:
        messages.error(request, refused.message)
        return _detail(question.pk)
    if reply and question.email:
        told = " Your reply will be emailed to the writer."
    elif reply:
        told = " The writer left no email address, so the reply is kept here only."
    else:
        told = ""
    messages.success(request, f"Declined the letter from {question.pen_name}.{told}")
    return _detail(question.pk)


@require_POST
def answer_view(request, pk):
    require_answerer(request.user)
    question = get_object_or_404(Question, pk=pk)
    try:
        letter, created = answer(question, request.user)
    except ActionRefused as refused:
        messages.error(request, refused.message)
        return _detail(question.pk)
    if created:
        messages.success(request, "A draft letter was made from the question. Write the answer.")
    return HttpResponseRedirect(edit_url(letter.pk), status=303)
