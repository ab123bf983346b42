from django import forms
from django.conf import settings

from .models import ImportRun
from .uploads import detect

Kind = ImportRun.Kind
NONE_OF_THEM = (
    "This file is none of the exports Dearly reads: a WordPress export (.xml), a Ghost export "
    "(.json) or a Substack export (.zip)"
)


def too_large_message():
    limit = settings.IMPORT_MAX_UPLOAD_SIZE // (1024 * 1024)
    return (
        f"This file is larger than {limit} MB, the most an upload may be. Import it on the "
        "server with manage.py (docs/moving-in.md), or raise IMPORT_MAX_UPLOAD_MB."
    )


class ExportForm(forms.Form):
    """An export to import, and which kind it is (found from the file unless chosen).

    The files arrive through uploads.ExportUploadHandler: `too_large` names the fields whose
    file it dropped for being over the limit."""

    kind = forms.ChoiceField(
        label="Where it comes from",
        choices=[("", "Find out from the file"), *Kind.choices],
        required=False,
    )
    export = forms.FileField(
        label="Export file",
        required=False,  # said in clean_export, after a file dropped for its size
        error_messages={"empty": "This file is empty: export it again and upload the new file."},
        help_text="WordPress: the .xml file of Tools → Export. Ghost: the .json file of "
        "Settings → Advanced → Export. Substack: the .zip file of Settings → Exports, as it is.",
    )
    members = forms.FileField(
        label="Ghost members (optional)",
        required=False,
        error_messages={"empty": "This members file is empty."},
        help_text="Ghost's members export (.csv): those subscribed to emails become "
        "subscribers, without a confirmation email.",
    )

    def __init__(self, *args, too_large=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = set(too_large)

    def clean_export(self):
        export = self.cleaned_data.get("export")
        if "export" in self.too_large:
            raise forms.ValidationError(too_large_message())
        if not export:
            raise forms.ValidationError("Choose the export file to upload.")
        return export

    def clean_members(self):
        if "members" in self.too_large:
            raise forms.ValidationError(too_large_message())
        return self.cleaned_data.get("members")

    def clean(self):
        cleaned = super().clean()
        export = cleaned.get("export")
        if export is None:
            return cleaned
        found, hint = detect(export.path)
        chosen = cleaned.get("kind") or ""
        if found is None and not chosen:
            self.add_error("export", f"{NONE_OF_THEM}: {hint}." if hint else f"{NONE_OF_THEM}.")
            return cleaned
        if found and chosen and found != chosen:
            self.add_error(
                "kind",
                f"This file is a {Kind(found).label} export, not a {Kind(chosen).label} one: "
                "choose “Find out from the file”.",
            )
            return cleaned
        cleaned["kind"] = found or chosen
        if cleaned.get("members") and cleaned["kind"] != Kind.GHOST:
            self.add_error("members", "A members file goes with a Ghost export only.")
        return cleaned
