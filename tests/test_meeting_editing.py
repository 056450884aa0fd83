"""Officials and the secretariat write up a meeting in the product's own pages: details, agenda,
attendance, actions, and the actions of the meeting before."""

import datetime
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.models import ActionItem, ActionUpdate
from meetings import services
from meetings.models import AgendaItem, Attendance, Meeting
from tests import factories

pytestmark = pytest.mark.django_db


def local(*args):
    return datetime.datetime(*args, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def forum(db):
    return factories.ForumFactory()


@pytest.fixture
def meeting(forum):
    return factories.MeetingFactory(forum=forum, starts_at=local(2025, 6, 9, 10, 0))


class FormFields(HTMLParser):
    """The name → value pairs a browser would post from the page's forms, as rendered: text,
    hidden and date inputs, checked boxes and radios, text areas and selected options."""

    def __init__(self):
        super().__init__()
        self.data = {}
        self.textarea = None
        self.select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data[name] = attrs.get("value") or (
                "on" if attrs.get("type") == "checkbox" else ""
            )
        elif tag == "textarea" and name:
            self.textarea = name
            self.data[name] = ""
        elif tag == "select" and name:
            self.select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self.select and "selected" in attrs:
            self.data[self.select] = attrs.get("value", "")

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            # Browsers drop the newline that opens a text area's content.
            value = self.data[self.textarea]
            self.data[self.textarea] = value[1:] if value.startswith("\n") else value
            self.textarea = None

        elif tag == "select":
            self.select = None


def page_data(response):
    """What a browser posts back from a rendered page, unchanged (the sign-out and language
    forms left out)."""
    parser = FormFields()
    parser.feed(response.text)
    data = parser.data
    for name in ("csrfmiddlewaretoken", "next", "language"):
        data.pop(name, None)
    return data


def step_url(name, meeting):
    return reverse(f"meetings:{name}", args=[meeting.pk])


STEP_NAMES = ["edit", "edit_agenda", "edit_attendance", "edit_actions", "edit_previous_actions"]


def all_urls(meeting):
    return [reverse("meetings:create"), *(step_url(name, meeting) for name in STEP_NAMES)]


NEW_MEETING = {
    "title": "Wales Race Forum",
    "starts_at": "2025-07-14T10:00",
    "ends_at": "2025-07-14T12:00",
    "venue": "",
    "online_platform": "Teams",
    "online_link": "",
    "status": "planned",
    "notes_status": "draft",
}


# Who may edit ---


def test_anonymous_visitors_are_sent_to_sign_in(client, meeting):
    for url in all_urls(meeting):
        for response in (client.get(url), client.post(url, {})):
            assert response.status_code == 302 and "/login" in response["Location"], url


@pytest.mark.parametrize("who", ["outsider", "member"])
def test_members_and_outsiders_may_not_edit_meetings(client, meeting, who, request):
    client.force_login(request.getfixturevalue(who))
    version = meeting.version
    for url in all_urls(meeting):
        assert client.get(url).status_code == 403, url
        assert client.post(url, NEW_MEETING | {"opened_version": version}).status_code == 403
    meeting.refresh_from_db()
    assert (Meeting.objects.count(), meeting.version) == (1, version)
    assert meeting.title == "Wales Race Forum"


@pytest.mark.parametrize("who", ["official", "secretariat"])
def test_officials_and_the_secretariat_open_every_page(client, meeting, who, request):
    client.force_login(request.getfixturevalue(who))
    for url in all_urls(meeting):
        assert client.get(url).status_code == 200, url


def test_the_list_and_the_meeting_link_to_the_editing_pages_for_staff_only(
    client, meeting, official, member
):
    client.force_login(official)
    client.force_login(official)
    assert reverse("meetings:create") in client.get(reverse("meetings:list")).text
    assert step_url("edit", meeting) in client.get(meeting.get_absolute_url()).text
    client.force_login(member)
    assert reverse("meetings:create") not in client.get(reverse("meetings:list")).text
    assert step_url("edit", meeting) not in client.get(meeting.get_absolute_url()).text


# Creating a meeting ---


def test_creating_a_meeting_opens_with_the_actions_of_the_last_one(client, official, meeting):
    client.force_login(official)
    factories.ActionItemFactory(meeting=meeting, text="Share the report")
    response = client.post(reverse("meetings:create"), NEW_MEETING)

    created = Meeting.objects.get(starts_at=local(2025, 7, 14, 10, 0))
    assert response.status_code == 302
    assert response["Location"] == step_url("edit_agenda", created)
    first = created.items.get()
    assert (first.number, first.title) == (1, services.PREVIOUS_ACTIONS_TITLE)
    page = client.get(step_url("edit_agenda", created))
    assert "Share the report" in page.text


def test_a_meeting_after_one_with_nothing_open_starts_with_an_empty_agenda(
    client, official, meeting
):
    client.force_login(official)
    factories.ActionItemFactory(meeting=meeting, status=ActionItem.Status.DONE)
    client.post(reverse("meetings:create"), NEW_MEETING)
    assert not AgendaItem.objects.filter(meeting__starts_at=local(2025, 7, 14, 10, 0)).exists()


def test_a_new_meeting_dates_the_actions_due_before_it(client, official, meeting):
    client.force_login(official)
    action = factories.ActionItemFactory(
        meeting=meeting, deadline_text="Before the next meeting", due_rule="next_meeting"
    )
    client.post(reverse("meetings:create"), NEW_MEETING)
    action.refresh_from_db()
    assert action.due_date == datetime.date(2025, 7, 14)


def test_a_meeting_without_a_place_or_an_end_before_its_start_is_refused_with_messages(
    client, official
):
    client.force_login(official)
    data = NEW_MEETING | {"online_platform": "", "ends_at": "2025-07-14T09:00"}
    response = client.post(reverse("meetings:create"), data)

    assert response.status_code == 200
    assert not Meeting.objects.exists()
    text = response.text
    assert "govuk-error-summary" in text
    assert text.count("The meeting must end after it starts.") == 2  # summary and field
    assert text.count("Enter a venue, an online platform or an online link") == 2
    assert 'value="Wales Race Forum"' in text  # what was typed is kept


# Details ---


def test_changing_the_details_saves_and_raises_the_version(client, official, meeting):
    client.force_login(official)
    page = client.get(step_url("edit", meeting))
    data = page_data(page) | {"venue": "Cathays Park, Cardiff", "continue": "1"}
    response = client.post(step_url("edit", meeting), data)

    meeting.refresh_from_db()
    assert response["Location"] == step_url("edit_agenda", meeting)
    assert (meeting.venue, meeting.version) == ("Cathays Park, Cardiff", 2)


def test_a_stale_details_save_is_refused_with_what_changed(client, official, secretariat, meeting):
    client.force_login(official)
    page = client.get(step_url("edit", meeting))
    Meeting.objects.filter(pk=meeting.pk).update(venue="Merthyr Tydfil", version=2)

    response = client.post(step_url("edit", meeting), page_data(page) | {"venue": "Swansea"})

    meeting.refresh_from_db()
    assert response.status_code == 200
    assert meeting.venue == "Merthyr Tydfil"
    assert "This record has changed since you opened it" in response.text
    assert "Merthyr Tydfil" in response.text


# Agenda ---


def add_items(meeting, *titles):
    return [
        factories.AgendaItemFactory(meeting=meeting, number=n, title=title)
        for n, title in enumerate(titles, 1)
    ]


def test_agenda_items_are_added_with_welsh_and_numbered_after_the_last(client, official, meeting):
    client.force_login(official)
    add_items(meeting, "Welcome")
    page = client.get(step_url("edit_agenda", meeting))
    data = page_data(page) | {
        "items-1-title": "Anti-racist Wales Action Plan",
        "items-1-title_cy": "Cynllun Gweithredu Cymru Wrth-hiliol",
        "items-1-discussion": "Officials gave an update.",
    }
    response = client.post(step_url("edit_agenda", meeting), data)

    assert response.status_code == 302
    items = list(meeting.items.order_by("number").values_list("number", "title", "title_cy"))
    assert items == [
        (1, "Welcome", ""),
        (2, "Anti-racist Wales Action Plan", "Cynllun Gweithredu Cymru Wrth-hiliol"),
    ]


def test_move_buttons_reorder_the_agenda_and_keep_what_was_typed(client, official, meeting):
    client.force_login(official)
    first, second, third = add_items(meeting, "Welcome", "Hate crime", "Any other business")
    page = client.get(step_url("edit_agenda", meeting))
    assert page.text.count('name="move"') == 4  # no "up" on the first, no "down" on the last
    data = page_data(page) | {"items-2-discussion": "None raised.", "move": f"{third.pk}:up"}
    client.post(step_url("edit_agenda", meeting), data)

    order = list(meeting.items.order_by("number").values_list("title", flat=True))
    assert order == ["Welcome", "Any other business", "Hate crime"]
    third.refresh_from_db()
    assert third.discussion == "None raised."

    page = client.get(step_url("edit_agenda", meeting))
    client.post(step_url("edit_agenda", meeting), page_data(page) | {"move": f"{first.pk}:down"})
    order = list(meeting.items.order_by("number").values_list("title", flat=True))
    assert order == ["Any other business", "Welcome", "Hate crime"]


def test_removing_an_item_closes_the_gap_in_the_numbers(client, official, meeting):
    client.force_login(official)
    add_items(meeting, "Welcome", "Hate crime", "Any other business")
    page = client.get(step_url("edit_agenda", meeting))
    assert 'name="items-0-DELETE"' in page.text
    data = page_data(page) | {"items-0-DELETE": "on"}
    # The page first says what goes, and deletes nothing until that is confirmed.
    asked = client.post(step_url("edit_agenda", meeting), data)
    assert asked.status_code == 200 and "Item 1, “Welcome”, and its discussion." in asked.text
    assert meeting.items.count() == 3
    client.post(step_url("edit_agenda", meeting), data | {"confirm_delete": "1"})
    items = list(meeting.items.order_by("number").values_list("number", "title"))
    assert items == [(1, "Hate crime"), (2, "Any other business")]


def test_an_item_without_a_title_is_refused_and_nothing_is_lost(client, official, meeting):
    client.force_login(official)
    add_items(meeting, "Welcome")
    page = client.get(step_url("edit_agenda", meeting))
    data = page_data(page) | {
        "items-0-discussion": "Changed discussion",
        "items-1-discussion": "A discussion with no title",
    }
    response = client.post(step_url("edit_agenda", meeting), data)

    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    assert response.text.count("This field is required.") == 2
    assert "A discussion with no title" in response.text
    assert "Changed discussion" in response.text
    assert meeting.items.get().discussion == "The forum discussed the item."


def test_a_stale_agenda_save_is_refused(client, official, secretariat, meeting):
    client.force_login(official)
    add_items(meeting, "Welcome")
    page = client.get(step_url("edit_agenda", meeting))
    other = client_for(secretariat)
    other_page = other.get(step_url("edit_agenda", meeting))
    other.post(step_url("edit_agenda", meeting), page_data(other_page) | {"items-0-title": "Hello"})

    response = client.post(
        step_url("edit_agenda", meeting), page_data(page) | {"items-0-title": "Croeso"}
    )

    assert response.status_code == 200
    assert "This record has changed since you opened it" in response.text
    assert meeting.items.get().title == "Hello"


def client_for(user):
    from django.test import Client

    other = Client()
    other.force_login(user)
    return other


# Attendance ---


def test_attendance_rows_from_people_and_organisations_with_apologies(client, official, meeting):
    client.force_login(official)
    person = factories.PersonFactory(full_name="Uzo Iwobi")
    organisation = factories.OrganisationFactory(name="Tai Pawb")
    page = client.get(step_url("edit_attendance", meeting))
    data = page_data(page) | {
        "attendance-0-person": person.pk,
        "attendance-0-status": "present",
        "attendance-1-organisation": organisation.pk,
        "attendance-1-status": "apologies",
        "attendance-2-as_written": "Chief Constable, Dyfed-Powys Police",
        "attendance-2-status": "present",
    }
    response = client.post(step_url("edit_attendance", meeting), data)

    assert response.status_code == 302
    rows = {row.as_written: row for row in meeting.attendance.all()}
    assert rows[f"Uzo Iwobi, {person.organisation.name}"].person == person
    assert rows["Tai Pawb"].status == Attendance.Status.APOLOGIES
    assert rows["Chief Constable, Dyfed-Powys Police"].person is None


def test_an_empty_attendance_row_with_a_status_only_is_refused(client, official, meeting):
    client.force_login(official)
    page = client.get(step_url("edit_attendance", meeting))
    data = page_data(page) | {"attendance-0-status": "apologies"}
    response = client.post(step_url("edit_attendance", meeting), data)
    assert response.status_code == 200
    assert response.text.count("Choose a person or an organisation") == 2
    assert not meeting.attendance.exists()


def test_copy_attendance_from_the_previous_meeting(client, official, forum, meeting):
    client.force_login(official)
    factories.AttendanceFactory(meeting=meeting, status=Attendance.Status.APOLOGIES)
    kept = factories.AttendanceFactory(meeting=meeting)
    following = factories.MeetingFactory(forum=forum, starts_at=local(2025, 9, 1, 10, 0))
    factories.AttendanceFactory(meeting=following, organisation=kept.organisation)

    page = client.get(step_url("edit_attendance", following))
    client.post(step_url("edit_attendance", following), page_data(page) | {"copy_previous": "1"})

    rows = list(following.attendance.order_by("order"))
    assert len(rows) == 2  # the organisation already there is not repeated
    assert {row.status for row in rows} == {Attendance.Status.PRESENT}
    assert meeting.attendance.count() == 2  # the previous meeting is untouched


# Actions ---


def action_page(client, meeting):
    return client.get(step_url("edit_actions", meeting))


def test_an_action_owned_by_a_role_with_a_phrase_deadline(client, official, forum, meeting):
    client.force_login(official)
    (item,) = add_items(meeting, "Hate crime")
    role = factories.OwnerRoleFactory(forum=forum, name="Regional Convenor (North Wales)")
    page = action_page(client, meeting)
    data = page_data(page) | {
        "actions-0-agenda_item": item.pk,
        "actions-0-text": "Share the hate crime report",
        "actions-0-owner": f"role:{role.pk}",
        "actions-0-deadline_text": "By September 2025",
        "actions-0-status": "open",
    }
    response = client.post(step_url("edit_actions", meeting), data)

    assert response.status_code == 302
    action = meeting.actions.get()
    assert (action.owner_role, action.owner_text, action.number) == (
        role,
        "Regional Convenor (North Wales)",
        1,
    )
    assert (action.due_date, action.due_rule) == (datetime.date(2025, 9, 30), "fixed")
    assert action.agenda_item == item


def test_a_date_wins_over_the_phrase_and_a_written_owner_is_resolved(
    client, official, forum, meeting
):
    client.force_login(official)
    (item,) = add_items(meeting, "Hate crime")
    organisation = factories.OrganisationFactory(name="Tai Pawb")
    page = action_page(client, meeting)
    data = page_data(page) | {
        "actions-0-agenda_item": item.pk,
        "actions-0-text": "Send the figures",
        "actions-0-owner_text": "Tai Pawb",
        "actions-0-deadline_text": "By September 2025",
        "actions-0-due_date": "2025-08-01",
        "actions-0-status": "open",
    }
    client.post(step_url("edit_actions", meeting), data)

    action = meeting.actions.get()
    assert (action.owner_organisation, action.owner_text) == (organisation, "Tai Pawb")
    assert action.due_date == datetime.date(2025, 8, 1)


def test_before_the_next_meeting_takes_the_date_of_the_next_meeting(
    client, official, forum, meeting
):
    client.force_login(official)
    (item,) = add_items(meeting, "Hate crime")
    person = factories.PersonFactory(full_name="Jane Hutt")
    factories.MeetingFactory(forum=forum, starts_at=local(2025, 10, 6, 10, 0))
    data = page_data(action_page(client, meeting)) | {
        "actions-0-agenda_item": item.pk,
        "actions-0-text": "Report back",
        "actions-0-owner": f"person:{person.pk}",
        "actions-0-deadline_text": "Before the next meeting",
        "actions-0-status": "open",
    }
    client.post(step_url("edit_actions", meeting), data)

    action = meeting.actions.get()
    assert (action.due_date, action.due_rule) == (datetime.date(2025, 10, 6), "next_meeting")
    assert (action.owner_person, action.owner_text) == (person, "Jane Hutt")


def test_an_action_without_an_owner_or_item_is_refused_with_messages(client, official, meeting):
    client.force_login(official)
    add_items(meeting, "Hate crime")
    data = page_data(action_page(client, meeting)) | {"actions-0-text": "Orphan action"}
    response = client.post(step_url("edit_actions", meeting), data)

    assert response.status_code == 200
    assert response.text.count("Choose who owns the action") == 2
    assert "Orphan action" in response.text
    assert not meeting.actions.exists()


def test_changing_one_action_ignores_a_member_update_to_another(client, official, meeting):
    client.force_login(official)
    (item,) = add_items(meeting, "Hate crime")
    first = factories.ActionItemFactory(meeting=meeting, agenda_item=item, number=1)
    second = factories.ActionItemFactory(meeting=meeting, agenda_item=item, number=2)
    page = action_page(client, meeting)
    ActionItem.objects.filter(pk=second.pk).update(status="done", version=2)

    data = page_data(page) | {"actions-0-text": "Changed text"}
    response = client.post(step_url("edit_actions", meeting), data)

    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.text, first.version) == ("Changed text", 2)
    assert second.status == "done"  # the untouched row did not overwrite it


