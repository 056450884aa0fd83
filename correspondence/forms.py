"""Forms for composing a letter and enclosing files; they validate and convert, never save."""

import io
import os
import zipfile

from crispy_forms_gds.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from correspondence.models import Enclosure, Letter, validate_enclosure
from correspondence.services import COPIED_FIELDS
from directory.forms import limit_forum_choices
from directory.models import Organisation, Person
from wrc.editing import VersionedModelForm

# What the first bytes of each accepted type must be. Office documents are ZIP packages, told
# apart by the part every one of them contains.
SIGNATURES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "pptx": (b"PK\x03\x04",),
    "odt": (b"PK\x03\x04",),
}
PACKAGE_PART = {
    "docx": "word/document.xml",
    "xlsx": "xl/workbook.xml",
    "pptx": "ppt/presentation.xml",
    "odt": "content.xml",
}
TYPE_NAMES = {
    "pdf": "PDF",
    "png": "PNG image",
    "jpg": "JPEG image",
    "jpeg": "JPEG image",
    "docx": "Word document",
    "xlsx": "Excel workbook",
    "pptx": "PowerPoint presentation",
    "odt": "OpenDocument text",
    "txt": "plain text",
}


def sniff_enclosure(file) -> None:
    """Refuse a file whose content is not what its name says (a renamed program, say)."""
    ext = os.path.splitext(file.name)[1].lower().lstrip(".")
    file.seek(0)
    content = file.read()
    file.seek(0)
    if not _looks_like(ext, content):
        raise ValidationError(
            _(
                "“%(name)s” is not a real %(type)s: its content does not match its name. "
                "Save it again as %(type)s and upload that file."
            ),
            params={"name": file.name, "type": TYPE_NAMES.get(ext, ext)},
            code="content_mismatch",
        )


def _looks_like(ext: str, content: bytes) -> bool:
    if ext == "txt":
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return b"\x00" not in content
    if not content.startswith(SIGNATURES.get(ext, (b"",))):
        return False
    if ext in PACKAGE_PART:
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as package:
                return PACKAGE_PART[ext] in package.namelist()
        except zipfile.BadZipFile:
            return False
    return True


