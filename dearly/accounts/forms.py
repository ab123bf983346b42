import unicodedata

from django import forms
from django.core.exceptions import ValidationError

DISPLAY_NAME_MAX = 60


def clean_display_name(value):
    """A display name is shown on every comment: plain text, one line, no invisible tricks."""
    value = " ".join((value or "").split())
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs") for ch in value):
        raise ValidationError("Please use letters, numbers and ordinary punctuation only.")
    if not value:
        raise ValidationError("Please enter the name to show on your comments.")
    if len(value) > DISPLAY_NAME_MAX:
        raise ValidationError(f"Please keep it to {DISPLAY_NAME_MAX} characters.")
    if "@" in value:
        raise ValidationError("Please do not use an email address as your display name.")
    return value


class DisplayNameSignupForm(forms.Form):
    """allauth's signup form plus the name readers see on comments (never the email)."""

    display_name = forms.CharField(
        max_length=200,
        label="Display name",
        help_text="Shown with your comments. Your email address is never shown.",
    )

    def clean_display_name(self):
        return clean_display_name(self.cleaned_data.get("display_name"))

    def signup(self, request, user):
        user.display_name = self.cleaned_data["display_name"]
        user.save(update_fields=["display_name"])
