from django import forms

from dearly.core.text import clean_typed_text

from .models import MAX_LENGTH
from .services import CommentRefused, clean_body


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment",
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": MAX_LENGTH}),
        strip=False,
        required=False,  # clean_body gives the reader-facing message
        help_text="Plain text. Links are made clickable; paragraphs are kept.",
    )
    parent = forms.CharField(widget=forms.HiddenInput, required=False)
    # A honeypot: hidden from people by CSS and aria-hidden, filled in by naive bots.
    website = forms.CharField(required=False, label="Leave this field empty")

    def clean_body(self):
        try:
            return clean_body(clean_typed_text(self.cleaned_data.get("body")))
        except CommentRefused as refused:
            raise forms.ValidationError(refused.message) from None

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError("This field must be left empty.")
        return ""


class EditCommentForm(forms.Form):
    body = CommentForm.base_fields["body"]

    clean_body = CommentForm.clean_body
