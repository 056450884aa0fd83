"""The Markdown export of a meeting, fed back to ``import_meeting_notes``, gives the same meeting:
attendance, agenda items, actions, owners and deadlines."""

import pytest

from actions.models import ActionItem
from exports import meeting_notes
from meetings.importers import import_meeting_notes
from meetings.models import Attendance, Meeting
from tests import factories
from tests.test_export_meeting_notes import SEED, import_seed, loaded, make_welsh_meeting

EXPORT_NAME = "exported-notes.md"


def snapshot(meeting):
    """What the notes say about a meeting, free of database ids."""
    meeting = Meeting.objects.select_related("forum").get(pk=meeting.pk)
    own_title = "" if meeting.title == meeting.forum.name else meeting.title
    return {
        "title": own_title,
        "when": (meeting.starts_at, meeting.ends_at, meeting.venue, meeting.online_platform),
        "attendance": [
            (a.as_written, a.name, a.organisation_text, a.status)
            for a in meeting.attendance.order_by("order")
        ],
        "items": [(i.number, i.title, i.discussion) for i in meeting.items.order_by("number")],
        "actions": [
            (
                a.number,
                a.agenda_item.number if a.agenda_item else None,
                a.text,
                a.inline_text,
                a.owner_text,
                a.deadline_text,
            )
            for a in meeting.actions.select_related("agenda_item").order_by("number", "pk")
        ],
    }


def resolved_owners_and_dates(meeting):
    return [
        (
            a.number,
            a.owner_person_id,
            a.owner_organisation_id,
            a.owner_role_id,
            a.due_date,
            a.due_rule,
        )
        for a in ActionItem.objects.filter(meeting=meeting).order_by("number")
    ]


def export_markdown(meeting):
    return meeting_notes.render_markdown(loaded(meeting), "en")


def reimport_into_clean_meeting(meeting):
    """Export, remove the meeting and all that hangs off it, import the export."""
    markdown = export_markdown(meeting)
    meeting.delete()
    import_meeting_notes(text=markdown, source_name=EXPORT_NAME)
    return Meeting.objects.get(source_document=EXPORT_NAME)


@pytest.mark.django_db
def test_seed_meeting_survives_export_and_import_into_a_clean_meeting():
    original = import_seed()
    before = snapshot(original)
    owners_before = resolved_owners_and_dates(original)
    assert len(before["attendance"]) == 28
    assert len(before["items"]) == 5
    assert len(before["actions"]) == 7

    again = reimport_into_clean_meeting(original)

    assert again.pk != original.pk
    assert snapshot(again) == before
    assert resolved_owners_and_dates(again) == owners_before


@pytest.mark.django_db
def test_importing_the_seed_export_over_the_seed_meeting_changes_nothing():
    meeting = import_seed()
    report = import_meeting_notes(text=export_markdown(meeting), source_name=SEED.name)
    assert not report.changed, report.summary()
    assert Meeting.objects.count() == 1


@pytest.mark.django_db
def test_generated_meeting_with_welsh_text_survives_export_and_import():
    original = make_welsh_meeting(venue="Tŷ Hywel, Cardiff Bay")
    before = snapshot(original)
    markdown = export_markdown(original)
    assert "Siân Llŷr - Dŵr Cymru Welsh Water" in markdown
    assert "Share the Eisteddfod ŵyl toolkit" in markdown

    again = reimport_into_clean_meeting(original)

    after = snapshot(again)
    assert after == before
    assert after["attendance"][0] == (
        "Siân Llŷr - Dŵr Cymru Welsh Water",
        "Siân Llŷr",
        "Dŵr Cymru Welsh Water",
        "present",
    )
    assert after["items"][0][2] == (
        "The Chair welcomed everyone.\n\n- First point about Tŷ Hywel\n- Second point"
    )


@pytest.mark.django_db
def test_a_pipe_in_a_summary_cell_survives_the_markdown_table():
    original = make_welsh_meeting()
    ActionItem.objects.filter(meeting=original, number=2).update(
        text="Compare options A | B for Tŷ Hywel.", owner_text="WG | Cymru"
    )
    before = snapshot(original)
    assert "| 2 | Compare options A \\| B for Tŷ Hywel. | WG \\| Cymru |" in export_markdown(
        original
    )

    assert snapshot(reimport_into_clean_meeting(original)) == before


@pytest.mark.django_db
def test_a_meeting_with_a_title_of_its_own_keeps_it():
    original = make_welsh_meeting(title="Extraordinary meeting on Gŵyl funding")
    before = snapshot(original)
    assert export_markdown(original).startswith("# Extraordinary meeting on Gŵyl funding\n")

    assert snapshot(reimport_into_clean_meeting(original)) == before


@pytest.mark.django_db
def test_apologies_come_back_as_apologies():
    original = make_welsh_meeting()
    factories.AttendanceFactory(
        meeting=original,
        order=10,
        name="Dafydd ap Gwŷn",
        organisation_text="Cyngor Gwynedd",
        as_written="Dafydd ap Gwŷn - Cyngor Gwynedd",
        status=Attendance.Status.APOLOGIES,
    )
    before = snapshot(original)
    assert "## Apologies\n\n- Dafydd ap Gwŷn - Cyngor Gwynedd\n" in export_markdown(original)

    assert snapshot(reimport_into_clean_meeting(original)) == before


@pytest.mark.django_db
def test_groups_and_absences_come_back_as_they_were():
    original = make_welsh_meeting()
    for order, (name, organisation, status, group) in enumerate(
        [
            (
                "Ann Lee",
                "Welsh Government",
                Attendance.Status.PRESENT,
                "Welsh Government officials",
            ),
            ("Bob Brown", "Cardiff Council", Attendance.Status.PRESENT, "Local partners"),
            ("Dee Hall", "BAWSO", Attendance.Status.ABSENT, ""),
        ],
        start=20,
    ):
        factories.AttendanceFactory(
            meeting=original,
            order=order,
            name=name,
            organisation_text=organisation,
            as_written=f"{name} - {organisation}",
            status=status,
            group=group,
        )
    markdown = export_markdown(original)
    assert "**Welsh Government officials**\n\n- Ann Lee - Welsh Government\n" in markdown
    assert "## Absent\n\n- Dee Hall - BAWSO\n" in markdown

    copy = reimport_into_clean_meeting(original)
    rows = {row.name: (row.status, row.group) for row in copy.attendance.all()}
    assert rows["Ann Lee"] == ("present", "Welsh Government officials")
    assert rows["Bob Brown"] == ("present", "Local partners")
    assert rows["Dee Hall"] == ("absent", "")
