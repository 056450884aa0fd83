"""Workflows of writing up a meeting: creating it, ordering its agenda, copying attendance and
bringing forward the actions of the meeting before."""

from django.db import transaction

from actions.models import ActionItem
from actions.services import refresh_next_meeting_due_dates
from meetings.models import AgendaItem, Attendance, Meeting
from wrc.lib.numbering import next_number

PREVIOUS_ACTIONS_TITLE = "Actions from the last meeting"
PREVIOUS_ACTIONS_TITLE_CY = "Camau gweithredu o’r cyfarfod diwethaf"


def previous_open_actions(meeting: Meeting):
    """Open actions of the meeting before ``meeting``, in the order of their Summary of Actions."""
    previous = meeting.previous()
    if previous is None:
        return ActionItem.objects.none()
    return ActionItem.objects.filter(meeting=previous).open().order_by("number", "pk")


def opens_with_previous_actions(meeting: Meeting) -> bool:
    """Whether the first agenda item is "Actions from the last meeting" (prefetched items)."""
    first = next(iter(meeting.items.all()), None)
    return first is not None and first.number == 1 and first.title == PREVIOUS_ACTIONS_TITLE


def previous_actions_for_notes(meeting: Meeting, user):
    """Every action of the meeting before that ``user`` may see, with its status now: what the
    notes list under "Actions from the last meeting"."""
    previous = meeting.previous()
    if previous is None:
        return []
    return list(
        ActionItem.objects.visible_to(user)
        .filter(meeting=previous)
        .select_related("owner_person", "owner_organisation", "owner_role")
        .order_by("number", "pk")
    )


@transaction.atomic
def meeting_create(*, meeting: Meeting) -> Meeting:
    """Save a new ``meeting``; open it with "1. Actions from the last meeting" when the meeting
    before left actions open, and date the "before the next meeting" actions of that meeting."""
    meeting.save()
    if previous_open_actions(meeting).exists():
        AgendaItem.objects.create(
            meeting=meeting,
            number=1,
            title=PREVIOUS_ACTIONS_TITLE,
            title_cy=PREVIOUS_ACTIONS_TITLE_CY,
        )
    refresh_next_meeting_due_dates(meeting.forum)
    return meeting


def agenda_renumber(meeting: Meeting, ordered: list[AgendaItem]) -> None:
    """Number ``ordered`` 1, 2, 3… in that order. Items that move are parked on numbers above the
    agenda first, because (meeting, number) is unique and two items may swap."""
    moving = [item for position, item in enumerate(ordered, 1) if item.number != position]
    if not moving:
        return
    parking = next_number(meeting.items.all())
    for offset, item in enumerate(moving):
        AgendaItem.objects.filter(pk=item.pk).update(number=parking + offset)
    for position, item in enumerate(ordered, 1):
        if item.number != position:
            item.number = position
            item.save(update_fields=["number"])


def agenda_move(meeting: Meeting, *, item_pk: int, direction: str) -> bool:
    """Move one item up or down the agenda; False when it is already at that end."""
    ordered = list(meeting.items.order_by("number", "pk"))
    index = next((i for i, item in enumerate(ordered) if item.pk == item_pk), None)
    if index is None:
        return False
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(ordered):
        return False
    ordered[index], ordered[target] = ordered[target], ordered[index]
    agenda_renumber(meeting, ordered)
    return True


def attendance_key(row: Attendance):
    if row.person_id:
        return ("person", row.person_id)
    if row.organisation_id:
        return ("organisation", row.organisation_id)
    return ("text", " ".join(row.as_written.lower().split()))


def attendance_copy_from_previous(meeting: Meeting) -> int:
    """Add the previous meeting's attendance list to ``meeting``, everyone marked present (the
    secretariat then marks this meeting's apologies); rows already there are not repeated.
    Returns how many rows were added."""
    previous = meeting.previous()
    if previous is None:
        return 0
    present = {attendance_key(row) for row in meeting.attendance.all()}
    order = next_number(meeting.attendance.all(), "order")
    added = []
    for row in previous.attendance.order_by("status", "order", "pk"):
        if attendance_key(row) in present:
            continue
        present.add(attendance_key(row))
        added.append(
            Attendance(
                meeting=meeting,
                order=order + len(added),
                as_written=row.as_written,
                name=row.name,
                organisation_text=row.organisation_text,
                person_id=row.person_id,
                organisation_id=row.organisation_id,
                status=Attendance.Status.PRESENT,
            )
        )
    Attendance.objects.bulk_create(added)
    return len(added)
