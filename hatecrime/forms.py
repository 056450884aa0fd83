"""Forms officials use to edit the delivery plan. Each refuses a stale save (see wrc.editing)."""

import re

from crispy_forms_gds.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from directory.models import Organisation
from hatecrime.models import DeliveryArea, DeliveryPlan, Objective, PlanAction, PlanSection
from wrc.editing import VersionedModelForm

PERIOD_PATTERN = re.compile(r"^\d{4}-\d{2}$")
REFERENCE_PATTERN = re.compile(r"^(\d+)\.(\d+)$")


def clean_period(value: str) -> str:
    value = value.strip()
    if not PERIOD_PATTERN.match(value):
        raise ValidationError(_("Enter the period as a year and the next, like 2017-18."))
    first, second = int(value[:4]), int(value[5:])
    if (first + 1) % 100 != second:
        raise ValidationError(_("The second year must follow the first, like 2017-18."))
    return value


class DeliveryPlanForm(VersionedModelForm):
    class Meta:
        model = DeliveryPlan
        fields = ["title_en", "title_cy", "period", "publish_bilingually"]

    def clean_period(self):
        return clean_period(self.cleaned_data["period"])


class PlanSectionForm(forms.ModelForm):
    """One section of the plan's introduction, edited with the plan (the plan's version guards
    the whole page)."""

    class Meta:
        model = PlanSection
        fields = ["position", "heading_en", "heading_cy", "text_en", "text_cy"]
        widgets = {
            "text_en": forms.Textarea(attrs={"rows": 6}),
            "text_cy": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "position": _("Sections are shown in this order, lowest first."),
            "text_en": _('A blank line between paragraphs; list items start with "- ".'),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's <form> has the token


PlanSectionFormSet = forms.inlineformset_factory(
    DeliveryPlan, PlanSection, form=PlanSectionForm, extra=1, can_delete=True
)


class PlanCopyForm(forms.Form):
    """A new plan year made from an existing one."""

    period = forms.CharField(
        label=_("Period of the new plan"), max_length=20, help_text=_("For example 2017-18")
    )
    title_en = forms.CharField(label=_("Title (English)"), max_length=255)
    title_cy = forms.CharField(label=_("Title (Welsh)"), max_length=255, required=False)

    def __init__(self, *args, source: DeliveryPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's <form> has the token
        self.source = source
        self.fields["title_en"].initial = source.title_en
        self.fields["title_cy"].initial = source.title_cy
        self.fields["period"].initial = next_period(source.period)

    def clean_period(self):
        period = clean_period(self.cleaned_data["period"])
        if DeliveryPlan.objects.filter(period=period).exists():
            raise ValidationError(
                _("A delivery plan for %(period)s already exists. Choose another period."),
                params={"period": period},
                code="exists",
            )
        return period


def next_period(period: str) -> str:
    """The plan year after ``period`` ("2016-17" → "2017-18"), or "" if it is not a period."""
    if not PERIOD_PATTERN.match(period or ""):
        return ""
    first = int(period[:4]) + 1
    return f"{first}-{(first + 1) % 100:02d}"


class ObjectiveForm(VersionedModelForm):
    class Meta:
        model = Objective
        fields = ["number", "title_en", "title_cy"]

    def __init__(self, *args, plan: DeliveryPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.instance.plan = plan

    def clean_number(self):
        number = self.cleaned_data["number"]
        taken = Objective.objects.filter(plan=self.plan, number=number).exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(
                _("This plan already has an objective %(number)s."), params={"number": number}
            )
        return number


class DeliveryAreaForm(VersionedModelForm):
    class Meta:
        model = DeliveryArea
        fields = ["objective", "number", "title_en", "title_cy"]

    def __init__(self, *args, plan: DeliveryPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["objective"].queryset = Objective.objects.filter(plan=plan).order_by("number")
        self.fields["objective"].empty_label = None
        self.fields["objective"].label = _("Objective")

    def clean_number(self):
        # Action references start with the area number ("4.12"), so area numbers are unique
        # across the whole plan, not only within an objective.
        number = self.cleaned_data["number"]
        taken = DeliveryArea.objects.filter(objective__plan=self.plan, number=number)
        if taken.exclude(pk=self.instance.pk).exists():
            raise ValidationError(
                _("This plan already has a delivery area %(number)s."), params={"number": number}
            )
        return number


class PlanActionForm(VersionedModelForm):
    lead_organisations = forms.ModelMultipleChoiceField(
        label=_("Lead organisations"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        # Checkboxes rather than a multiple select: no Ctrl-click, which many cannot do.
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose every organisation that leads the action."),
    )

    class Meta:
        model = PlanAction
        fields = [
            "area",
            "reference",
            "text",
            "text_cy",
            "leads_text",
            "status",
            "progress_note",
        ]
        widgets = {"status": forms.RadioSelect}

    def __init__(self, *args, plan: DeliveryPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.instance.plan = plan
        self.fields["area"].queryset = DeliveryArea.objects.filter(objective__plan=plan).order_by(
            "number"
        )
        self.fields["area"].empty_label = None
        self.fields["area"].label = _("Delivery area")
        # An archived organisation is not offered as a new lead; one that leads the action
        # already stays, so saving the action never drops it.
        kept = [self.instance.lead_links.values("organisation")] if self.instance.pk else []
        self.fields["lead_organisations"].queryset = Organisation.objects.for_choice(
            *kept
        ).order_by("name")
        if self.instance.pk:
            self.fields["lead_organisations"].initial = self.current_leads(self.instance)

    @staticmethod
    def current_leads(action):
        return list(action.lead_links.order_by("order").values_list("organisation_id", flat=True))

    def extra_snapshot(self, instance):
        return {"lead_organisations": self.current_leads(instance) if instance.pk else []}

    def clean(self):
        cleaned = super().clean()
        reference, area = cleaned.get("reference"), cleaned.get("area")
        if reference and area and int(REFERENCE_PATTERN.match(reference)[1]) != area.number:
            self.add_error(
                "reference",
                _("Action %(reference)s belongs in delivery area %(area)s: it must start %(area)s.")
                % {"reference": reference, "area": area.number},
            )
        return cleaned

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip()
        if not REFERENCE_PATTERN.match(reference):
            raise ValidationError(
                _("Enter the reference as the area number and the action number, like 4.12.")
            )
        taken = PlanAction.objects.filter(plan=self.plan, reference=reference)
        if taken.exclude(pk=self.instance.pk).exists():
            raise ValidationError(
                _("This plan already has an action %(reference)s."),
                params={"reference": reference},
            )
        return reference

    def save_related(self, action):
        """Keep the order of leads already linked; new leads go after them."""
        chosen = list(self.cleaned_data["lead_organisations"])  # ordered by name
        links = action.lead_links.all()
        links.exclude(organisation__in=chosen).delete()
        kept = set(links.values_list("organisation_id", flat=True))
        start = max(links.values_list("order", flat=True), default=-1) + 1
        new = [org.pk for org in chosen if org.pk not in kept]
        action.lead_links.model.objects.bulk_create(
            action.lead_links.model(action=action, organisation_id=pk, order=start + i)
            for i, pk in enumerate(new)
        )
