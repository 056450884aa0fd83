"""Forms officials and the secretariat use to write up a meeting: its details, agenda and
attendance. The meeting refuses a stale save (see wrc.editing); so do the agenda and attendance
pages, which carry the meeting's version."""

import datetime

from crispy_forms_gds.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from actions.forms import owner_label
from directory.forms import limit_forum_choices
from directory.models import Organisation, Person
from meetings.models import AgendaItem, Attendance, Meeting
from wrc.editing import VersionedModelForm
from wrc.lib import bilingual

DATETIME_WIDGET = forms.DateTimeInput(
    attrs={"type": "datetime-local", "class": "govuk-input govuk-input--width-20"},
    format="%Y-%m-%dT%H:%M",
)
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]
# A meeting whose time was not recorded needs only its date.
DATE_ONLY_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def form_helper(form):
    helper = FormHelper(form)
    helper.form_tag = False
    helper.disable_csrf = True  # the page's <form> has the token
    return helper


class HttpsURLField(forms.URLField):
    """A link typed without a scheme ("teams.microsoft.com/…") is taken to be https."""

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


class MeetingForm(VersionedModelForm):
    """A meeting's details. A new meeting also chooses its forum, among ``forums`` (those the
    user keeps the records of); a meeting never moves to another forum.

    "Time not recorded" is for notes that give only the date: the start's time and the end are
    then ignored, the meeting is kept at midnight of that date with no end, and every page,
    export and diary entry says "time not recorded" instead of a time.
    """

    time_not_recorded = forms.BooleanField(
        label=_("Time not recorded"),
        required=False,
        help_text=_(
            "Tick when the notes give the date but not the time. Only the date of the start "
            "is kept; any time and the end are ignored."
        ),
    )
    one_language_reason = forms.CharField(
        label=_("Reason for approving the notes in one language"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Only when notes to be published bilingually cannot wait for the other language. "
            "The reason, your name and the time are kept on the meeting."
        ),
    )

    class Meta:
        model = Meeting
        fields = [
            "forum",
            "title",
            "starts_at",
            "ends_at",
            "venue",
            "online_platform",
            "online_link",
            "status",
            "notes_status",
            "publish_bilingually",
        ]
        labels = {
            "forum": _("Forum"),
            "title": _("Title"),
            "starts_at": _("Starts"),
            "ends_at": _("Ends"),
            "venue": _("Venue"),
            "online_platform": _("Online platform"),
            "online_link": _("Online link"),
            "status": _("Status"),
            "notes_status": _("Notes"),
            "publish_bilingually": _("Publish the notes bilingually"),
        }
        help_texts = {
            "title": _("Leave empty to use the forum's name."),
            "starts_at": _("Date and time, for example 17/03/2025 10:00"),
            "venue": _("Where people meet in person. Leave empty for an online-only meeting."),
            "notes_status": _("Forum members see the notes only once they are approved."),
            "publish_bilingually": _(
                "Approving the notes is refused until every item has its English and Welsh."
            ),
        }
        field_classes = {"online_link": HttpsURLField}
        widgets = {
            "starts_at": DATETIME_WIDGET,
            "ends_at": DATETIME_WIDGET,
            "status": forms.RadioSelect,
            "notes_status": forms.RadioSelect,
        }

    def __init__(self, *args, forums=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_at"].input_formats = DATETIME_FORMATS + DATE_ONLY_FORMATS
        self.fields["ends_at"].input_formats = DATETIME_FORMATS
        self.fields["time_not_recorded"].initial = not self.instance.time_recorded
        # Beside the times it makes optional, not after the status questions.
        names = [*self.fields]
        self.order_fields([*names[: names.index("ends_at") + 1], "time_not_recorded"])
        if self.instance.pk is None and forums is not None:
            limit_forum_choices(self.fields["forum"], forums)
        else:
            del self.fields["forum"]
        self.helper = form_helper(self)  # again: its layout follows the fields as they are now

    def extra_snapshot(self, instance) -> dict:
        return {"time_not_recorded": not instance.time_recorded}

    def clean_forum(self):
        return self.fields["forum"].only_forum or self.cleaned_data["forum"]

    def clean(self):
        cleaned = super().clean()
        self.instance.time_recorded = not cleaned.get("time_not_recorded")
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if not self.instance.time_recorded:
            # The end is ignored, whatever was typed into it.
            self._errors.pop("ends_at", None)
            cleaned["ends_at"] = None
            if starts:
                cleaned["starts_at"] = start_of_day(starts)
        elif starts and ends and ends <= starts:
            self.add_error("ends_at", _("The meeting must end after it starts."))
        has_place = any(cleaned.get(name) for name in ("venue", "online_platform", "online_link"))
        if not has_place and not self.has_error("online_link"):
            self.add_error(
                "venue", _("Enter a venue, an online platform or an online link, or more than one.")
            )
        self.check_bilingual_approval(cleaned)
        return cleaned

    # Set by clean(): the notes are approved in one language, for the reason given.
    one_language = False

    def check_bilingual_approval(self, cleaned):
        """Notes marked to be published bilingually are approved only with both languages
        complete, or with the reason they go in one language (recorded by the view)."""
        approving = (
            cleaned.get("notes_status") == Meeting.NotesStatus.APPROVED
            and self.instance.notes_status != Meeting.NotesStatus.APPROVED
        )
        if not approving or not cleaned.get("publish_bilingually") or self.instance.pk is None:
            return
        gaps = bilingual.missing(self.instance)
        if gaps.complete:
            return
        if cleaned.get("one_language_reason", "").strip():
            self.one_language = True
            return
        self.add_error(
            "notes_status",
            _(
                "These notes are to be published in English and Welsh. Complete both languages, "
                "or give the reason for approving them in one language. %(missing)s"
            )
            % {"missing": gaps.describe()},
        )


def start_of_day(moment: datetime.datetime) -> datetime.datetime:
    """Midnight, in the forum's time zone, of the day ``moment`` falls on there."""
    zone = timezone.get_current_timezone()
    day = timezone.localtime(moment, zone).date()
    return datetime.datetime.combine(day, datetime.time(), zone)


class MeetingLockForm(VersionedModelForm):
    """Only the meeting's version: the agenda and attendance pages claim it on save, so that two
    people changing one meeting's agenda cannot overwrite each other."""

    prefix = "meeting"

    class Meta:
        model = Meeting
        fields = []


class AgendaItemForm(forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = ["title", "title_cy", "discussion", "discussion_cy"]
        labels = {
            "title": _("Title"),
            "title_cy": _("Title (Welsh)"),
            "discussion": _("Discussion"),
            "discussion_cy": _("Discussion (Welsh)"),
        }
        widgets = {
            "discussion": forms.Textarea(attrs={"rows": 6}),
            "discussion_cy": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(self)


class BaseAgendaFormSet(forms.BaseInlineFormSet):
    def __init__(self, *args, **kwargs):
        queryset = AgendaItem.objects.order_by("number", "pk")
        super().__init__(*args, queryset=queryset, **kwargs)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this item")
        form.helper = form_helper(form)  # again: the row's id and DELETE came after __init__


AgendaFormSet = forms.inlineformset_factory(
    Meeting,
    AgendaItem,
    form=AgendaItemForm,
    formset=BaseAgendaFormSet,
    extra=1,
    can_delete=True,
    can_delete_extra=False,
)


class AttendanceForm(forms.ModelForm):
    """One attendance row: a person, an organisation or both, and the row as the notes write
    it (filled in from the choice when left empty); whether they were present, sent apologies
    or were absent; the heading the notes list them under, their initials and whom they
    attended for."""

    class Meta:
        model = Attendance
        fields = [
            "person",
            "organisation",
            "as_written",
            "status",
            "group",
            "initials",
            "deputy_for",
        ]
        labels = {
            "person": _("Person"),
            "organisation": _("Organisation"),
            "as_written": _("As written in the notes"),
            "status": _("Present, apologies or absent"),
            "group": _("Group"),
            "initials": _("Initials"),
            "deputy_for": _("Attending for"),
        }
        help_texts = {
            "as_written": _("Leave empty to use the name chosen above."),
            "group": _(
                'The heading the notes list them under, for example "Secretariat" or '
                '"Guests". Leave empty for the main list.'
            ),
            "initials": _("As the notes abbreviate the person, for example in actions."),
            "deputy_for": _("The member they deputised for, if any."),
        }

    def __init__(self, *args, people=(), organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(self)
        self.fields["as_written"].required = False
        # Choices given once for every row: one query for the page, not one per row.
        self.fields["person"].choices = [("", _("No person")), *people]
        self.fields["organisation"].choices = [("", _("No organisation")), *organisations]

    def clean(self):
        cleaned = super().clean()
        person, organisation = cleaned.get("person"), cleaned.get("organisation")
        written = " ".join((cleaned.get("as_written") or "").split())
        if not (person or organisation or written):
            self.add_error(
                "person",
                _("Choose a person or an organisation, or write the row as the notes give it."),
            )
            return cleaned
        if organisation is None and person is not None:
            organisation = person.organisation
        names = (person and person.display_name, organisation and organisation.name)
        cleaned["as_written"] = written or ", ".join(name for name in names if name)
        for name in ("group", "initials", "deputy_for"):
            cleaned[name] = " ".join((cleaned.get(name) or "").split())
        # The name and organisation as the notes wrote them stay unless another person or
        # organisation is chosen: changing a row's status or group must not rewrite them.
        if self.instance.pk is None or {"person", "organisation"} & set(self.changed_data):
            self.instance.name = person.display_name if person else ""
            self.instance.organisation_text = organisation.name if organisation else ""
        cleaned["organisation"] = organisation
        return cleaned


class BaseAttendanceFormSet(forms.BaseInlineFormSet):
    def __init__(self, *args, **kwargs):
        # Archived people and organisations are offered only where a row already names them.
        meeting = kwargs.get("instance")
        rows = (
            Attendance.objects.filter(meeting=meeting)
            if meeting is not None and meeting.pk
            else Attendance.objects.none()
        )
        people = (
            Person.objects.for_choice(rows.values("person"))
            .select_related("organisation")
            .order_by("full_name")
        )
        organisations = Organisation.objects.for_choice(rows.values("organisation"))
        choices = {
            "people": [(person.pk, owner_label(person)) for person in people],
            "organisations": list(organisations.order_by("name").values_list("pk", "name")),
        }
        queryset = Attendance.objects.order_by("status", "order", "pk")
        super().__init__(*args, queryset=queryset, form_kwargs=choices, **kwargs)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this row")
        form.helper = form_helper(form)  # again: the row's id and DELETE came after __init__


AttendanceFormSet = forms.inlineformset_factory(
    Meeting,
    Attendance,
    form=AttendanceForm,
    formset=BaseAttendanceFormSet,
    extra=3,
    can_delete=True,
    can_delete_extra=False,
)
