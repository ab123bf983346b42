"""The guide and letter editor: who signs a post (the author field's choices and a new post's
default byline), and the privacy check in the letter editor: findings beside the form, and a
confirmation that publishing (never saving a draft) needs while there are findings.

Wired into the page types through `base_form_class`, `byline_panel()` and
`privacy_check_panel()`; see
https://docs.wagtail.org/en/stable/advanced_topics/customisation/page_editing_interface.html
"""

import re

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q

from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, Panel

from dearly.core.models import ColumnSettings, account_label, admin_accounts
from dearly.core.text import html_to_text

from .privacy import find_identifying_details, in_context

CONFIRM_FIELD = "privacy_checked"
CONFIRM_LABEL = "I have checked this letter for identifying details"
CONFIRM_REQUIRED = (
    "The privacy check lists likely identifying details. Remove them, or tick “I have "
    "checked this letter for identifying details”, then publish again."
)
# Where a reader's eye sees a break: sentences must not run on across paragraphs.
_BLOCK_END = re.compile(r"(?i)</(?:p|li|h[1-6]|blockquote|div)\s*>|<br\s*/?>")


def columnist_name():
    """The columnist's name from the default site's settings ("Dr. Mimi" until set)."""
    names = ColumnSettings.objects.order_by("-site__is_default_site", "pk")
    return names.values_list("columnist_name", flat=True).first() or "Dr. Mimi"


def rich_text_lines(html):
    """Plain text of rich-text HTML, one line per paragraph or list item."""
    lines = (html_to_text(part) for part in _BLOCK_END.split(str(html or "")))
    return "\n".join(line for line in lines if line)


def letter_findings(question_html, answer_html, pen_name, columnist, labels=None):
    """[(part, plain text, findings)] for the question and the answer (or, with `labels`, the
    two parts those name: an update's text and note)."""
    ignore = [pen_name, columnist]
    parts = []
    labels = labels or ("Question", "Answer")
    for label, html in zip(labels, (question_html, answer_html), strict=True):
        text = rich_text_lines(html)
        parts.append((label, text, find_identifying_details(text, ignore=ignore)))
    return parts


def byline_choices(keep=()):
    """The accounts a post may be signed by: the editors, the columnist's account, whoever
    already signs a post (an imported author), and the ids in `keep`. Not every reader."""
    users = get_user_model().objects
    signers = (
        Q(pk__in=admin_accounts().values("pk"))
        | Q(pk__in=ColumnSettings.objects.exclude(columnist=None).values("columnist_id"))
        | Q(pk__in=users.filter(posts__isnull=False).values("pk"))
        | Q(pk__in=[pk for pk in keep if pk])
    )
    return users.filter(signers).order_by("display_name", "username")


class PostPageForm(WagtailAdminPageForm):
    """A new guide or letter starts signed by its type's default author
    (`PostPage.default_author`: the columnist for letters, the editor for guides)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("author")
        if field is None:
            return
        keep = [self.instance.author_id]
        if self.instance._state.adding and self.instance.author_id is None:
            default = type(self.instance).default_author(self.for_user)
            if default is not None:
                keep.append(default.pk)
                self.initial["author"] = default.pk
        field.queryset = byline_choices(keep)
        field.label_from_instance = account_label


def byline_panel():
    return MultiFieldPanel(
        [
            FieldPanel("author"),
            FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
            FieldPanel("tags"),
            FieldPanel("featured_image"),
        ],
        heading="Author, topics and image",
    )


class LetterPageForm(PostPageForm):
    """A letter's (or a writer's update's) editor: publishing needs the privacy check ticked
    while it lists anything in the parts the page type names (`privacy_parts`)."""

    privacy_checked = forms.BooleanField(
        label=CONFIRM_LABEL,
        required=False,
        help_text="Needed to publish while the privacy check lists anything.",
    )

    def publishing(self):
        # Wagtail's page editor names the button that was pressed: "action-publish".
        return self.is_bound and "action-publish" in self.data

    def clean(self):
        cleaned_data = super().clean()
        if not self.publishing() or cleaned_data.get(CONFIRM_FIELD):
            return cleaned_data
        (first_label, first), (second_label, second) = type(self.instance).privacy_parts
        parts = letter_findings(
            cleaned_data.get(first, getattr(self.instance, first)),
            cleaned_data.get(second, getattr(self.instance, second)),
            cleaned_data.get("pen_name", self.instance.pen_name),
            columnist_name(),
            labels=(first_label, second_label),
        )
        if any(findings for _, _, findings in parts):
            self.add_error(CONFIRM_FIELD, ValidationError(CONFIRM_REQUIRED, code="unchecked"))
        return cleaned_data


class RoundupPageForm(LetterPageForm):
    """A round-up's letters pass the same privacy check as a letter's own page, each with its
    own pen name; publishing while any has findings needs the same confirmation, and the
    message says which letters to look at."""

    def clean(self):
        cleaned_data = PostPageForm.clean(self)
        if not self.publishing() or cleaned_data.get(CONFIRM_FIELD):
            return cleaned_data
        formset = self.formsets.get("letters")
        if formset is None or not formset.is_valid():
            return cleaned_data  # the letters' own errors come first
        columnist = columnist_name()
        flagged = []
        for n, form in enumerate(_kept(formset), start=1):
            data = form.cleaned_data
            parts = letter_findings(
                data.get("question", ""),
                data.get("answer", ""),
                data.get("pen_name", ""),
                columnist,
            )
            found = [f.text for _, _, findings in parts for f in findings]
            if found:
                flagged.append(f"letter {n} ({', '.join(found[:5])})")
        if flagged:
            message = f"{CONFIRM_REQUIRED} To look at: {'; '.join(flagged)}."
            self.add_error(CONFIRM_FIELD, ValidationError(message, code="unchecked"))
        return cleaned_data


def _kept(formset):
    """The formset's forms that stay: filled in, not marked for deletion, in their order."""
    forms = [f for f in formset.forms if f.has_changed() and not formset._should_delete_form(f)]
    if formset.can_order:
        forms.sort(key=lambda f: f.cleaned_data.get("ORDER") or 0)
    return forms


class PrivacyFindingsPanel(Panel):
    """The likely identifying details in the letter as last saved or submitted."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "articles/admin/privacy_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            page = self.instance
            (first_label, first), (second_label, second) = type(page).privacy_parts
            parts = letter_findings(
                getattr(page, first),
                getattr(page, second),
                page.pen_name,
                columnist_name(),
                labels=(first_label, second_label),
            )
            context["parts"] = [
                {
                    "label": label,
                    "findings": [(f, in_context(text, f)) for f in findings],
                }
                for label, text, findings in parts
            ]
            context["total"] = sum(len(findings) for _, _, findings in parts)
            return context


def privacy_check_panel():
    return MultiFieldPanel(
        [PrivacyFindingsPanel(), FieldPanel(CONFIRM_FIELD, disable_comments=True)],
        heading="Privacy check",
    )


def privacy_confirm_panel():
    """The confirmation alone (a round-up: the findings are named in the message, per letter)."""
    return MultiFieldPanel(
        [FieldPanel(CONFIRM_FIELD, disable_comments=True)], heading="Privacy check"
    )