def test_a_stale_change_to_an_action_is_refused(client, official, meeting):
    client.force_login(official)
    (item,) = add_items(meeting, "Hate crime")
    action = factories.ActionItemFactory(meeting=meeting, agenda_item=item)
    page = action_page(client, meeting)
    ActionItem.objects.filter(pk=action.pk).update(status="done", version=2)

    response = client.post(
        step_url("edit_actions", meeting), page_data(page) | {"actions-0-status": "cancelled"}
    )

    action.refresh_from_db()
    assert response.status_code == 200
    assert "This record has changed since you opened it" in response.text
    assert action.status == "done"


def test_removing_an_action_confirms_then_archives_it_with_its_progress_notes(
    client, official, meeting
):
    client.force_login(official)
    (item,) = add_items(meeting, "Hate crime")
    action = factories.ActionItemFactory(meeting=meeting, agenda_item=item, text="Share toolkit")
    factories.ActionUpdateFactory(action=action, note="Sent to half the members.")
    remove_url = reverse("actions:remove", args=[action.pk])
    assert remove_url in action_page(client, meeting).text

    confirm = client.get(remove_url)
    assert "Share toolkit" in confirm.text and "its 1 progress note" in confirm.text
    assert ActionItem.objects.active().filter(pk=action.pk).exists()  # nothing changed yet
    data = {"opened_version": action.version, "opened_snapshot": ""}
    response = client.post(remove_url, data)
    assert response.url == step_url("edit_actions", meeting)

    action.refresh_from_db()
    assert action.is_archived and action.version == 2
    assert action.updates.get().note == "Sent to half the members."
    assert action.history.first().archived_at == action.archived_at
    assert remove_url not in action_page(client, meeting).text  # off the meeting's actions
    assert client.get(action.get_absolute_url()).status_code == 200  # its page survives
    assert action.text not in client.get(reverse("actions:list")).text


