"""A second forum through a real browser: an official sets up a board, adds a member and
creates the board's meeting on the day the Wales Race Forum meets; the member sees only the
board's meeting."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from directory.models import Forum
from meetings.models import Meeting
from tests import factories
from tests.browser.test_journey import sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MEETING_DAY = datetime.date(2026, 12, 7)


@pytest.fixture
def cast(db):
    wrf = factories.ForumFactory()
    factories.MeetingFactory(
        forum=wrf,
        title="Wales Race Forum December",
        starts_at=datetime.datetime(2026, 12, 7, 10, 0, tzinfo=timezone.get_current_timezone()),
        status=Meeting.Status.PLANNED,
    )
    person = factories.PersonFactory(full_name="Bethan Bwrdd")
    return {
        "official": factories.official_user(username="olwen", first_name="Olwen"),
        "member": factories.member_user(person=person, forum=False, username="bethan"),
        "person": person,
    }


def official_sets_up_a_board(page, base_url, cast, screenshot):
    sign_in(page, base_url, "olwen")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Forums").click()
    page.get_by_role("link", name="Add a forum").click()
    page.fill("input[name=name]", "Race Equality Delivery Board")
    page.fill("input[name=name_cy]", "Bwrdd Cyflawni Cydraddoldeb Hiliol")
    page.fill("input[name=short_name]", "REDB")
    page.fill("input[name=short_name_cy]", "BCCH")
    page.get_by_label("Board", exact=True).check()
    screenshot("official-new-board")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Race Equality Delivery Board")).to_be_visible()
    return Forum.objects.get(short_name="REDB")


def official_adds_a_member(page, cast, screenshot):
    page.get_by_role("link", name="Add a member").click()
    page.select_option("select[name=person]", str(cast["person"].pk))
    page.select_option("select[name=role]", "member")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Bethan Bwrdd has been added to the forum")).to_be_visible()
    expect(page.get_by_role("link", name="End the membership of Bethan Bwrdd")).to_be_visible()
    screenshot("official-board-members")


def official_creates_the_boards_meeting(page, board, screenshot):
    page.get_by_role("link", name="Create a meeting").click()
    # The forum's page chose the forum: the board is preselected.
    expect(page.locator("#id_forum")).to_have_value(str(board.pk))
    page.fill("input[name=title]", "Delivery Board December")
    page.fill("input[name=starts_at]", f"{MEETING_DAY.isoformat()}T14:00")
    page.fill("input[name=ends_at]", f"{MEETING_DAY.isoformat()}T15:30")
    page.fill("input[name=online_platform]", "Teams")
    # Members see a meeting once its notes are approved.
    page.locator("input[name=notes_status][value=approved]").check()
    screenshot("official-board-meeting")
    page.get_by_role("button", name="Create the meeting").click()
    expect(page.get_by_role("heading", name="Agenda and discussion")).to_be_visible()


def test_a_board_member_sees_only_the_boards_meeting(browser_page, live_server, cast, screenshot):
    page, base_url = browser_page, live_server.url
    board = official_sets_up_a_board(page, base_url, cast, screenshot)
    official_adds_a_member(page, cast, screenshot)
    official_creates_the_boards_meeting(page, board, screenshot)
    meeting = Meeting.objects.get(title="Delivery Board December")
    assert meeting.forum == board
    assert Meeting.objects.filter(starts_at__date=MEETING_DAY).count() == 2
    sign_out(page)

    sign_in(page, base_url, "bethan")
    page.goto(f"{base_url}/meetings/")
    expect(page.get_by_role("link", name="Delivery Board December")).to_be_visible()
    expect(page.get_by_text("Wales Race Forum December")).to_have_count(0)
    screenshot("member-sees-the-boards-meeting")
