"""Forms of the document import: the upload (documents, forum, kind) and the review's
corrections to meeting notes (one form per attendance row, one per line not placed)."""

import os

from crispy_forms_gds.helper import FormHelper
from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from directory.forms import limit_forum_choices
from directory.models import Organisation, Person
from imports.models import DocumentImport

EXTENSIONS = ("txt", "md", "docx", "pdf")
AUTOMATIC = ""


def form_helper(form):
    helper = FormHelper(form)
    helper.form_tag = False
    helper.disable_csrf = True  # the page's <form> has the token
    return helper


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class DocumentsField(forms.FileField):
    """One or more files; each is checked on its own, so the message names the file."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        if not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return [self.check(super(DocumentsField, self).clean(file, initial)) for file in files]

    @staticmethod
    def check(file):
        extension = os.path.splitext(file.name)[1].lower().lstrip(".")
        if extension not in EXTENSIONS:
            raise forms.ValidationError(
                _(
                    "“%(name)s” is not a document the import reads. Upload a Word document "
                    "(.docx), a PDF, or a text file (.txt or .md)."
                ),
                params={"name": file.name},
                code="type",
            )
        if file.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("“%(name)s” is larger than %(limit)s. Upload a smaller file."),
                params={"name": file.name, "limit": filesizeformat(settings.IMPORT_MAX_BYTES)},
                code="size",
            )
        return file


class UploadForm(forms.Form):
    documents = DocumentsField(
        label=_("Documents"),
        help_text=_(
            "Meeting notes, a delivery plan or letters, as Word (.docx), PDF, or text (.txt, "
            ".md). You can choose several files."
        ),
        error_messages={"required": _("Choose at least one document to upload.")},
    )
    forum = forms.ModelChoiceField(label=_("Forum"), queryset=None)
    kind = forms.ChoiceField(
        label=_("Kind of document"),
        choices=[(AUTOMATIC, _("Work it out from the document"))] + DocumentImport.Kind.choices,
        required=False,
        initial=AUTOMATIC,
        widget=forms.RadioSelect,
        help_text=_("Each document is read as this kind."),
    )

    def __init__(self, *args, forums, **kwargs):
        super().__init__(*args, **kwargs)
        limit_forum_choices(self.fields["forum"], forums)
        self.helper = form_helper(self)

    def clean_forum(self):
        return self.fields["forum"].only_forum or self.cleaned_data["forum"]


# --- corrections to meeting notes -----------------------------------------------------------


class AnyChoiceField(forms.ChoiceField):
    """A choice shown from a list but accepting any value that ``accept`` takes: the list of
    groups or candidates depends on the page, the value only has to make sense."""

    def __init__(self, *, accept, **kwargs):
        self.accept = accept
        super().__init__(**kwargs)

    def valid_value(self, value):
        return self.accept(value)


def _group_value(value) -> bool:
    return isinstance(value, str) and len(value) <= 120


def _match_value(value) -> bool:
    """ "" (as the import finds it), "person:<id>" or "organisation:<id>" of a real record."""
    if value == "":
        return True
    kind, _sep, pk = str(value).partition(":")
    if not pk.isdigit():
        return False
    model = {"person": Person, "organisation": Organisation}.get(kind)
    return model is not None and model.objects.filter(pk=pk).exists()


STATUS_CHOICES = [
    ("present", _("Present")),
    ("apologies", _("Apologies")),
    ("absent", _("Absent")),
]


class AttendanceRowForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, required=False)
    line = forms.IntegerField(widget=forms.HiddenInput, required=False)
    text = forms.CharField(
        label=_("Row as written"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "“Name - Organisation”. Put each person on a line of their own to split the row; "
            "empty it to remove the row, for example after joining it to the row above."
        ),
    )
    group = AnyChoiceField(label=_("Group"), accept=_group_value, required=False)
    new_group = forms.CharField(
        label=_("Or a new group"), required=False, max_length=120, help_text=_("Such as Guests")
    )
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES)
    match = AnyChoiceField(
        label=_("Record as"), accept=_match_value, required=False, widget=forms.RadioSelect
    )
    search = forms.CharField(
        label=_("Search the directory"),
        required=False,
        max_length=100,
        help_text=_("A name or part of one; the people and organisations found are offered above."),
    )

    def __init__(self, *args, groups=(), candidates=(), new_label="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [(group, group or _("Main list")) for group in groups]
        self.fields["match"].choices = [(AUTOMATIC, new_label or _("As the import finds it"))] + [
            (candidate.value, candidate.label) for candidate in candidates
        ]
        self.helper = form_helper(self)

    def clean(self):
        cleaned = super().clean()
        cleaned["group"] = (cleaned.get("new_group") or cleaned.get("group") or "").strip()
        kind, _sep, pk = (cleaned.get("match") or "").partition(":")
        cleaned["person_id"] = int(pk) if kind == "person" else None
        cleaned["organisation_id"] = int(pk) if kind == "organisation" else None
        return cleaned


class BaseAttendanceFormSet(forms.BaseFormSet):
    """One form per attendance row; ``rows`` (review.AttendanceRow, in the formset's order)
    give each form its candidates."""

    def __init__(self, *args, rows=(), groups=(), **kwargs):
        self.rows = list(rows)
        self.groups = list(groups)
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        row = self.rows[index] if index is not None and index < len(self.rows) else None
        candidates = row.candidates if row else []
        groups = list(self.groups)
        if row and row.group not in groups:
            groups.append(row.group)
        new_label = row.automatic_label if row else ""
        return kwargs | {"groups": groups, "candidates": candidates, "new_label": new_label}


AttendanceFormSet = forms.formset_factory(
    AttendanceRowForm, formset=BaseAttendanceFormSet, extra=0, max_num=1000, absolute_max=1000
)


class ActionLineForm(forms.Form):
    """A line the notes did not place, which the reviewer may make an action."""

    line = forms.IntegerField(widget=forms.HiddenInput)
    make_action = forms.BooleanField(label=_("Make this line an action"), required=False)
    text = forms.CharField(label=_("Text of the action"), required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(self)


ActionLineFormSet = forms.formset_factory(ActionLineForm, extra=0, max_num=1000, absolute_max=1000)


class ConfirmForm(forms.Form):
    """The commit carries what the page showed (see review.corrections_digest)."""

    reviewed = forms.CharField(widget=forms.HiddenInput)
