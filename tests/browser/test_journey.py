"""The journey through a real browser: an official writes up a meeting, a member finds their
actions and marks one done, the secretariat sees the change in the action's history."""

import re

import pytest
from playwright.sync_api import expect

from actions.models import ActionItem, ActionUpdate
from meetings.models import Meeting
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"


@pytest.fixture
def cast(db):
    forum = factories.ForumFactory()
    organisation = factories.OrganisationFactory(name="Tai Pawb")
    member_person = factories.PersonFactory(full_name="Alaw Jones", organisation=organisation)
    role = factories.OwnerRoleFactory(forum=forum, name="Regional Convenor (North Wales)")
    role.holders.add(member_person)
    guest = factories.PersonFactory(full_name="Uzo Iwobi")
    return {
        "official": factories.official_user(username="olwen", first_name="Olwen"),
        "secretariat": factories.secretariat_user(username="sian", first_name="Siân"),
        "member": factories.member_user(person=member_person, username="alaw"),
        "organisation": organisation,
        "role": role,
        "guest": guest,
    }


def sign_in(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(re.compile("Signed in as"))).to_be_visible()


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def save_and_continue(page):
    page.get_by_role("button", name="Save and continue").click()


def official_writes_up_a_meeting(page, base_url, cast, screenshot):
    sign_in(page, base_url, "olwen")
    page.goto(f"{base_url}/meetings/")
    page.get_by_role("link", name="New meeting").click()
    page.fill("input[name=title]", "Wales Race Forum")
    page.fill("input[name=starts_at]", "2026-12-07T10:00")
    page.fill("input[name=ends_at]", "2026-12-07T12:30")
    page.fill("input[name=online_platform]", "Teams")
    screenshot("official-new-meeting")
    page.get_by_role("button", name="Create the meeting").click()

    # Agenda: two items, the second moved above the first with its button.
    expect(page.get_by_role("heading", name="Agenda and discussion")).to_be_visible()
    page.fill("input[name=items-0-title]", "Welcome and introductions")
    page.fill("textarea[name=items-0-discussion]", "The Chair welcomed members.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.fill("input[name=items-1-title]", "Hate crime in Wales")
    page.fill("input[name=items-1-title_cy]", "Troseddau casineb yng Nghymru")
    page.fill("textarea[name=items-1-discussion]", "Officials gave an update on reporting.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("button", name="Move up Hate crime in Wales").click()
    expect(page.get_by_text("The agenda has been reordered.")).to_be_visible()
    screenshot("official-agenda")
    save_and_continue(page)

    # Attendance: a person present, an organisation with apologies.
    expect(page.get_by_role("heading", name="Attendance")).to_be_visible()
    page.select_option("select[name=attendance-0-person]", str(cast["guest"].pk))
    page.select_option("select[name=attendance-1-organisation]", str(cast["organisation"].pk))
    page.select_option("select[name=attendance-1-status]", "apologies")
    screenshot("official-attendance")
    save_and_continue(page)

    # Two actions: one owned by a role the member holds, one by the member's organisation.
    expect(page.get_by_role("heading", name="Actions", exact=True)).to_be_visible()
    meeting = Meeting.objects.get()
    items = {item.title: item.pk for item in meeting.items.all()}
    page.select_option("select[name=actions-0-agenda_item]", str(items["Hate crime in Wales"]))
    page.fill("textarea[name=actions-0-text]", "Share the North Wales hate crime figures")
    page.select_option("select[name=actions-0-owner]", f"role:{cast['role'].pk}")
    page.fill("input[name=actions-0-deadline_text]", "Before the next meeting")
    page.select_option(
        "select[name=actions-1-agenda_item]", str(items["Welcome and introductions"])
    )
    page.fill("textarea[name=actions-1-text]", "Circulate the community cohesion report")
    page.select_option("select[name=actions-1-owner]", f"organisation:{cast['organisation'].pk}")
    page.fill("input[name=actions-1-deadline_text]", "By January 2027")
    screenshot("official-actions")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Your changes have been saved.")).to_be_visible()
    page.get_by_role("link", name="View the meeting notes").click()
    expect(page.get_by_text("Circulate the community cohesion report").first).to_be_visible()
    screenshot("official-meeting-notes")
    sign_out(page)
    return meeting


def test_an_official_records_a_meeting_a_member_acts_and_the_secretariat_sees_it(
    browser_page, live_server, cast, screenshot
):
    page, base_url = browser_page, live_server.url
    meeting = official_writes_up_a_meeting(page, base_url, cast, screenshot)

    titles = list(meeting.items.order_by("number").values_list("title", flat=True))
    assert titles == ["Hate crime in Wales", "Welcome and introductions"]
    assert meeting.attendance.count() == 2
    role_action = meeting.actions.get(owner_role=cast["role"])
    org_action = meeting.actions.get(owner_organisation=cast["organisation"])
    assert (role_action.owner_text, role_action.due_rule) == (
        "Regional Convenor (North Wales)",
        "next_meeting",
    )
    assert str(org_action.due_date) == "2027-01-31"

    # The member finds both under "My actions" and marks the organisation's one done.
    sign_in(page, base_url, "alaw")
    page.goto(f"{base_url}/actions/mine/")
    for text in (
        "Share the North Wales hate crime figures",
        "Circulate the community cohesion report",
    ):
        expect(page.get_by_role("link", name=text, exact=True)).to_be_visible()
    screenshot("member-my-actions")
    page.locator(f"tr[data-action='{org_action.pk}']").get_by_role("link", name="Update").click()
    page.select_option("select[name=status]", "done")
    page.fill("textarea[name=note]", "Circulated to all members by email.")
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_text("Your update has been saved.")).to_be_visible()
    screenshot("member-marked-done")
    sign_out(page)

    org_action.refresh_from_db()
    assert org_action.status == ActionItem.Status.DONE
    assert ActionUpdate.objects.get(action=org_action).author == cast["member"]

    # The secretariat sees who changed it, and to what, in the action's history.
    sign_in(page, base_url, "sian")
    page.goto(f"{base_url}{org_action.get_absolute_url()}")
    history = page.locator("#history")
    expect(history).to_contain_text("alaw")
    expect(history).to_contain_text("Done")
    screenshot("secretariat-action-history")
