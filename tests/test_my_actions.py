"""'My actions' and the progress update: owners (forum members among them) see what they owe and
report progress; nobody changes an action that is not theirs unless they are staff."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.member_views import group_actions
from actions.models import ActionItem, ActionUpdate
from tests import factories
from tests import test_query_counts as query_counts

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days(n):
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def person(member):
    return member.person


@pytest.fixture
def mine(person):
    """One of the member's actions in each group, owned in each of the three ways."""
    role = factories.OwnerRoleFactory(name="Race Council Cymru representative")
    role.holders.add(person)
    return {
        "overdue": factories.ActionItemFactory(
            owner_person=person, text="Overdue: send the survey.", due_date=days(-3)
        ),
        "due_soon": factories.ActionItemFactory(
            owner_organisation=person.organisation,
            text="Due soon: circulate the toolkit.",
            deadline_text="By the end of the month",
            due_date=days(5),
        ),
        "later": factories.ActionItemFactory(
            owner_role=role, text="Later: draft the report.", due_date=days(60)
        ),
        "no_date": factories.ActionItemFactory(
            owner_person=person, text="No date: share contacts.", deadline_text="Ongoing"
        ),
        "completed": factories.ActionItemFactory(
            owner_person=person,
            text="Completed: book the venue.",
            status=ActionItem.Status.DONE,
            completed_on=days(-10),
        ),
    }


@pytest.fixture
def someone_elses():
    other = factories.member_user(username="other-member")
    return factories.ActionItemFactory(
        owner_person=other.person, text="Someone else's action.", due_date=days(3)
    )


def post_update(client, action, **data):
    form = client.get(reverse("actions:update", args=[action.pk])).context["form"]
    payload = {
        "opened_version": action.version,
        "opened_snapshot": form["opened_snapshot"].value(),
        "status": action.status,
        "completed_on": "",
        "note": "",
    }
    payload.update(data)
    return client.post(reverse("actions:update", args=[action.pk]), payload)


# My actions ------------------------------------------------------------------------------


def test_my_actions_groups_every_owned_action_in_deadline_order(client, member, mine):
    client.force_login(member)
    response = client.get(reverse("actions:mine"))
    assert response.status_code == 200
    groups = {group.key: [a.pk for a in group.actions] for group in response.context["groups"]}
    assert groups == {key: [action.pk] for key, action in mine.items()}
    html = response.content.decode()
    positions = [html.index(action.text) for action in mine.values()]
    assert positions == sorted(positions), "groups appear Overdue, Due soon, Later, No date, Done"
    assert '<details class="govuk-details" id="completed">' in html
    # The deadline as written and the date it was taken to mean.
    assert "By the end of the month" in html
    assert f"Taken as {days(5):%-d %B %Y}" in html
    assert str(mine["due_soon"].meeting) in html


def test_my_actions_leaves_out_other_peoples_actions(client, member, mine, someone_elses):
    client.force_login(member)
    response = client.get(reverse("actions:mine"))
    assert "Someone else&#x27;s action." not in response.content.decode()
    assert response.context["open_count"] == 4


def test_group_actions_puts_the_due_soon_boundary_at_the_one_window(settings):
    settings.REMINDERS = {**settings.REMINDERS, "DUE_SOON_DAYS": 7}

    def action(due):
        return ActionItem(status=ActionItem.Status.OPEN, due_date=due)

    groups = group_actions([action(days(7)), action(days(8)), action(days(0))], today=TODAY)
    sizes = {group.key: len(group.actions) for group in groups}
    assert sizes == {"overdue": 0, "due_soon": 2, "later": 1, "no_date": 0, "completed": 0}


def test_my_actions_is_in_the_navigation_and_on_the_home_page(client, member):
    client.force_login(member)
    html = client.get(reverse("home")).content.decode()
    assert html.count(f'href="{reverse("actions:mine")}"') == 2


def test_my_actions_needs_a_role(client, outsider):
    client.force_login(outsider)
    assert client.get(reverse("actions:mine")).status_code == 403


def test_my_actions_needs_sign_in(client):
    response = client.get(reverse("actions:mine"))
    assert response.status_code == 302
    assert reverse("login") in response.url


