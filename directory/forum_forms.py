"""Forms for the forums: officials set a forum up; its managers add and end memberships.

A membership is never deleted: ending it sets the last day, so the forum's history of who
belonged when is kept.
"""

from crispy_forms_gds.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from directory.models import Forum, Membership, Organisation, Person
from wrc.lib.dates import short_date

DATE_WIDGET = forms.DateInput(
    attrs={"type": "date", "class": "govuk-input govuk-input--width-10"}, format="%Y-%m-%d"
)


def form_helper(form):
    helper = FormHelper(form)
    helper.form_tag = False
    helper.disable_csrf = True  # the page's <form> has the token
    return helper


class ForumForm(forms.ModelForm):
    class Meta:
        model = Forum
        fields = ["name", "name_cy", "short_name", "short_name_cy", "kind"]
        widgets = {"kind": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(self)

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if Forum.objects.filter(name__iexact=name).exclude(pk=self.instance.pk).exists():
            raise ValidationError(
                _("There is already a forum called “%(name)s”."), params={"name": name}
            )
        return name


class MembershipForm(forms.ModelForm):
    """An organisation or a person (not both) joining ``forum`` in a role, from and until."""

    class Meta:
        model = Membership
        fields = ["organisation", "person", "role", "joined_on", "left_on"]
        labels = {
            "organisation": _("Organisation"),
            "person": _("Person"),
            "joined_on": _("From"),
            "left_on": _("Until"),
        }
        help_texts = {
            "organisation": _("Choose an organisation or a person."),
            "left_on": _("Their last day as a member. Leave it empty if it is not known."),
        }
        widgets = {"joined_on": DATE_WIDGET, "left_on": DATE_WIDGET}

    def __init__(self, *args, forum, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.forum = forum
        instance = self.instance
        self.fields["organisation"].queryset = Organisation.objects.for_choice(
            instance.organisation_id
        ).order_by("name")
        self.fields["person"].queryset = Person.objects.for_choice(instance.person_id).order_by(
            "full_name"
        )
        self.fields["organisation"].empty_label = _("No organisation")
        self.fields["person"].empty_label = _("No person")
        self.fields["joined_on"].initial = timezone.localdate
        self.helper = form_helper(self)

    def clean(self):
        cleaned = super().clean()
        organisation, person = cleaned.get("organisation"), cleaned.get("person")
        if bool(organisation) == bool(person):
            self.add_error("organisation", _("Choose either an organisation or a person."))
            return cleaned
        joined_on, left_on = cleaned.get("joined_on"), cleaned.get("left_on")
        if joined_on and left_on and left_on < joined_on:
            self.add_error("left_on", _("The last day must be on or after the first day."))
        elif self.overlaps(cleaned):
            self.add_error(
                "role", _("They are already a member of this forum in that role at that time.")
            )
        return cleaned

    def overlaps(self, cleaned):
        """Another membership of the same member in the same role covering the same days."""
        joined_on, left_on = cleaned.get("joined_on"), cleaned.get("left_on")
        same = Membership.objects.filter(
            forum=self.instance.forum,
            organisation=cleaned.get("organisation"),
            person=cleaned.get("person"),
            role=cleaned.get("role"),
        )
        if joined_on:
            same = same.filter(Q(left_on__isnull=True) | Q(left_on__gte=joined_on))
        if left_on:
            same = same.filter(Q(joined_on__isnull=True) | Q(joined_on__lte=left_on))
        return same.exists()


class MembershipEndForm(forms.Form):
    left_on = forms.DateField(
        label=_("Last day as a member"),
        widget=DATE_WIDGET,
        help_text=_("The membership is kept in the forum's records, ended on this day."),
    )

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.membership = membership
        self.fields["left_on"].initial = timezone.localdate
        self.helper = form_helper(self)

    def clean_left_on(self):
        left_on = self.cleaned_data["left_on"]
        if self.membership.joined_on and left_on < self.membership.joined_on:
            raise ValidationError(
                _("The last day must be on or after the day they joined (%(joined)s)."),
                params={"joined": short_date(self.membership.joined_on)},
            )
        return left_on
