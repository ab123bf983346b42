from django import forms

from dearly.articles.models import Topic
from dearly.core.ids import parse_id

from .models import Subscriber


class TopicsField(forms.ModelMultipleChoiceField):
    """Topic ids checked as ids before the database sees them: a number too large for a row
    id would otherwise overflow the query (a 500) instead of being an invalid choice."""

    def _check_values(self, value):
        for pk in value:
            if parse_id(str(pk)) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice"
                )
        return super()._check_values(value)


class ChoicesForm(forms.Form):
    """What to get: the subscribe form and the subscriber's own page share it."""

    frequency = forms.ChoiceField(
        choices=Subscriber.Frequency.choices,
        initial=Subscriber.Frequency.EACH,
        widget=forms.RadioSelect,
        label="What would you like to get?",
        error_messages={"invalid_choice": "Please choose every letter or a weekly digest."},
    )
    topics = TopicsField(
        queryset=Topic.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Only these topics (optional)",
        help_text="Leave them all unticked to get everything.",
        error_messages={"invalid_choice": "Please choose topics from the list."},
    )


class SubscribeForm(ChoicesForm):
    email = forms.EmailField(
        max_length=254,  # the column's size; Django's validator alone allows 320
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        label="Your email address",
        help_text="Used only to send you the column. Never shown to anyone.",
        error_messages={
            "required": "Please enter your email address.",
            "invalid": "Please enter an email address such as name@example.com.",
            "max_length": "This email address is too long; please use one of at most 254 "
            "characters.",
        },
    )
    # A honeypot: off-screen for people (CSS and aria-hidden), filled in by naive bots.
    website = forms.CharField(required=False, label="Leave this field empty")

    field_order = ["email", "frequency", "topics", "website"]

    def clean_email(self):
        email = self.cleaned_data["email"]
        if any(c in email for c in "\r\n\x00"):  # EmailField strips, but never into a header
            raise forms.ValidationError("Please enter an email address such as name@example.com.")
        return email


class ManageForm(ChoicesForm):
    paused = forms.BooleanField(
        required=False, label="Pause my emails for now (nothing is sent until you resume)"
    )


class ImportForm(forms.Form):
    """The editor's list of people who agreed to get the column (a CSV with an email column)."""

    MAX_BYTES = 10 * 1024 * 1024

    file = forms.FileField(
        label="CSV file",
        help_text="A first line naming the columns, one of them “email” (as Mailchimp, Ghost, "
        "Substack and spreadsheets export it). At most 10 MB.",
    )
    frequency = forms.ChoiceField(
        choices=Subscriber.Frequency.choices, initial=Subscriber.Frequency.EACH
    )
    consented = forms.BooleanField(
        label="These people agreed to get the column by email",
        error_messages={
            "required": "Import only people who agreed to get the column: tick the box to say so."
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("This file is over 10 MB; split it into smaller files.")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                "This file is not UTF-8 text. Export it as “CSV UTF-8” and try again."
            ) from None