def test_a_removal_confirmed_from_a_stale_page_is_refused(client, official, meeting):
    client.force_login(official)
    action = factories.ActionItemFactory(meeting=meeting)
    opened = client.get(reverse("actions:remove", args=[action.pk]))
    data = {"opened_version": opened.context["form"]["opened_version"].value()}
    ActionItem.objects.filter(pk=action.pk).update(status="done", version=2)
    response = client.post(reverse("actions:remove", args=[action.pk]), data)
    assert response.status_code == 200
    assert "This record has changed since you opened it" in response.text
    action.refresh_from_db()
    assert not action.is_archived


# Actions from the last meeting ---


@pytest.fixture
def following(forum, meeting):
    return factories.MeetingFactory(forum=forum, starts_at=local(2025, 9, 1, 10, 0))


def test_updating_last_meetings_actions_updates_the_actions_with_a_dated_note(
    client, official, meeting, following
):
    client.force_login(official)
    done = factories.ActionItemFactory(meeting=meeting, number=1)
    untouched = factories.ActionItemFactory(meeting=meeting, number=2)
    factories.ActionItemFactory(meeting=meeting, number=3, status="done")
    page = client.get(step_url("edit_previous_actions", following))
    assert len(page.context["formset"].forms) == 2  # open ones only

    data = page_data(page) | {
        "previous-0-status": "done",
        "previous-0-completed_on": "2025-08-20",
        "previous-0-note": "Shared with members in August.",
    }
    response = client.post(step_url("edit_previous_actions", following), data)

    assert response.status_code == 302
    done.refresh_from_db()
    assert (done.status, done.completed_on) == ("done", datetime.date(2025, 8, 20))
    update = ActionUpdate.objects.get()
    assert (update.action, update.author, update.note) == (
        done,
        official,
        "Shared with members in August.",
    )
    untouched.refresh_from_db()
    assert (untouched.status, untouched.version) == ("open", 1)


