"""Forms for recording actions while a meeting is written up, and for bringing forward the
actions of the meeting before. Each refuses a stale save (see wrc.editing)."""

from dataclasses import dataclass, field

from crispy_forms_gds.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from actions.deadlines import FIXED, NEXT_MEETING, interpret_deadline
from actions.member_forms import ActionProgressForm
from actions.models import ActionItem
from actions.services import Owner, next_meeting_date, resolve_owner
from directory.models import Organisation, OwnerRole, Person
from meetings.models import AgendaItem, Meeting
from wrc.editing import LOCKING_FIELDS, VersionedModelForm, plain
from wrc.lib.numbering import next_number


def _comparable(value):
    value = plain(value)
    # Browsers send text areas back with CRLF line ends; the database holds LF.
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


class FormsetRowMixin:
    """For a ``VersionedModelForm`` that is one row of a formset: a row the user left as it was
    opened is neither checked for staleness nor saved, so that a change someone else made to
    another row (a member marking their action done) does not block this save.

    After ``is_valid()``, ``row_edited`` says whether the row is to be saved."""

    row_edited = False

    def user_changed_row(self) -> bool:
        if not self.is_versioned_edit:
            return self.has_changed()
        opened = self.opened_snapshot_values(None)
        if opened is None:
            return True
        for name in self.fields:
            if name in LOCKING_FIELDS or name == "DELETE" or name not in self.cleaned_data:
                continue
            value = self.cleaned_data[name]
            if name in opened:
                if _comparable(value) != _comparable(opened[name]):
                    return True
            elif value not in (None, "", [], False):
                return True
        return False

    def clean(self):
        self.row_edited = self.user_changed_row()
        if not self.row_edited:
            return self.cleaned_data
        return super().clean()


@dataclass
class OwnerChoices:
    """Everyone who can own an action, loaded once for every row of a form."""

    choices: list = field(default_factory=list)
    by_value: dict = field(default_factory=dict)

    @classmethod
    def load(cls, forum, actions=None) -> "OwnerChoices":
        """``actions``: a queryset of the actions the form edits, whose owners stay offered
        even once archived (every other archived owner is left out)."""
        actions = ActionItem.objects.none() if actions is None else actions
        roles = OwnerRole.objects.filter(forum=forum).order_by("name")
        organisations = Organisation.objects.for_choice(
            actions.values("owner_organisation")
        ).order_by("name")
        people = (
            Person.objects.for_choice(actions.values("owner_person"))
            .select_related("organisation")
            .order_by("full_name")
        )
        by_value, groups = {}, []
        for label, kind, rows in (
            (_("Roles"), "role", roles),
            (_("Organisations"), "organisation", organisations),
            (_("People"), "person", people),
        ):
            options = []
            for row in rows:
                value = f"{kind}:{row.pk}"
                by_value[value] = Owner(**{kind: row})
                options.append((value, owner_label(row)))
            groups.append((label, options))
        return cls(choices=[("", _("Choose an owner")), *groups], by_value=by_value)


def owner_label(row) -> str:
    if isinstance(row, Person):
        if row.organisation_id:
            return f"{row.display_name} ({row.organisation.name})"
        return row.display_name
    return row.name


def owner_name(owner: Owner) -> str:
    """How the notes write ``owner``."""
    if owner.person:
        return owner.person.display_name
    if owner.organisation:
        return owner.organisation.name
    return owner.role.name if owner.role else ""


def owner_value(action: ActionItem) -> str:
    for kind in ("person", "organisation", "role"):
        pk = getattr(action, f"owner_{kind}_id")
        if pk:
            return f"{kind}:{pk}"
    return ""


def shown_due_date(action: ActionItem):
    """The date the form shows: only a date someone gave, not one derived from the phrase, so
    that changing the phrase changes the date."""
    if action.due_date is None or action.due_rule == NEXT_MEETING:
        return None
    meeting_date = timezone.localdate(action.meeting.starts_at) if action.meeting else None
    derived, _rule = interpret_deadline(action.deadline_text, meeting_date)
    return None if derived == action.due_date else action.due_date


