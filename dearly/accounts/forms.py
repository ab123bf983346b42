import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError

from wagtail.models import Site

from dearly.comments.models import DELETED_READER, PageRole
from dearly.core.models import ColumnSettings
from dearly.core.text import clean_typed_text, name_keys

from .models import User

DISPLAY_NAME_MAX = 60


RESERVED_NAME_MESSAGE = "That name belongs to the column. Please choose another."


def clean_display_name(value):
    """A display name is shown on every comment: plain text, one line, no invisible tricks."""
    value = " ".join(clean_typed_text(value).split())
    if any(unicodedata.category(ch) in ("Cc", "Co", "Cs") for ch in value):
        raise ValidationError("Please use letters, numbers and ordinary punctuation only.")
    if not value:
        raise ValidationError("Please enter the name to show on your comments.")
    if len(value) > DISPLAY_NAME_MAX:
        raise ValidationError(f"Please keep it to {DISPLAY_NAME_MAX} characters.")
    if "@" in value:
        raise ValidationError("Please do not use an email address as your display name.")
    if is_reserved_name(value) or passes_for_a_badge(value):
        raise ValidationError(RESERVED_NAME_MESSAGE)
    return value


def is_reserved_name(name):
    """Whether `name` could pass for one of the column's own: "Dr Mimi", "DR. MIMI", or with a
    Cyrillic "М" or "о" (Unicode's confusables, dearly.core.text.name_keys)."""
    return bool(name_keys(name) & reserved_names())


# Short forms readers use for a badge's role ("LW": the letter writer).
BADGE_ABBREVIATIONS = ("LW",)
# Where a name splits into words for BADGE_ABBREVIATIONS: spaces, brackets, commas, dashes.
_WORD_BREAKS = re.compile(r"[\s()\[\]{}<>,;:/|\\–—-]+")


def passes_for_a_badge(name):
    """Whether a display name could pass for a verified badge beside it (PageRole): a badge's
    label anywhere in it ("Letter writer", "Poor, the letter-writer", "LETTER WRITER" with a
    Cyrillic "е"), or "LW" as the name or one of its words ("L.W.", "Poor (LW)")."""
    keys = name_keys(name)
    labels = set().union(*(name_keys(label) for label in PageRole.Role.labels))
    if any(label in key for key in keys for label in labels):
        return True
    short = set().union(*(name_keys(abbr) for abbr in BADGE_ABBREVIATIONS))
    words = [name, *_WORD_BREAKS.split(name)]
    return any(name_keys(word) & short for word in words if word)


def reserved_names():
    """What the names readers may not take look like: the columnist's (per site), the site's,
    the placeholders."""
    names = {DELETED_READER, "Dearly", "admin", "administrator", "moderator", "editor"}
    for columnist, site_name in ColumnSettings.objects.values_list("columnist_name", "site_name"):
        names.update((columnist, site_name, f"Dear {columnist}"))
    names.update(Site.objects.values_list("site_name", flat=True))
    names.add(ColumnSettings._meta.get_field("columnist_name").default)
    return set().union(*(name_keys(n) for n in names if n))


def display_name_field():
    # Longer than DISPLAY_NAME_MAX on purpose: clean_display_name gives the friendlier message.
    return forms.CharField(
        max_length=200,
        label="Display name",
        help_text="Shown with your comments. Your email address is never shown.",
    )


class DisplayNameSignupForm(forms.Form):
    """allauth's signup form plus the name readers see on comments (never the email)."""

    # allauth applies `field_order` to the whole signup form (allauth.account.forms.SignupForm).
    field_order = ["display_name", "email", "password1", "password2"]

    display_name = display_name_field()

    def clean_display_name(self):
        return clean_display_name(self.cleaned_data.get("display_name"))

    def signup(self, request, user):
        user.display_name = self.cleaned_data["display_name"]
        user.save(update_fields=["display_name"])


class ProfileForm(forms.ModelForm):
    """What a reader may change about themselves on /accounts/profile/."""

    display_name = display_name_field()

    class Meta:
        model = User
        fields = ["display_name", "notify_replies"]
        labels = {"notify_replies": "Email me when someone replies to my comment"}
        help_texts = {"notify_replies": ""}

    def clean_display_name(self):
        return clean_display_name(self.cleaned_data.get("display_name"))


class DeleteAccountForm(forms.Form):
    """Deleting an account asks for the current password, so a borrowed session cannot."""

    password = forms.CharField(
        label="Your current password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError("That is not your current password.")
        return password