def test_a_completion_date_in_the_future_is_refused(client, official, meeting, following):
    client.force_login(official)
    factories.ActionItemFactory(meeting=meeting)
    page = client.get(step_url("edit_previous_actions", following))
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    data = page_data(page) | {"previous-0-status": "done", "previous-0-completed_on": future}
    response = client.post(step_url("edit_previous_actions", following), data)
    assert response.status_code == 200
    assert response.text.count("The completion date cannot be in the future.") == 2
    assert not ActionUpdate.objects.exists()


def test_an_action_closed_by_its_owner_while_the_page_was_open_is_not_overwritten(
    client, official, meeting, following
):
    client.force_login(official)
    action = factories.ActionItemFactory(meeting=meeting)
    page = client.get(step_url("edit_previous_actions", following))
    ActionItem.objects.filter(pk=action.pk).update(status="done", version=2)

    data = page_data(page) | {"previous-0-status": "in_progress", "previous-0-note": "Started"}
    response = client.post(step_url("edit_previous_actions", following), data)

    action.refresh_from_db()
    assert response.status_code == 200
    assert "This record has changed since you opened it" in response.text
    assert action.status == "done"


# Query counts ---


@pytest.mark.parametrize(
    "step", ["edit_agenda", "edit_attendance", "edit_actions", "edit_previous_actions"]
)
def test_step_pages_make_the_same_number_of_queries_for_1_10_and_50_rows(
    client, official, forum, step, django_assert_max_num_queries
):
    client.force_login(official)
    counts = []
    for size in (1, 10, 50):
        previous = factories.MeetingFactory(forum=forum)
        meeting = factories.MeetingFactory(forum=forum)
        items = factories.AgendaItemFactory.create_batch(size, meeting=meeting)
        for n, item in enumerate(items, 1):
            factories.AttendanceFactory(meeting=meeting)
            factories.ActionItemFactory(meeting=meeting, agenda_item=item, number=n)
            factories.ActionItemFactory(meeting=previous, number=n)
            factories.PersonFactory()
        client.force_login(official)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(step_url(step, meeting)).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1] == counts[2], counts
    with django_assert_max_num_queries(counts[0]):
        client.get(step_url(step, meeting))