class ActionItemForm(FormsetRowMixin, VersionedModelForm):
    """One action recorded against an agenda item of ``meeting``."""

    owner = forms.ChoiceField(
        label=_("Owner"),
        required=False,
        help_text=_("A role, an organisation or a person."),
    )

    class Meta:
        model = ActionItem
        fields = ["agenda_item", "text", "owner_text", "deadline_text", "due_date", "status"]
        labels = {
            "agenda_item": _("Agenda item"),
            "text": _("Action"),
            "owner_text": _("Owner as written in the notes"),
            "deadline_text": _("Deadline as written"),
            "due_date": _("Due date"),
        }
        help_texts = {
            "owner_text": _("Leave empty to use the name of the owner chosen above."),
            "deadline_text": _("For example “By June 2025” or “Before the next meeting”."),
            "due_date": _("Leave empty to work it out from the deadline as written."),
        }
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3}),
            "due_date": forms.DateInput(
                attrs={"type": "date", "class": "govuk-input govuk-input--width-10"},
                format="%Y-%m-%d",
            ),
        }

    def __init__(self, *args, meeting: Meeting, owners: OwnerChoices, items: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.owners = owners
        self.order_fields(["agenda_item", "text", "owner", "owner_text", "deadline_text"])
        item_field = self.fields["agenda_item"]
        item_field.queryset = AgendaItem.objects.filter(meeting=meeting)
        # Choices given once for every row: one query for the page, not one per row.
        item_field.choices = [("", _("Choose an agenda item")), *items]
        item_field.required = True
        self.fields["owner"].choices = owners.choices
        if self.instance.pk:
            self.initial["owner"] = owner_value(self.instance)
            self.initial["due_date"] = shown_due_date(self.instance)

    def extra_snapshot(self, instance):
        return {"owner": owner_value(instance), "due_date": shown_due_date(instance)}

    def clean(self):
        cleaned = super().clean()
        if not self.row_edited:
            return cleaned
        self.clean_owner_pick(cleaned)
        self.clean_deadline(cleaned)
        return cleaned

    def clean_owner_pick(self, cleaned):
        owner = self.owners.by_value.get(cleaned.get("owner") or "")
        written = " ".join((cleaned.get("owner_text") or "").split())
        if owner is None and written:
            owner = resolve_owner(written, forum=self.meeting.forum)
        if owner is None or not (owner.found or written):
            self.add_error(
                "owner", _("Choose who owns the action, or write the owner as the notes give it.")
            )
            return
        cleaned["owner_text"] = written or owner_name(owner)
        self.resolved_owner = owner

    def clean_deadline(self, cleaned):
        self.due_rule = ActionItem.DueRule.NONE
        if cleaned.get("due_date"):
            self.due_rule = ActionItem.DueRule.FIXED
            return
        meeting_date = timezone.localdate(self.meeting.starts_at)
        due, rule = interpret_deadline(cleaned.get("deadline_text", ""), meeting_date)
        if rule == NEXT_MEETING:
            due = next_meeting_date(self.meeting)
        cleaned["due_date"] = due
        self.due_rule = {FIXED: ActionItem.DueRule.FIXED, NEXT_MEETING: rule}.get(rule, "")

    def save(self, commit=True):
        action = self.instance
        action.meeting = self.meeting
        action.due_rule = self.due_rule
        for name, value in self.resolved_owner.as_fields().items():
            setattr(action, name, value)
        if action.status == ActionItem.Status.DONE:
            action.completed_on = action.completed_on or timezone.localdate()
        else:
            action.completed_on = None
        if action.pk is None and action.number is None:
            action.number = next_number(ActionItem.objects.filter(meeting=self.meeting))
        return super().save(commit)


def row_helper(form):
    """A layout for every field of a formset row, including the id and DELETE fields the
    formset adds after the form's ``__init__`` built its first layout."""
    helper = FormHelper(form)
    helper.form_tag = False
    helper.disable_csrf = True  # the page's <form> has the token
    return helper


class ActionItemFormSet(forms.BaseModelFormSet):
    def __init__(self, *args, meeting: Meeting, **kwargs):
        self.meeting = meeting
        items = [(item.pk, str(item)) for item in meeting.items.order_by("number")]
        queryset = (
            ActionItem.objects.filter(meeting=meeting)
            .active()
            .select_related("meeting")
            .order_by("number", "pk")
        )
        owners = OwnerChoices.load(meeting.forum, actions=queryset)
        form_kwargs = {"meeting": meeting, "owners": owners, "items": items}
        super().__init__(*args, queryset=queryset, form_kwargs=form_kwargs, **kwargs)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.helper = row_helper(form)


def action_formset_class(extra: int = 2):
    return forms.modelformset_factory(
        ActionItem,
        form=ActionItemForm,
        formset=ActionItemFormSet,
        extra=extra,
        # No delete box: "Remove this action" is a link to a page that confirms, then archives.
        can_delete=False,
    )


class PreviousActionForm(FormsetRowMixin, ActionProgressForm):
    """An open action of the meeting before, brought forward: status, a progress note and the
    completion date. Rows left as opened are not saved and record no update."""

    class Meta(ActionProgressForm.Meta):
        labels = {"status": _("Status"), "completed_on": _("Completion date")}


class PreviousActionFormSet(forms.BaseModelFormSet):
    def __init__(self, *args, queryset, author, **kwargs):
        super().__init__(*args, queryset=queryset, form_kwargs={"author": author}, **kwargs)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.helper = row_helper(form)


PreviousActionsFormSetClass = forms.modelformset_factory(
    ActionItem, form=PreviousActionForm, formset=PreviousActionFormSet, extra=0, can_delete=False
)
