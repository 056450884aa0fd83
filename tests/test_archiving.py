"""Nothing lost by a delete: records others point at are protected (the admin says why) or
archived (hidden from lists, their pages and history kept)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from actions.forms import OwnerChoices
from actions.models import ActionItem
from correspondence.models import Letter
from directory.forms import PersonForm
from directory.models import Organisation
from hatecrime.forms import PlanActionForm
from hatecrime.models import PlanActionLead
from meetings.models import Attendance, Meeting
from tests import factories
from tests.test_meeting_editing import page_data

pytestmark = pytest.mark.django_db


def test_deleting_an_organisation_in_the_admin_keeps_its_plan_lead_links_and_says_why(
    client, official
):
    organisation = factories.OrganisationFactory(name="Victim Support Cymru")
    for _n in range(3):
        factories.PlanActionLeadFactory(organisation=organisation)
    client.force_login(official)
    url = reverse("admin:directory_organisation_delete", args=[organisation.pk])

    response = client.post(url, {"post": "yes"}, follow=True)
    assert "are archived, not deleted, so that their links and history are kept" in response.text
    assert Organisation.objects.filter(pk=organisation.pk).exists()
    assert PlanActionLead.objects.filter(organisation=organisation).count() == 3


@pytest.mark.parametrize(
    "pointer",
    [
        lambda: factories.ActionItemFactory(owner_person=factories.PersonFactory()).owner_person,
        lambda: factories.MembershipFactory().organisation,
        lambda: factories.AttendanceFactory(person=factories.PersonFactory()).person,
    ],
    ids=["person-actions", "org-memberships", "attendance"],
)
def test_a_record_others_point_at_cannot_be_deleted(pointer):
    record = pointer()
    with pytest.raises(ProtectedError):
        record.delete()
    assert type(record)._base_manager.filter(pk=record.pk).exists()


def test_an_archived_action_leaves_lists_and_reminders_counts_but_keeps_its_page(
    client, secretariat
):
    kept = factories.ActionItemFactory(text="Publish the annual report")
    archived = factories.ActionItemFactory(meeting=kept.meeting, text="Book the venue")
    archived.archive()
    assert list(ActionItem.objects.active()) == [kept]
    assert archived.version == 2 and archived.history.count() == 2

    client.force_login(secretariat)
    listing = client.get(reverse("actions:list")).text
    assert "Publish the annual report" in listing and "Book the venue" not in listing
    assert client.get(archived.get_absolute_url()).status_code == 200
    assert client.get(reverse("actions:remove", args=[archived.pk])).status_code == 404


# Archiving organisations, people and meetings ----------------------------------------------


def confirm(client, user, url):
    """Open the confirmation page, then submit it as its form would (with the version)."""
    client.force_login(user)
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    return page, client.post(url, {name: form[name].value() for name in form.fields})


def at(*day):
    return datetime.datetime(*day, 12, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def led_organisation(member):
    """The member's organisation: it leads a plan action, owns an action and was sent a
    letter the member reads because of it."""
    organisation = member.person.organisation
    lead = factories.PlanActionLeadFactory(organisation=organisation)
    letter = factories.LetterFactory(
        audience=Letter.Audience.ORGANISATIONS, status=Letter.Status.SENT, subject_en="To you"
    )
    letter.recipient_organisations.add(organisation)
    action = factories.ActionItemFactory(owner_organisation=organisation, text="Owned by them")
    return organisation, lead, letter, action


def test_archiving_an_organisation_says_what_it_is_linked_to_and_keeps_every_link(
    client, official, member, led_organisation
):
    organisation, lead, letter, action = led_organisation
    page, response = confirm(
        client, official, reverse("directory:organisation_archive", args=[organisation.slug])
    )
    assert page.context["affects"] == [
        "1 person",
        "1 delivery plan action it leads",
        "1 letter",
        "1 action it owns",
    ]
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.is_archived and organisation.version == 2

    listing = client.get(reverse("directory:organisation_list")).context["organisations"]
    assert organisation not in listing
    archived = client.get(reverse("directory:organisation_list"), {"archived": "yes"})
    assert list(archived.context["organisations"]) == [organisation]

    # Its page, its plan-lead link and the letter stay where they were, marked archived.
    assert "data-archived" in client.get(organisation.get_absolute_url()).text
    plan_page = client.get(lead.action.get_absolute_url()).text
    assert organisation.name in plan_page and "data-archived" in plan_page
    assert PlanActionLead.objects.filter(pk=lead.pk).exists()
    assert "data-archived" in client.get(action.get_absolute_url()).text
    client.force_login(member)
    assert client.get(letter.get_absolute_url()).status_code == 200
    assert "data-archived" in client.get(letter.get_absolute_url()).text


def test_an_archived_organisation_leaves_the_choices_except_where_it_is_chosen(
    official, led_organisation
):
    organisation, _lead, _letter, action = led_organisation
    organisation.archive()
    newcomer = PersonForm(user=official)
    assert organisation not in newcomer.fields["organisation"].queryset
    colleague = PersonForm(instance=organisation.people.get(), user=official)
    assert organisation in colleague.fields["organisation"].queryset

    forum = action.meeting.forum
    assert f"organisation:{organisation.pk}" not in OwnerChoices.load(forum).by_value
    kept = OwnerChoices.load(forum, actions=ActionItem.objects.filter(pk=action.pk))
    assert f"organisation:{organisation.pk}" in kept.by_value


def test_officials_restore_what_was_archived_and_nobody_else_may(
    client, official, secretariat, led_organisation
):
    organisation = led_organisation[0]
    person = organisation.people.get()
    organisation.archive()
    person.archive()
    for user, status in [(secretariat, 403), (official, 200)]:
        client.force_login(user)
        url = reverse("directory:organisation_restore", args=[organisation.slug])
        assert client.get(url).status_code == status
    confirm(client, official, reverse("directory:organisation_restore", args=[organisation.slug]))
    confirm(client, official, reverse("directory:person_restore", args=[person.pk]))
    organisation.refresh_from_db()
    person.refresh_from_db()
    assert not organisation.is_archived and not person.is_archived
    assert (
        organisation in client.get(reverse("directory:organisation_list")).context["organisations"]
    )
    # Restoring twice sends the official back to the page, changing nothing.
    again = client.post(reverse("directory:person_restore", args=[person.pk]))
    assert again.status_code == 302 and again["Location"] == person.get_absolute_url()


def test_an_archive_page_opened_before_a_change_is_refused(client, official):
    person = factories.PersonFactory(full_name="Aled Jones")
    url = reverse("directory:person_archive", args=[person.pk])
    client.force_login(official)
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    person.phone = "029 2000 0000"
    person.save()
    response = client.post(url, data)
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    person.refresh_from_db()
    assert not person.is_archived


def test_an_archived_person_leaves_the_people_list_and_keeps_their_attendance(client, official):
    attendance = factories.AttendanceFactory(person=factories.PersonFactory(full_name="Aled Jones"))
    person = attendance.person
    page, _response = confirm(
        client, official, reverse("directory:person_archive", args=[person.pk])
    )
    assert page.context["affects"] == ["1 attendance record"]
    assert person not in client.get(reverse("directory:person_list")).context["people"]
    assert client.get(person.get_absolute_url()).status_code == 200
    assert Attendance.objects.filter(pk=attendance.pk, person=person).exists()


def test_archiving_a_meeting_keeps_its_actions_and_moves_the_next_meeting_on(client, official):
    first = factories.MeetingFactory(starts_at=at(2031, 1, 10))
    mistaken = factories.MeetingFactory(forum=first.forum, starts_at=at(2031, 2, 10))
    real = factories.MeetingFactory(forum=first.forum, starts_at=at(2031, 3, 10))
    before_next = factories.ActionItemFactory(
        meeting=first, deadline_text="Before the next meeting"
    )
    before_next.due_rule = ActionItem.DueRule.NEXT_MEETING
    before_next.due_date = mistaken.local_date
    before_next.save()
    kept = factories.ActionItemFactory(meeting=mistaken, text="Agreed at the mistaken one")

    page, response = confirm(client, official, reverse("meetings:archive", args=[mistaken.pk]))
    assert page.context["affects"] == ["1 action"]
    assert response.status_code == 302
    mistaken.refresh_from_db()
    before_next.refresh_from_db()
    assert mistaken.is_archived and before_next.due_date == real.local_date
    assert mistaken not in client.get(reverse("meetings:list")).context["meetings"]
    assert "data-archived" in client.get(mistaken.get_absolute_url()).text
    assert ActionItem.objects.filter(pk=kept.pk, meeting=mistaken).exists()

    confirm(client, official, reverse("meetings:restore", args=[mistaken.pk]))
    before_next.refresh_from_db()
    assert before_next.due_date == mistaken.local_date


def test_the_admin_archives_meetings_and_refuses_to_delete_them_with_the_reason(client, official):
    action = factories.ActionItemFactory()
    meeting = action.meeting
    client.force_login(official)
    refused = client.post(
        reverse("admin:meetings_meeting_delete", args=[meeting.pk]), {"post": "yes"}, follow=True
    )
    assert "archived, not deleted" in refused.text
    assert Meeting.objects.filter(pk=meeting.pk).exists()
    changelist = reverse("admin:meetings_meeting_changelist")
    client.post(changelist, {"action": "archive_selected", "_selected_action": [meeting.pk]})
    meeting.refresh_from_db()
    assert meeting.is_archived and ActionItem.objects.filter(pk=action.pk).exists()
    client.post(changelist, {"action": "restore_selected", "_selected_action": [meeting.pk]})
    meeting.refresh_from_db()
    assert not meeting.is_archived


# Letters ---------------------------------------------------------------------------------------


def test_deleting_a_draft_asks_first_and_says_what_goes_with_it(
    client, secretariat, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    draft = factories.LetterFactory(status=Letter.Status.DRAFT, reference="DRAFT/1")
    enclosure = factories.EnclosureFactory(
        letter=draft, title="Toolkit", file=SimpleUploadedFile("toolkit.pdf", b"%PDF-1.4")
    )
    factories.CarbonCopyFactory(letter=draft)
    stored = tmp_path / enclosure.file.name
    assert stored.exists()

    client.force_login(secretariat)
    url = reverse("correspondence:delete", args=[draft.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Toolkit" in page.text
    assert "1 enclosure and its file" in page.text and "1 copy line" in page.text
    assert Letter.objects.filter(pk=draft.pk).exists()  # asking deletes nothing

    assert client.post(url).status_code == 302
    assert not Letter.objects.filter(pk=draft.pk).exists()
    assert not stored.exists()
    assert draft.history.filter(history_type="-").exists()  # the history keeps the deletion


@pytest.mark.parametrize("status", [Letter.Status.SENT, Letter.Status.ARCHIVED])
def test_a_letter_that_left_the_drafts_cannot_be_deleted_and_the_page_says_why(
    client, secretariat, official, status
):
    letter = factories.LetterFactory(status=status)
    reason = "cannot be deleted: it is the record of what the forum was told"
    client.force_login(secretariat)
    assert reason in client.get(letter.get_absolute_url()).text
    url = reverse("correspondence:delete", args=[letter.pk])
    assert reason in client.get(url).text
    assert client.post(url).status_code == 403
    client.force_login(official)
    refused = client.post(
        reverse("admin:correspondence_letter_delete", args=[letter.pk]),
        {"post": "yes"},
        follow=True,
    )
    assert reason in refused.text
    assert Letter.objects.filter(pk=letter.pk).exists()


def test_the_admin_deletes_a_draft_only_after_its_confirmation_page(client, official):
    draft = factories.LetterFactory(status=Letter.Status.DRAFT)
    factories.EnclosureFactory(letter=draft)
    client.force_login(official)
    url = reverse("admin:correspondence_letter_delete", args=[draft.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Draft Misinformation toolkit" in page.text
    assert Letter.objects.filter(pk=draft.pk).exists()
    client.post(url, {"post": "yes"})
    assert not Letter.objects.filter(pk=draft.pk).exists()


# Rows removed while writing up a meeting -----------------------------------------------------


def test_removing_an_item_with_actions_says_they_stay_and_waits_for_confirmation(client, official):
    item = factories.AgendaItemFactory(title="Hate crime update", number=1)
    action = factories.ActionItemFactory(meeting=item.meeting, agenda_item=item)
    url = reverse("meetings:edit_agenda", args=[item.meeting.pk])
    client.force_login(official)
    data = page_data(client.get(url)) | {"items-0-DELETE": "on"}
    asked = client.post(url, data)
    assert "data-confirm-delete" in asked.text
    assert "Its 1 action stays, under no item." in asked.text
    assert item.meeting.items.count() == 1

    client.post(url, data | {"confirm_delete": "1"})
    assert item.meeting.items.count() == 0
    action.refresh_from_db()
    assert action.agenda_item is None


def test_removing_an_attendance_row_waits_for_confirmation(client, official):
    row = factories.AttendanceFactory(as_written="Aled Jones, WLGA")
    url = reverse("meetings:edit_attendance", args=[row.meeting.pk])
    client.force_login(official)
    data = page_data(client.get(url)) | {"attendance-0-DELETE": "on"}
    assert "Aled Jones, WLGA" in client.post(url, data).text
    assert Attendance.objects.filter(pk=row.pk).exists()
    client.post(url, data | {"confirm_delete": "1"})
    assert not Attendance.objects.filter(pk=row.pk).exists()


def test_removing_an_enclosure_from_a_draft_asks_first(client, secretariat, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    draft = factories.LetterFactory(status=Letter.Status.DRAFT)
    enclosure = factories.EnclosureFactory(
        letter=draft, title="Toolkit", file=SimpleUploadedFile("toolkit.pdf", b"%PDF-1.4")
    )
    client.force_login(secretariat)
    draft_page = client.get(reverse("correspondence:draft", args=[draft.pk])).text
    confirm_url = reverse(
        "correspondence:draft_enclosure_remove_confirm", args=[draft.pk, enclosure.pk]
    )
    assert confirm_url in draft_page
    page = client.get(confirm_url)
    assert "its file is deleted" in page.text and draft.enclosures.count() == 1
    remove_url = reverse("correspondence:draft_enclosure_remove", args=[draft.pk, enclosure.pk])
    assert remove_url in page.text
    client.post(remove_url)
    assert draft.enclosures.count() == 0


def test_an_archived_organisation_is_not_offered_as_a_new_plan_lead_but_stays_where_it_leads(
    led_organisation,
):
    organisation, lead, _letter, _action = led_organisation
    plan = lead.action.plan
    other = factories.OrganisationFactory(name="Still active")
    organisation.archive()

    new_action = PlanActionForm(plan=plan)
    assert organisation not in new_action.fields["lead_organisations"].queryset
    assert other in new_action.fields["lead_organisations"].queryset
    with pytest.raises(ValidationError):  # nor taken when posted
        new_action.fields["lead_organisations"].clean([str(organisation.pk)])

    # Where it leads already it stays chosen, so saving the action keeps the link.
    editing = PlanActionForm(instance=lead.action, plan=plan)
    assert organisation in editing.fields["lead_organisations"].queryset
    assert editing.fields["lead_organisations"].clean([str(organisation.pk)]).get() == organisation


def test_search_leaves_out_archived_organisations_meetings_and_actions(client, official):
    organisation = factories.OrganisationFactory(name="Zephyrine Trust")
    meeting = factories.MeetingFactory(title="Zephyrine forum")
    action = factories.ActionItemFactory(text="Write to the Zephyrine group.")

    def found():
        client.force_login(official)
        groups = client.get(reverse("search:results"), {"q": "Zephyrine"}).context["groups"]
        return {group.kind: list(group.results) for group in groups}

    before = found()
    assert organisation in before["organisations"]
    assert meeting in before["meetings"]
    assert action in before["actions"]

    for record in (organisation, meeting, action):
        record.archive()
    after = found()
    assert after["organisations"] == [] and after["meetings"] == [] and after["actions"] == []
    # Their pages stay.
    for record in (organisation, meeting, action):
        assert client.get(record.get_absolute_url()).status_code == 200