def test_an_action_marked_done_on_the_meeting_page_is_completed_today(client, official, meeting):
    client.force_login(official)
    (item,) = add_items(meeting, "Hate crime")
    action = factories.ActionItemFactory(meeting=meeting, agenda_item=item)
    page = action_page(client, meeting)
    assert page.text.count("Remove this action") == 1  # nothing to remove on an empty row
    client.post(step_url("edit_actions", meeting), page_data(page) | {"actions-0-status": "done"})
    action.refresh_from_db()
    assert (action.status, action.completed_on) == ("done", timezone.localdate())


def test_the_notes_list_last_meetings_actions_under_the_first_item(
    client, official, member, meeting, following
):
    client.force_login(official)
    done = factories.ActionItemFactory(meeting=meeting, text="Share the report", status="done")
    factories.ActionItemFactory(meeting=meeting, text="Write to the minister")
    # "following" is the meeting before the new one: its actions are listed, not the first's.
    factories.ActionItemFactory(meeting=following, text="Invite the police")
    data = NEW_MEETING | {"starts_at": "2025-12-01T10:00", "ends_at": "2025-12-01T12:00"}
    client.post(reverse("meetings:create"), data)
    created = Meeting.objects.get(starts_at=local(2025, 12, 1, 10, 0))
    assert created.items.get().title == services.PREVIOUS_ACTIONS_TITLE

    page = client.get(created.get_absolute_url()).text
    assert "Invite the police" in page
    assert "Write to the minister" not in page and done.text not in page


