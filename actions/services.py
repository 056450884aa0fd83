"""Workflows on action items shared by the importers and the editing pages."""

from dataclasses import dataclass

from django.utils import timezone

from actions.models import ActionItem
from directory.models import Forum, Organisation, OwnerRole, Person
from directory.services import person_resolve


@dataclass(frozen=True)
class Owner:
    """Who an owner text means: at most one of a person, an organisation or a role."""

    person: Person | None = None
    organisation: Organisation | None = None
    role: OwnerRole | None = None

    @property
    def found(self) -> bool:
        return any((self.person, self.organisation, self.role))

    def as_fields(self) -> dict:
        return {
            "owner_person": self.person,
            "owner_organisation": self.organisation,
            "owner_role": self.role,
        }


def resolve_owner(text: str, *, forum: Forum | None = None) -> Owner:
    """The owner ``text`` names. Roles come first because the notes name owners by role
    ("Secretariat", "Officials"); then a person by name; then an organisation."""
    text = " ".join((text or "").split())
    if not text:
        return Owner()
    roles = OwnerRole.objects.filter(forum=forum) if forum else OwnerRole.objects.all()
    if role := roles.resolve(text):
        return Owner(role=role)
    if person := person_resolve(text):
        return Owner(person=person)
    if organisation := Organisation.objects.resolve(text):
        return Owner(organisation=organisation)
    return Owner()


def next_meeting_date(meeting):
    """The local date of the meeting after ``meeting``, or None while none is planned."""
    following = meeting.next() if meeting is not None else None
    return timezone.localdate(following.starts_at) if following else None


def refresh_next_meeting_due_dates(forum: Forum) -> int:
    """Give "before the next meeting" actions the date of the meeting after theirs; returns how
    many actions changed. Run after a meeting is added, moved or cancelled."""
    changed = 0
    actions = ActionItem.objects.filter(
        meeting__forum=forum, due_rule=ActionItem.DueRule.NEXT_MEETING
    ).select_related("meeting")
    next_dates = {}
    for action in actions:
        if action.meeting_id not in next_dates:
            next_dates[action.meeting_id] = next_meeting_date(action.meeting)
        due = next_dates[action.meeting_id]
        if action.due_date != due:
            action.due_date = due
            action.save(update_fields=["due_date", "updated_at"])  # save() raises the version
            changed += 1
    return changed
