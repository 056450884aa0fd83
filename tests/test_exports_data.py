import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from actions.models import ActionItem
from correspondence.models import Letter
from hatecrime.models import DeliveryPlan, PlanAction
from meetings.models import Meeting
from tests import factories


def command(name, *args, **kwargs):
    out, err = io.StringIO(), io.StringIO()
    call_command(name, *args, stdout=out, stderr=err, **kwargs)
    return out.getvalue()


@pytest.fixture
def seeded(db):
    output = command("load_seed_documents")
    return output


def test_load_seed_documents_imports_all_three_and_prints_one_line_each(seeded):
    lines = seeded.strip().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("Delivery plan 2016-17 (87 actions): created")
    assert lines[1].startswith("Meeting of 17 March 2025 (7 actions): created")
    assert lines[2].startswith("Letter JH/PO/31/2025: created")
    assert PlanAction.objects.count() == 87
    assert ActionItem.objects.count() == 7
    assert Letter.objects.get().sender.full_name == "Jane Hutt"


def test_load_seed_documents_a_second_time_changes_nothing(seeded):
    counts = [m.history.count() for m in (PlanAction, Meeting, ActionItem, Letter)]
    again = command("load_seed_documents").strip().splitlines()
    assert all(line.endswith("nothing changed") for line in again)
    assert [m.history.count() for m in (PlanAction, Meeting, ActionItem, Letter)] == counts


def test_load_seed_documents_dry_run_saves_nothing(db):
    output = command("load_seed_documents", dry_run=True)
    assert output.count("dry run") == 3
    assert PlanAction.objects.count() == 0 and Letter.objects.count() == 0


def test_the_plan_csv_has_one_row_per_action_matching_the_database(seeded):
    rows = list(csv.DictReader(io.StringIO(command("export_delivery_plan", format="csv"))))
    actions = {a.reference: a for a in PlanAction.objects.select_related("area__objective")}
    assert [r["reference"] for r in rows] == list(
        PlanAction.objects.order_by("sort_major", "sort_minor").values_list("reference", flat=True)
    )
    assert len(rows) == 87
    for row in rows:
        action = actions[row["reference"]]
        assert row["text"] == action.text
        assert row["leads_as_written"] == action.leads_text
        expected = [link.organisation.name for link in action.lead_links.order_by("order")]
        assert (row["leads"].split("; ") if row["leads"] else []) == expected
        assert int(row["area_number"]) == action.area.number
        assert row["objective"] == action.area.objective.title_en
        assert row["status"] == action.status
    row = next(r for r in rows if r["reference"] == "8.5")
    assert row["leads"] == (
        "Community Cohesion Co-ordinators; Social Data Science Lab, Cardiff University; "
        "Hate Crime Criminal Justice Board Cymru"
    )


def test_the_plan_json_carries_the_plan_and_its_actions(seeded):
    data = json.loads(command("export_delivery_plan", format="json"))
    plan = DeliveryPlan.objects.get()
    assert data["plan"]["period"] == "2016-17"
    assert data["plan"]["title"] == plan.title_en
    assert len(data["actions"]) == 87
    first = data["actions"][0]
    assert first["reference"] == "1.1"
    assert first["leads"] == ["Welsh Government", "Welsh Police Forces"]
    four_one = next(a for a in data["actions"] if a["reference"] == "4.1")
    assert four_one["text"] == PlanAction.objects.get(reference="4.1").text
    assert "\n- Explore avenues" in four_one["text"]


def test_the_plan_export_writes_to_a_file(seeded, tmp_path):
    target = tmp_path / "plan.csv"
    assert command("export_delivery_plan", format="csv", output=str(target)) == ""
    with open(target, encoding="utf-8", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == 87


def test_exporting_a_missing_plan_is_an_error(db):
    with pytest.raises(CommandError, match="no delivery plan"):
        command("export_delivery_plan", format="csv")


def test_the_plan_export_reflects_progress_recorded_later(seeded):
    PlanAction.objects.filter(reference="2.2").update(status="complete", progress_note="Done.")
    data = json.loads(command("export_delivery_plan", format="json"))
    row = next(a for a in data["actions"] if a["reference"] == "2.2")
    assert (row["status"], row["progress_note"]) == ("complete", "Done.")


def test_the_meeting_json_matches_the_database(seeded):
    data = json.loads(command("export_meeting", date="2025-03-17", format="json"))
    meeting = Meeting.objects.get()
    assert data["meeting"]["date"] == "2025-03-17"
    assert data["meeting"]["starts_at"] == "2025-03-17T12:00:00+00:00"
    assert data["meeting"]["online_platform"] == "Teams"
    assert len(data["attendance"]) == 28
    assert [a["as_written"] for a in data["attendance"]] == list(
        meeting.attendance.order_by("order").values_list("as_written", flat=True)
    )
    assert data["attendance"][0]["person"] == "Jane Hutt"
    assert "email" not in json.dumps(data["attendance"])
    assert [(i["number"], i["title"]) for i in data["agenda_items"]] == list(
        meeting.items.values_list("number", "title")
    )
    assert data["agenda_items"][3]["discussion"] == meeting.items.get(number=4).discussion
    assert len(data["actions"]) == 7
    for exported in data["actions"]:
        action = meeting.actions.get(number=exported["number"])
        assert exported["text"] == action.text
        assert exported["owner_text"] == action.owner_text
        assert exported["owner"] == {"kind": "role", "name": action.owner_role.name}
        assert exported["deadline_text"] == action.deadline_text
        assert exported["agenda_item"] == action.agenda_item.number
        assert exported["due_date"] == (action.due_date.isoformat() if action.due_date else None)
    assert data["actions"][2]["due_date"] == "2025-05-31"


def test_the_meeting_export_uses_a_fixed_number_of_queries(db, django_assert_max_num_queries):
    from meetings.serializers import meeting_data, meeting_queryset

    meeting = factories.MeetingFactory()
    for number in range(1, 21):
        item = factories.AgendaItemFactory(meeting=meeting, number=number)
        factories.AttendanceFactory(meeting=meeting, order=number)
        factories.ActionItemFactory(meeting=meeting, agenda_item=item, number=number)
    with django_assert_max_num_queries(8):
        meeting_data(meeting_queryset().get(pk=meeting.pk))


def test_the_meeting_export_writes_to_a_file(seeded, tmp_path):
    target = tmp_path / "meeting.json"
    command("export_meeting", date="2025-03-17", format="json", output=str(target))
    assert json.loads(target.read_text(encoding="utf-8"))["meeting"]["status"] == "held"


@pytest.mark.parametrize(
    ("date", "message"),
    [("2025-03-18", "no meeting on 18 March 2025"), ("17/03/2025", "not a date")],
)
def test_exporting_a_meeting_needs_a_valid_date_with_a_meeting(seeded, date, message):
    with pytest.raises(CommandError, match=message):
        command("export_meeting", date=date, format="json")