# Diary markers after a change of time, place or status ---


def details_saved_page(client, meeting, **changes):
    page = client.get(step_url("edit", meeting))
    response = client.post(step_url("edit", meeting), page_data(page) | changes, follow=True)
    assert response.status_code == 200
    return response.text


def test_moving_a_meeting_offers_to_send_the_updated_diary_marker(client, official, meeting):
    client.force_login(official)
    html = details_saved_page(client, meeting, starts_at="2025-06-09T09:30")

    meeting.refresh_from_db()
    assert meeting.ics_sequence == 1
    invitations = reverse("calendars:meeting_invitations", args=[meeting.pk])
    link = f'href="{invitations}">Send the updated diary marker to invitees</a>'
    assert link in html


def test_cancelling_a_meeting_says_the_cancellation_should_be_sent(client, official, meeting):
    client.force_login(official)
    html = details_saved_page(client, meeting, status="cancelled")

    invitations = reverse("calendars:meeting_invitations", args=[meeting.pk])
    assert f'href="{invitations}">Send the cancellation to invitees</a>' in html
    assert "until the cancellation is sent" in html


def test_a_change_invitees_do_not_see_gives_the_plain_message(client, official, meeting):
    client.force_login(official)
    html = details_saved_page(client, meeting, title="Wales Race Forum: summer meeting")

    assert "Your changes have been saved." in html
    assert "meeting_invitations" not in html
    assert reverse("calendars:meeting_invitations", args=[meeting.pk]) not in html