class LetterComposeForm(VersionedModelForm):
    """A new letter, or a draft being changed: a draft's save is refused, with what changed, if
    someone else saved it after this form was opened (see wrc.editing). A new letter also
    chooses its forum among ``forums`` (those the user keeps the records of)."""

    cc_list = forms.CharField(
        label=_("Cc list"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One organisation or person per line, as it should appear in the letter."),
    )

    class Meta:
        model = Letter
        # The letter's wording is what a new letter copies from the one it starts from; the
        # reference, date and recipients are chosen anew each time.
        fields = [
            "forum",
            "reference",
            "date",
            *COPIED_FIELDS,
            "publish_bilingually",
            "audience",
            "recipient_organisations",
            "recipient_people",
        ]
        labels = {
            "forum": _("Forum"),
            "publish_bilingually": _("Publish bilingually"),
            "organisation_en": _("Organisation (English)"),
            "organisation_cy": _("Organisation (Welsh)"),
            "closing_en": _("Closing (English)"),
            "closing_cy": _("Closing (Welsh)"),
            "welsh_language_statement_en": _("Welsh language statement (English)"),
            "welsh_language_statement_cy": _("Welsh language statement (Welsh)"),
            "recipient_organisations": _("Organisations to send to"),
            "recipient_people": _("People to send to"),
        }
        help_texts = {
            "reference": _("For example JH/PO/31/2025. Each letter has its own reference."),
            "body_cy": _("Leave empty to send the letter in English only."),
            "publish_bilingually": _(
                "Sending is refused until the English and the Welsh are complete."
            ),
            "audience": _("Everyone receives their own copy: no one sees who else received it."),
        }
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "sender_titles_en": forms.Textarea(attrs={"rows": 2}),
            "sender_titles_cy": forms.Textarea(attrs={"rows": 2}),
            "sender_address": forms.Textarea(attrs={"rows": 4}),
            "body_en": forms.Textarea(attrs={"rows": 16}),
            "body_cy": forms.Textarea(attrs={"rows": 16}),
            "welsh_language_statement_en": forms.Textarea(attrs={"rows": 3}),
            "welsh_language_statement_cy": forms.Textarea(attrs={"rows": 3}),
            "restricted_note": forms.Textarea(attrs={"rows": 3}),
            "recipient_organisations": forms.SelectMultiple(attrs={"size": 8}),
            "recipient_people": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, forums=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and forums is not None:
            limit_forum_choices(self.fields["forum"], forums)
        else:
            del self.fields["forum"]
            # The helper laid the fields out before the forum was taken away.
            self.helper.layout = FormHelper(self).layout
        # Imported letters may be Welsh only; a letter written here has English as well.
        for name in ("subject_en", "body_en"):
            if name in self.fields:
                self.fields[name].required = True
        # Archived organisations and people are offered only to a draft already naming them.
        organisations, people = Organisation.objects.active(), Person.objects.active()
        if self.instance.pk is not None:
            organisations = Organisation.objects.for_choice(
                self.instance.recipient_organisations.values("pk")
            )
            people = Person.objects.for_choice(self.instance.recipient_people.values("pk"))
        self.fields["recipient_organisations"].queryset = organisations.order_by("name")
        self.fields["recipient_people"].queryset = people.select_related("organisation").order_by(
            "full_name"
        )
        self.fields["recipient_people"].label_from_instance = _person_label
        if self.instance.pk is not None and "cc_list" not in self.initial:
            self.initial["cc_list"] = cc_list_text(self.instance)

    def clean_forum(self):
        return self.fields["forum"].only_forum or self.cleaned_data["forum"]

    def extra_snapshot(self, instance) -> dict:
        # The cc list is kept in its own rows: compare it as the form shows it.
        return {"cc_list": cc_list_text(instance)}

    def clean_cc_list(self) -> list[str]:
        lines = (line.strip() for line in self.cleaned_data["cc_list"].splitlines())
        return [line for line in lines if line]

    def clean(self):
        cleaned = super().clean()
        audience = cleaned.get("audience")
        if audience == Letter.Audience.ORGANISATIONS and not cleaned.get("recipient_organisations"):
            self.add_error(
                "recipient_organisations", _("Choose at least one organisation to send to.")
            )
        if audience == Letter.Audience.PEOPLE and not cleaned.get("recipient_people"):
            self.add_error("recipient_people", _("Choose at least one person to send to."))
        return cleaned


def cc_list_text(letter: Letter) -> str:
    """The letter's cc list as the compose form shows it: one line each."""
    return "\n".join(cc.as_written for cc in letter.cc.all())


def _person_label(person: Person) -> str:
    if person.organisation_id:
        return f"{person.display_name} ({person.organisation.name})"
    return person.display_name


class EnclosureForm(forms.ModelForm):
    class Meta:
        model = Enclosure
        fields = ["title", "file"]
        help_texts = {
            "title": _("As it should appear under “Enclosures” in the letter."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].required = True
        self.fields["file"].error_messages["required"] = _("Choose a file to enclose.")
        self.fields["title"].error_messages["required"] = _("Enter the enclosure's title.")
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_file(self):
        file = self.cleaned_data["file"]
        validate_enclosure(file)
        sniff_enclosure(file)
        return file


class SettleForm(forms.Form):
    """Settling a sent letter's uncertain or failed copies by hand, always with a reason, which
    the outbox keeps with each message it changes."""

    CONFIRM, RESEND = "confirm", "resend"
    CONFIRM_UNCERTAIN, RESEND_FAILED = "confirm_uncertain", "resend_failed"
    # The actions on the copies ticked in the list; the other two take every copy concerned.
    ON_SELECTED = (CONFIRM, RESEND)

    action = forms.ChoiceField(
        choices=[
            (CONFIRM, _("Record the selected copies as arrived")),
            (RESEND, _("Send the selected copies again")),
            (CONFIRM_UNCERTAIN, _("Record every uncertain copy as arrived")),
            (RESEND_FAILED, _("Send every failed copy again")),
        ]
    )
    mails = forms.TypedMultipleChoiceField(coerce=int, required=False)  # ids: see clean_mails
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        help_text=_(
            "Kept with each message: for example, what the mail server's log or the recipient said."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason: it is kept with each message.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any id is taken: the service settles only the letter's own copies still uncertain or
        # failed, so a copy settled by someone else meanwhile is simply left as it is.
        self.fields["mails"].valid_value = lambda value: str(value).isdigit()

    def clean(self):
        data = super().clean()
        if data.get("action") in self.ON_SELECTED and not data.get("mails"):
            self.add_error("mails", _("Tick the copies this is about."))
        return data
