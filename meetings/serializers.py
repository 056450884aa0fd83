"""A meeting as plain data (meeting, attendance, agenda items, actions), for the exports."""

from django.utils import timezone

from actions.models import ActionItem
from meetings.models import Meeting


def _owner(action: ActionItem) -> dict | None:
    for kind, value in (
        ("person", action.owner_person),
        ("organisation", action.owner_organisation),
        ("role", action.owner_role),
    ):
        if value is not None:
            return {"kind": kind, "name": str(value)}
    return None


def action_data(action: ActionItem, *, item_numbers: dict) -> dict:
    return {
        "number": action.number,
        "agenda_item": item_numbers.get(action.agenda_item_id),
        "text": action.text,
        "inline_text": action.inline_text,
        "owner_text": action.owner_text,
        "owner": _owner(action),
        "deadline_text": action.deadline_text,
        "due_date": action.due_date.isoformat() if action.due_date else None,
        "due_rule": action.due_rule,
        "status": action.status,
        "completed_on": action.completed_on.isoformat() if action.completed_on else None,
        "completion_note": action.completion_note,
    }


def _local(value):
    return timezone.localtime(value).isoformat() if value else None


def meeting_queryset():
    # Everything the export reads, in a fixed number of queries whatever the meeting's size.
    return Meeting.objects.select_related("forum").prefetch_related(
        "attendance__person",
        "attendance__organisation",
        "items",
        "actions__owner_person",
        "actions__owner_organisation",
        "actions__owner_role",
    )


def meeting_data(meeting: Meeting) -> dict:
    """The meeting as imported: its details, attendance, agenda items and actions."""
    items = list(meeting.items.all())
    item_numbers = {item.pk: item.number for item in items}
    return {
        "meeting": {
            "forum": meeting.forum.name,
            "title": meeting.title,
            "date": timezone.localdate(meeting.starts_at).isoformat(),
            # A meeting whose notes give only its date has no times to state.
            "time_recorded": meeting.time_recorded,
            "starts_at": _local(meeting.starts_at) if meeting.time_recorded else None,
            "ends_at": _local(meeting.ends_at) if meeting.time_recorded else None,
            "venue": meeting.venue,
            "online_platform": meeting.online_platform,
            "status": meeting.status,
            "notes_status": meeting.notes_status,
        },
        "attendance": [
            {
                "as_written": row.as_written,
                "name": row.name,
                "organisation_text": row.organisation_text,
                "person": row.person.full_name if row.person else None,
                "organisation": row.organisation.name if row.organisation else None,
                "status": row.status,
                # The heading the notes list the row under ("Welsh Government officials"…).
                "group": row.group,
                "initials": row.initials,
                "deputy_for": row.deputy_for,
            }
            for row in meeting.attendance.all()
        ],
        "agenda_items": [
            {
                "number": item.number,
                "title": item.title,
                "presenter": item.presenter,
                "discussion": item.discussion,
            }
            for item in items
        ],
        "actions": [
            action_data(action, item_numbers=item_numbers) for action in meeting.actions.all()
        ],
    }