def test_a_staff_user_without_a_person_sees_an_empty_page(client, official, mine):
    client.force_login(official)
    response = client.get(reverse("actions:mine"))
    assert response.status_code == 200
    assert response.context["total_count"] == 0


# Updating --------------------------------------------------------------------------------


def test_a_member_marks_their_action_done_with_a_note(client, member, mine):
    action = mine["overdue"]
    client.force_login(member)
    response = post_update(client, action, status="done", note="Survey sent to all members.")
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionItem.Status.DONE
    assert action.completed_on == TODAY
    assert action.completion_note == "Survey sent to all members."
    update = action.updates.get()
    assert (update.author, update.status, update.note) == (member, "done", action.completion_note)
    assert action.history.first().history_user == member


def test_a_member_updates_an_action_owned_through_their_organisation(client, member, mine):
    action = mine["due_soon"]
    client.force_login(member)
    post_update(client, action, status="in_progress", note="Drafted.")
    action.refresh_from_db()
    assert action.status == ActionItem.Status.IN_PROGRESS
    assert action.completed_on is None


def test_a_note_alone_is_kept_as_a_dated_update(client, member, mine):
    action = mine["later"]
    client.force_login(member)
    post_update(client, action, note="Met the council on Tuesday.")
    assert list(action.updates.values_list("note", "status")) == [
        ("Met the council on Tuesday.", "open")
    ]


def test_the_secretariat_sees_the_update_on_the_actions_page(client, member, secretariat, mine):
    action = mine["overdue"]
    client.force_login(member)
    post_update(client, action, status="done", note="Survey sent.")
    client.force_login(secretariat)
    html = client.get(action.get_absolute_url()).content.decode()
    assert "Survey sent." in html
    assert "History of changes" in html
    assert "changed by member" in html


def test_an_update_with_nothing_in_it_is_refused_and_changes_nothing(client, member, mine):
    action = mine["overdue"]
    client.force_login(member)
    response = post_update(client, action)
    assert response.status_code == 200
    assert "Change the status or write a progress note." in response.content.decode()
    assert not ActionUpdate.objects.exists()


def test_a_future_completion_date_is_refused_and_the_note_is_kept(client, member, mine):
    action = mine["overdue"]
    client.force_login(member)
    response = post_update(
        client, action, status="done", completed_on=days(2).isoformat(), note="Keep me."
    )
    html = response.content.decode()
    assert "The completion date cannot be in the future." in html
    assert "Keep me." in html
    action.refresh_from_db()
    assert action.status == ActionItem.Status.OPEN


def test_a_stale_update_is_refused(client, member, secretariat, mine):
    action = mine["overdue"]
    client.force_login(member)
    form = client.get(reverse("actions:update", args=[action.pk])).context["form"]
    opened = {
        "opened_version": action.version,
        "opened_snapshot": form["opened_snapshot"].value(),
    }
    ActionItem.objects.filter(pk=action.pk).update(version=action.version + 1, status="cancelled")
    response = client.post(
        reverse("actions:update", args=[action.pk]),
        {**opened, "status": "done", "completed_on": "", "note": "Done."},
    )
    assert response.status_code == 200
    assert "changed since you opened it" in response.content.decode()
    action.refresh_from_db()
    assert action.status == ActionItem.Status.CANCELLED
    assert not action.updates.exists()


def test_officials_and_the_secretariat_update_any_action(client, official, secretariat, mine):
    for user, status in ((official, "in_progress"), (secretariat, "done")):
        action = mine["later"]
        action.refresh_from_db()
        client.force_login(user)
        response = post_update(client, action, status=status, note=f"By {user.username}.")
        assert response.status_code == 302
        action.refresh_from_db()
        assert action.status == status


# Permissions -----------------------------------------------------------------------------


def test_a_member_cannot_open_or_post_an_update_to_someone_elses_action(
    client, member, someone_elses
):
    client.force_login(member)
    url = reverse("actions:update", args=[someone_elses.pk])
    # The other member's action is on a shared meeting, so the member may see it: 403.
    assert client.get(url).status_code == 403
    response = client.post(
        url,
        {"opened_version": someone_elses.version, "status": "done", "note": "Not mine."},
    )
    assert response.status_code == 403
    someone_elses.refresh_from_db()
    assert someone_elses.status == ActionItem.Status.OPEN
    assert someone_elses.version == 1
    assert not ActionUpdate.objects.exists()


