import unicodedata

from django import forms

from dearly.accounts.forms import is_reserved_name
from dearly.core.text import clean_typed_text

from .consent import letter_consent_text, update_consent_text
from .models import PEN_NAME_MAX, QUESTION_MAX, QUESTION_MIN, UPDATE_MAX

# Control, surrogate, private-use and unassigned characters, and line/paragraph separators:
# none belongs in a signature (invisible format characters are removed before this check).
PEN_NAME_REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Co", "Cn", "Zl", "Zp"})


def clean_question_text(text, what="question", maximum=QUESTION_MAX):
    """The question (or, with `what="update"`, an update) as it will be stored, or
    ValidationError with a message the writer can act on.

    Line breaks are kept (paragraphs matter in a letter); other control characters and
    invisible ones (bidi overrides, zero-width spaces) are dropped. HTML is not interpreted: it is
    text like any other and is escaped wherever it is shown."""
    text = text or ""
    if "\x00" in text:
        raise forms.ValidationError(f"Your {what} contains a character that cannot be stored.")
    text = clean_typed_text(text.replace("\r\n", "\n").replace("\r", "\n"))
    text = "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs")
    ).strip()
    if not text:
        raise forms.ValidationError(f"Please write your {what}.")
    if len(text) < QUESTION_MIN:
        raise forms.ValidationError(
            f"Your {what} is {len(text)} characters long; please write at least "
            f"{QUESTION_MIN} so it can be {'answered' if what == 'question' else 'published'}."
        )
    if len(text) > maximum:
        raise forms.ValidationError(
            f"Your {what} is {len(text):,} characters long; please keep it to {maximum:,}."
        )
    return text


def clean_pen_name(name):
    """A one-line signature of 1-60 visible characters; runs of spaces become one space."""
    name = clean_typed_text(name)
    if any(unicodedata.category(ch) in PEN_NAME_REFUSED_CATEGORIES for ch in name):
        raise forms.ValidationError(
            "Your pen name contains invisible or control characters. Please use letters, "
            "numbers, spaces and punctuation."
        )
    name = " ".join(name.split())
    if not name:
        raise forms.ValidationError('Please choose a pen name to sign with, e.g. "Poor".')
    if len(name) > PEN_NAME_MAX:
        raise forms.ValidationError(
            f"Your pen name is {len(name)} characters long; please keep it to {PEN_NAME_MAX}."
        )
    if is_reserved_name(name):
        # A letter signed "—Dr. Mimi" (or "—Dr. Мimi") would read as the columnist's own words.
        raise forms.ValidationError(
            "That name belongs to the column; please sign with a pen name of your own."
        )
    return name


class SentToColumnForm(forms.Form):
    """What a letter and a writer's update share: the consent to publish (its words are kept in
    the consent record) and the honeypot."""

    what = "letter"  # in messages: "Your letter was not sent"

    consent = forms.BooleanField(required=True)
    # A honeypot: off-screen for people (CSS and aria-hidden), filled in by naive bots.
    website = forms.CharField(required=False, label="Leave this field empty")

    def __init__(self, *args, columnist="Dr. Mimi", **kwargs):
        super().__init__(*args, **kwargs)
        self.columnist = columnist
        consent = self.fields["consent"]
        consent.label = self.consent_text
        consent.error_messages["required"] = (
            f"Please agree, so that {columnist} can publish your {self.what} in the column."
            if self.what != "letter"
            else f"Please agree, so that {columnist} can answer your letter in the column."
        )

    @property
    def consent_text(self):
        return letter_consent_text(self.columnist)

    def clean(self):
        cleaned = super().clean()
        if self.data.get("website"):
            # Shown at the top of the form: the field itself is off-screen.
            raise forms.ValidationError(
                f'Your {self.what} was not sent: please leave the field "Leave this field empty" '
                "empty."
            )
        return cleaned


class AskForm(SentToColumnForm):
    """A reader's letter. The same form checks the first step, the preview and the sending."""

    field_order = ["question", "pen_name", "email", "consent", "website"]

    question = forms.CharField(
        label="Your question",
        widget=forms.Textarea(attrs={"rows": 10, "maxlength": QUESTION_MAX}),
        strip=False,
        required=False,  # clean_question gives the reader-facing message
        error_messages={
            "null_characters_not_allowed": "Your question contains a character that cannot be "
            "stored."
        },
        help_text=f"{QUESTION_MIN} to {QUESTION_MAX:,} characters. Plain text. Leave out names "
        "and details that could identify you or anyone else.",
    )
    pen_name = forms.CharField(
        label="Pen name",
        widget=forms.TextInput(attrs={"maxlength": PEN_NAME_MAX, "autocomplete": "off"}),
        strip=False,
        required=False,
        error_messages={
            "null_characters_not_allowed": "Your pen name contains invisible or control "
            "characters. Please use letters, numbers, spaces and punctuation."
        },
        help_text=f'How you sign your letter, e.g. "Poor" or "Sleepless". Up to {PEN_NAME_MAX} '
        "characters.",
    )
    email = forms.EmailField(
        label="Your email (optional)",
        required=False,
        max_length=254,  # the model's column; Django's validator alone allows 320
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="To hear when it is answered. Never published; only the editors see it.",
        error_messages={
            "invalid": "Please enter an email address such as name@example.com.",
            "max_length": "This email address is too long; please use one of at most 254 "
            "characters.",
        },
    )

    def clean_question(self):
        return clean_question_text(self.cleaned_data.get("question"))

    def clean_pen_name(self):
        return clean_pen_name(self.cleaned_data.get("pen_name"))


class UpdateForm(SentToColumnForm):
    """A writer's update to their published letter: the ask form's checks, consent and
    honeypot, for one text signed with the letter's pen name."""

    what = "update"
    field_order = ["update", "consent", "website"]

    update = forms.CharField(
        label="Your update",
        widget=forms.Textarea(attrs={"rows": 10, "maxlength": UPDATE_MAX}),
        strip=False,
        required=False,  # clean_update gives the reader-facing message
        error_messages={
            "null_characters_not_allowed": "Your update contains a character that cannot be stored."
        },
        help_text=f"{QUESTION_MIN} to {UPDATE_MAX:,} characters. Plain text. What happened "
        "next? Leave out names and details that could identify you or anyone else.",
    )

    @property
    def consent_text(self):
        return update_consent_text(self.columnist)

    def clean_update(self):
        return clean_question_text(self.cleaned_data.get("update"), "update", UPDATE_MAX)
