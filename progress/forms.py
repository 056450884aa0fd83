"""Forms for writing, reviewing and filtering progress returns (GOV.UK Design System layout)."""

from crispy_forms_gds.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from directory.models import Organisation
from progress.models import ProgressReturn
from progress.services import NO_RETURN


def gds_helper(form) -> FormHelper:
    helper = FormHelper(form)
    helper.form_tag = False
    helper.disable_csrf = True  # the page's <form> has the token
    return helper


class ReturnForm(forms.ModelForm):
    class Meta:
        model = ProgressReturn
        fields = ["status", "narrative_en", "narrative_cy", "evidence_links"]
        widgets = {
            "status": forms.RadioSelect,
            "narrative_en": forms.Textarea(attrs={"rows": 6}),
            "narrative_cy": forms.Textarea(attrs={"rows": 6, "lang": "cy"}),
            "evidence_links": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "narrative_en": _("What has been done in the period, and what comes next"),
            "narrative_cy": _("The same in Welsh, if you have it: write in either language"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = ProgressReturn.Status.choices
        self.helper = gds_helper(self)


class ReviewForm(forms.Form):
    ACCEPT, CHANGES = "accept", "changes"
    decision = forms.ChoiceField(
        label=_("Your decision"),
        choices=[(ACCEPT, _("Accept the return")), (CHANGES, _("Ask for changes"))],
        widget=forms.RadioSelect,
    )
    review_note = forms.CharField(
        label=_("Note to the lead organisation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Needed when you ask for changes: say what should change"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.CHANGES and not cleaned.get("review_note", "").strip():
            self.add_error("review_note", _("Say what needs to change."))
        return cleaned


class RollupFilterForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Lead organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("All lead organisations"),
    )
    status = forms.ChoiceField(label=_("Latest accepted status"), required=False)

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = (
            Organisation.objects.filter(plan_lead_links__action__plan=plan)
            .distinct()
            .order_by("name")
        )
        self.fields["status"].choices = [
            ("", _("Any status")),
            *ProgressReturn.Status.choices,
            (NO_RETURN, _("No accepted return")),
        ]
        self.helper = gds_helper(self)