def test_an_action_the_member_cannot_see_is_a_404_for_get_and_post(client, member):
    draft = factories.MeetingFactory(notes_status="draft")
    hidden = factories.ActionItemFactory(meeting=draft, owner_text="Officials")
    client.force_login(member)
    url = reverse("actions:update", args=[hidden.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"status": "done", "opened_version": 1}).status_code == 404
    hidden.refresh_from_db()
    assert hidden.status == ActionItem.Status.OPEN


def test_an_outsider_cannot_update_and_anonymous_is_sent_to_sign_in(client, outsider, mine):
    url = reverse("actions:update", args=[mine["overdue"].pk])
    response = client.post(url, {"status": "done", "opened_version": 1})
    assert response.status_code == 302 and reverse("login") in response.url
    client.force_login(outsider)
    assert client.get(url).status_code == 403
    assert client.post(url, {"status": "done", "opened_version": 1}).status_code == 403
    assert not ActionUpdate.objects.exists()


def test_the_update_link_shows_only_to_those_who_may_update(client, member, mine, someone_elses):
    client.force_login(member)
    update_url = reverse("actions:update", args=[someone_elses.pk])
    assert update_url not in client.get(someone_elses.get_absolute_url()).content.decode()
    own_url = reverse("actions:update", args=[mine["overdue"].pk])
    assert own_url in client.get(mine["overdue"].get_absolute_url()).content.decode()


def test_my_actions_shows_no_contact_details_of_others(client, member, person):
    colleague = factories.PersonFactory(
        organisation=person.organisation, email="colleague@example.org", phone="07700 900123"
    )
    factories.ActionItemFactory(owner_organisation=person.organisation, owner_text=str(colleague))
    client.force_login(member)
    html = client.get(reverse("actions:mine")).content.decode()
    assert "colleague@example.org" not in html
    assert "07700 900123" not in html


def test_my_actions_makes_the_same_number_of_queries_for_1_10_and_50_actions(client, member):
    def owned(n):
        person = member.person
        role = factories.OwnerRoleFactory()
        role.holders.add(person)
        for i in range(n):
            # Overdue, the newest most overdue: the last one made is first on the first page.
            factories.ActionItemFactory(
                owner_person=person,
                text=f"Mine {i}.",
                agenda_item=factories.AgendaItemFactory(),
                due_date=days(-1 - i),
            )
            factories.ActionItemFactory(owner_organisation=person.organisation, due_date=days(i))
            factories.ActionItemFactory(owner_role=role, status=ActionItem.Status.DONE)
        return reverse("actions:mine"), f"Mine {n - 1}."

    query_counts.assert_constant(client, member, owned)


def test_the_update_page_makes_the_same_number_of_queries_however_many_updates(client, member):
    def with_updates(n):
        action = factories.ActionItemFactory(owner_person=member.person, text="Counted.")
        for i in range(n):
            factories.ActionUpdateFactory(action=action, note=f"Note {i}")
        return reverse("actions:update", args=[action.pk]), "Counted."

    query_counts.assert_constant(client, member, with_updates)


def test_an_own_action_from_draft_notes_opens_and_is_listed_with_a_working_link(
    client, member, person
):
    """The member owns the action although the meeting's notes are still a draft: My actions
    lists it, and its link opens the action rather than a 404."""
    draft = factories.MeetingFactory(notes_status="draft")
    own = factories.ActionItemFactory(meeting=draft, owner_person=person, text="Own in draft.")
    client.force_login(member)
    listing = client.get(reverse("actions:mine")).content.decode()
    assert "Own in draft." in listing
    for href in re.findall(r'href="([^"]+)"', listing):
        if href in (own.get_absolute_url(), reverse("actions:update", args=[own.pk])):
            assert client.get(href).status_code == 200, href
    assert own.get_absolute_url() in listing or reverse("actions:update", args=[own.pk]) in listing
