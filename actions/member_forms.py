"""The form an action's owner uses to report progress: status, a note and, when done, the date.

Kept apart from the meeting-editing forms: this one is for owners (forum members among them) and
changes only the progress fields of one action.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from actions.models import ActionItem, ActionUpdate
from wrc.editing import VersionedModelForm


class ActionProgressForm(VersionedModelForm):
    note = forms.CharField(
        label=_("Progress note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What has happened since the last update. The secretariat sees every note."),
    )

    class Meta:
        model = ActionItem
        fields = ["status", "completed_on"]
        widgets = {
            "completed_on": forms.DateInput(
                attrs={"type": "date", "class": "govuk-input govuk-input--width-10"},
                format="%Y-%m-%d",
            )
        }
        help_texts = {"completed_on": _("Only when the action is done. Leave empty for today.")}

    def __init__(self, *args, author=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.author = author
        self.opened_status = self.instance.status

    def clean_completed_on(self):
        completed_on = self.cleaned_data.get("completed_on")
        if completed_on and completed_on > timezone.localdate():
            raise forms.ValidationError(_("The completion date cannot be in the future."))
        return completed_on

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("status")
        if status is None:
            return cleaned
        note = cleaned.get("note", "").strip()
        if status == ActionItem.Status.DONE:
            cleaned["completed_on"] = cleaned.get("completed_on") or timezone.localdate()
            if note and not self.instance.completion_note:
                self.instance.completion_note = note
        else:
            # A completion date means nothing on an action that is not done (it was reopened).
            cleaned["completed_on"] = None
        if status == self.opened_status and not note:
            self.add_error("note", _("Change the status or write a progress note."))
        return cleaned

    def save_related(self, action):
        """Every update is kept as a dated progress note, in the same transaction as the save."""
        note = self.cleaned_data.get("note", "").strip()
        ActionUpdate.objects.create(
            action=action, author=self.author, status=action.status, note=note
        )
