"""The review of an imported document in the browser: upload, what was understood beside the
numbered source lines, the reviewer's corrections, the commit, and the undo."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from actions.models import ActionItem
from imports.models import DocumentImport
from meetings.models import Attendance, Meeting
from tests import factories

pytestmark = pytest.mark.django_db

NOTES = """Wales Race Forum
10:00 – 12:00, Monday 3rd March 2025 – Via Teams
Draft for agreement at the next meeting

Attendance
Aled Roberts - Tai Pawb
Rhian Jones - Race Equality First
Tomos Evans - Welsh Government

Secretariat
Nia Griffiths - Welsh Government

Apologies
Sam Lewis - Victim Support Cymru

Meeting notes
1. Welcome and introductions
The Chair welcomed members to the meeting.
2. Community cohesion update
Rhian Jones gave an update on community cohesion.
Action: Tomos Evans to share the funding timetable by 31 March 2025.

Summary of actions
Secretariat to book the venue for the June meeting
"""
UNPLACED_HEADER = "Draft for agreement at the next meeting"
UNPLACED_ACTION = "Secretariat to book the venue for the June meeting"


@pytest.fixture
def forum():
    return factories.ForumFactory()


@pytest.fixture
def secretariat(client, forum):
    user = factories.secretariat_user(forum=forum, username="sian")
    client.force_login(user)
    return user


def upload(client, forum, name="notes.txt", data=None, kind="meeting"):
    document = SimpleUploadedFile(name, NOTES.encode() if data is None else data)
    return client.post(
        reverse("imports:upload"), {"documents": [document], "forum": forum.pk, "kind": kind}
    )


def started(client, forum, **kwargs) -> DocumentImport:
    response = upload(client, forum, **kwargs)
    assert response.status_code == 302, response.content.decode()[:3000]
    document_import = DocumentImport.objects.get()
    assert response["Location"] == document_import.get_absolute_url()
    return document_import


def review_data(response, **changes) -> dict:
    """The review form as the page rendered it, with ``changes`` ("rows-0-group": ...)."""
    data = {}
    for formset in (response.context["rows_formset"], response.context["lines_formset"]):
        management = formset.management_form
        for name in management.fields:
            data[f"{formset.prefix}-{name}"] = management[name].value()
        for form in formset.forms:
            for name in form.fields:
                value = form[name].value()
                if value is None or value is False:
                    continue
                data[form.add_prefix(name)] = "on" if value is True else value
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def row_index(response, as_written: str) -> int:
    for index, form in enumerate(response.context["rows_formset"].forms):
        if form["text"].value() == as_written:
            return index
    raise AssertionError(f"no row {as_written!r}")


def test_the_review_shows_the_numbered_source_lines_the_unplaced_ones_and_the_attendance(
    client, forum, secretariat
):
    document_import = started(client, forum)
    response = client.get(document_import.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    for number, text in enumerate(NOTES.splitlines(), start=1):
        assert f'id="line-{number}"' in page
        if text:
            assert text.replace("'", "&#x27;") in page
    assert f"<mark>{UNPLACED_HEADER}</mark>" in page
    assert "Not placed" in page
    for row in ("Aled Roberts - Tai Pawb", "Nia Griffiths - Welsh Government"):
        assert row in page
    assert [row.group for row in response.context["rows"]].count("Secretariat") == 1
    assert "Tomos Evans to share the funding timetable" in page
    assert Meeting.objects.count() == 0


def test_corrections_move_a_row_and_pick_a_person_and_nothing_is_saved_before_the_commit(
    client, forum, secretariat
):
    person = factories.PersonFactory(full_name="Rhiannon Jones")
    document_import = started(client, forum)
    response = client.get(document_import.get_absolute_url())
    rhian = row_index(response, "Rhian Jones - Race Equality First")
    tomos = row_index(response, "Tomos Evans - Welsh Government")
    # The directory's nearest name is offered for the row written "Rhian Jones".
    offered = dict(response.context["rows_formset"].forms[rhian].fields["match"].choices)
    assert f"person:{person.pk}" in offered
    data = review_data(
        response,
        **{
            f"rows-{tomos}-group": "Secretariat",
            f"rows-{rhian}-match": f"person:{person.pk}",
            "save": "1",
        },
    )
    response = client.post(document_import.get_absolute_url(), data)
    assert response.status_code == 302
    document_import.refresh_from_db()
    assert document_import.corrections["attendance"]
    assert Meeting.objects.count() == 0 and Attendance.objects.count() == 0

    page = client.get(document_import.get_absolute_url())
    rows = {row.row.as_written: row for row in page.context["rows"]}
    assert rows["Tomos Evans - Welsh Government"].group == "Secretariat"
    assert rows["Rhian Jones - Race Equality First"].resolution.person == person
    assert "chosen by you" in page.content.decode()


def test_the_commit_creates_the_meeting_with_the_corrected_rows_and_undo_removes_it(
    client, forum, secretariat
):
    person = factories.PersonFactory(full_name="Rhiannon Jones")
    document_import = started(client, forum)
    response = client.get(document_import.get_absolute_url())
    rhian = row_index(response, "Rhian Jones - Race Equality First")
    tomos = row_index(response, "Tomos Evans - Welsh Government")
    sam = row_index(response, "Sam Lewis - Victim Support Cymru")
    action_line = NOTES.splitlines().index(UNPLACED_ACTION) + 1
    lines = response.context["lines_formset"].forms
    line_index = next(i for i, f in enumerate(lines) if f["line"].value() == action_line)
    data = review_data(
        response,
        **{
            f"rows-{tomos}-new_group": "Welsh Government officials",
            f"rows-{rhian}-match": f"person:{person.pk}",
            f"rows-{sam}-status": "absent",
            f"lines-{line_index}-make_action": "on",
            "save": "1",
        },
    )
    assert client.post(document_import.get_absolute_url(), data).status_code == 302
    page = client.get(document_import.get_absolute_url())
    reviewed = page.context["confirm_form"]["reviewed"].value()

    response = client.post(
        reverse("imports:commit", args=[document_import.pk]), {"reviewed": reviewed}
    )
    assert response.status_code == 302
    document_import.refresh_from_db()
    assert document_import.status == DocumentImport.Status.COMMITTED
    meeting = Meeting.objects.get(forum=forum)
    assert document_import.record_url == meeting.get_absolute_url()
    attendance = {row.as_written: row for row in meeting.attendance.all()}
    assert attendance["Tomos Evans - Welsh Government"].group == "Welsh Government officials"
    assert attendance["Rhian Jones - Race Equality First"].person == person
    assert attendance["Sam Lewis - Victim Support Cymru"].status == Attendance.Status.ABSENT
    assert ActionItem.objects.filter(meeting=meeting, text__icontains="book the venue").exists()
    done = client.get(document_import.get_absolute_url()).content.decode()
    assert meeting.get_absolute_url() in done and "Undo this import" in done

    undo = reverse("imports:undo", args=[document_import.pk])
    assert "Yes, undo the import" in client.get(undo).content.decode()
    assert client.post(undo).status_code == 302
    document_import.refresh_from_db()
    assert document_import.status == DocumentImport.Status.UNDONE
    assert not Meeting.objects.filter(pk=meeting.pk).exists()


def test_the_undo_is_refused_once_the_meeting_has_been_changed(client, forum, secretariat):
    document_import = started(client, forum)
    page = client.get(document_import.get_absolute_url())
    reviewed = page.context["confirm_form"]["reviewed"].value()
    client.post(reverse("imports:commit", args=[document_import.pk]), {"reviewed": reviewed})
    meeting = Meeting.objects.get(forum=forum)
    meeting.venue = "Cathays Park, Cardiff"
    meeting.save()

    undo = reverse("imports:undo", args=[document_import.pk])
    refused = client.get(undo).content.decode()
    assert "cannot be undone" in refused and "Yes, undo the import" not in refused
    response = client.post(undo)
    assert (
        response.status_code == 200
        and "has been changed since the import" in response.content.decode()
    )
    document_import.refresh_from_db()
    assert document_import.status == DocumentImport.Status.COMMITTED
    assert Meeting.objects.filter(pk=meeting.pk).exists()


def test_a_commit_after_the_corrections_changed_elsewhere_saves_nothing(client, forum, secretariat):
    document_import = started(client, forum)
    page = client.get(document_import.get_absolute_url())
    reviewed = page.context["confirm_form"]["reviewed"].value()
    document_import.corrections = {"attendance": []}
    document_import.save()
    client.post(reverse("imports:commit", args=[document_import.pk]), {"reviewed": reviewed})
    assert Meeting.objects.count() == 0
    document_import.refresh_from_db()
    assert document_import.status == DocumentImport.Status.REVIEWING


def test_editing_a_rows_text_splits_it_and_an_emptied_row_is_removed(client, forum, secretariat):
    document_import = started(client, forum)
    response = client.get(document_import.get_absolute_url())
    aled = row_index(response, "Aled Roberts - Tai Pawb")
    rhian = row_index(response, "Rhian Jones - Race Equality First")
    data = review_data(
        response,
        **{
            f"rows-{aled}-text": "Aled Roberts - Tai Pawb\nGwen Davies - Race Council Cymru",
            f"rows-{rhian}-text": "",
            "save": "1",
        },
    )
    client.post(document_import.get_absolute_url(), data)
    rows = client.get(document_import.get_absolute_url()).context["rows"]
    written = [row.row.as_written for row in rows]
    assert "Gwen Davies - Race Council Cymru" in written
    assert "Rhian Jones - Race Equality First" not in written
    gwen = next(row.row for row in rows if row.row.as_written.startswith("Gwen"))
    assert (gwen.name, gwen.organisation_text) == ("Gwen Davies", "Race Council Cymru")


def test_a_search_offers_the_people_found_without_saving(client, forum, secretariat):
    person = factories.PersonFactory(full_name="Bethan Aled-Roberts")
    document_import = started(client, forum)
    response = client.get(document_import.get_absolute_url())
    aled = row_index(response, "Aled Roberts - Tai Pawb")
    data = review_data(response, **{f"rows-{aled}-search": "Bethan", "search": f"rows-{aled}"})
    response = client.post(document_import.get_absolute_url(), data)
    assert response.status_code == 200
    offered = dict(response.context["rows_formset"].forms[aled].fields["match"].choices)
    assert f"person:{person.pk}" in offered
    document_import.refresh_from_db()
    assert document_import.corrections == {}


@pytest.mark.parametrize("role", ["member", "outsider", "other_secretariat"])
def test_imports_of_a_forum_are_not_found_by_those_who_do_not_keep_its_records(client, forum, role):
    owner = factories.secretariat_user(forum=forum, username="sian")
    client.force_login(owner)
    document_import = started(client, forum)
    users = {
        "member": lambda: factories.member_user(forum=forum, username="member"),
        "outsider": lambda: factories.UserFactory(username="outsider"),
        "other_secretariat": lambda: factories.secretariat_user(
            forum=factories.ForumFactory(board=True), username="board"
        ),
    }
    client.force_login(users[role]())
    for name in ("imports:review", "imports:undo", "imports:discard"):
        assert client.get(reverse(name, args=[document_import.pk])).status_code == 404
    commit = client.post(reverse("imports:commit", args=[document_import.pk]), {"reviewed": "x"})
    assert commit.status_code == 404
    assert Meeting.objects.count() == 0


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "is not a document the import reads"),
        ("notes.txt", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "Nothing was saved"),
    ],
)
def test_a_file_that_is_not_a_document_is_refused_with_a_clear_message(
    client, forum, secretariat, name, data, message
):
    response = upload(client, forum, name=name, data=data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert DocumentImport.objects.count() == 0


@override_settings(IMPORT_MAX_BYTES=100)
def test_a_document_over_the_size_limit_is_refused(client, forum, secretariat):
    response = upload(client, forum)
    assert response.status_code == 200
    assert "is larger than 100" in response.content.decode()
    assert DocumentImport.objects.count() == 0


def test_one_refused_document_of_several_saves_none(client, forum, secretariat):
    good = SimpleUploadedFile("notes.txt", NOTES.encode())
    bad = SimpleUploadedFile("empty.txt", b"   ")
    response = client.post(
        reverse("imports:upload"), {"documents": [good, bad], "forum": forum.pk, "kind": ""}
    )
    assert response.status_code == 200 and "Nothing was saved" in response.content.decode()
    assert DocumentImport.objects.count() == 0


def test_the_kind_is_worked_out_from_the_document_when_not_chosen(client, forum, secretariat):
    document_import = started(client, forum, kind="")
    assert document_import.kind == DocumentImport.Kind.MEETING


def test_the_list_shows_each_import_and_discard_sets_one_aside(client, forum, secretariat):
    document_import = started(client, forum)
    page = client.get(reverse("imports:list")).content.decode()
    assert "notes.txt" in page and "Under review" in page and "Discard" in page
    discard = reverse("imports:discard", args=[document_import.pk])
    assert client.post(discard).status_code == 302
    document_import.refresh_from_db()
    assert document_import.status == DocumentImport.Status.DISCARDED
    assert "Discarded" in client.get(reverse("imports:list")).content.decode()


def test_the_forum_page_links_its_secretariat_to_the_import(client, forum, secretariat):
    page = client.get(forum.get_absolute_url()).content.decode()
    assert f"{reverse('imports:upload')}?forum={forum.slug}" in page
