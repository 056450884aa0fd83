"""Two forums keep apart: the Wales Race Forum and the Hate and Community Tensions Board.

The secretariat of the board keeps the board's records and no others: every page that changes
one of the forum's records is a 404 (a record they may not see) or a 403 (one they may see, as a
member, but not change), by GET and by POST, and nothing is written. A member of the board sees
the board's approved meetings, its letters to all members, letters sent to them by name, the
plans of the board or shared with it, and their own actions wherever they are; nothing else of
the forum reaches them through pages, search, downloads or their calendar feed.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from actions.models import ActionItem, ActionUpdate
from correspondence.models import CarbonCopy, Enclosure, Letter
from directory.models import Membership, MembershipRole
from meetings.models import AgendaItem, Attendance, Meeting
from outbox.models import OutgoingMail
from tests import factories

# Everything a refused request might have written.
WATCHED = (
    Meeting,
    AgendaItem,
    Attendance,
    ActionItem,
    ActionUpdate,
    Letter,
    CarbonCopy,
    Enclosure,
    OutgoingMail,
    Membership,
)


def database_state():
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in WATCHED}


def when(day, hour=10):
    return datetime.datetime(2026, 6, day, hour, 0, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def forums(db, settings, tmp_path):
    """The forum's records (``wrf``) and the board's (``board``), and the board's people."""
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    wrf, board = factories.ForumFactory(), factories.ForumFactory(board=True)
    member = factories.member_user(forum=board, username="board-member")
    person = member.person
    records = {"member": member, "person": person}
    for key, forum in (("wrf", wrf), ("board", board)):
        name = forum.short_name or "WRF"
        meeting = factories.MeetingFactory(
            forum=forum, title=f"{name} approved meeting", starts_at=when(2 if key == "wrf" else 3)
        )
        draft = factories.MeetingFactory(
            forum=forum,
            title=f"{name} draft meeting",
            starts_at=when(20 if key == "wrf" else 21),
            notes_status=Meeting.NotesStatus.DRAFT,
        )
        item = factories.AgendaItemFactory(meeting=meeting, title=f"{name} agenda item")
        action = factories.ActionItemFactory(
            meeting=meeting, agenda_item=item, text=f"{name} zanzibar action."
        )
        letter = factories.LetterFactory(
            forum=forum,
            audience=Letter.Audience.ALL_MEMBERS,
            subject_en=f"{name} all-members letter",
        )
        enclosure = factories.EnclosureFactory(
            letter=letter, file=SimpleUploadedFile(f"{key}.txt", f"{name} enclosure".encode())
        )
        draft_letter = factories.LetterFactory(
            forum=forum, status=Letter.Status.DRAFT, subject_en=f"{name} draft letter"
        )
        draft_enclosure = factories.EnclosureFactory(
            letter=draft_letter, file=SimpleUploadedFile(f"{key}-draft.txt", b"Draft")
        )
        delivery = factories.LetterMailFactory(letter=letter, status=OutgoingMail.Status.UNCERTAIN)
        plan = factories.DeliveryPlanFactory(forum=forum, period=f"{key}-2025")
        plan_action = factories.PlanActionFactory(
            area__objective__plan=plan, text=f"We will deliver the {name} quokka programme."
        )
        records[key] = {
            "forum": forum,
            "meeting": meeting,
            "draft": draft,
            "action": action,
            "letter": letter,
            "enclosure": enclosure,
            "draft_letter": draft_letter,
            "draft_enclosure": draft_enclosure,
            "delivery": delivery,
            "plan": plan,
            "plan_action": plan_action,
        }
    # The forum's own action for the board's member, and a forum letter sent to them by name.
    records["owned"] = factories.ActionItemFactory(
        meeting=records["wrf"]["draft"], owner_person=person, text="Owned in the forum."
    )
    addressed = factories.LetterFactory(
        forum=wrf, audience=Letter.Audience.PEOPLE, subject_en="WRF letter to them by name"
    )
    addressed.recipient_people.add(person)
    records["addressed"] = addressed
    shared = factories.DeliveryPlanFactory(forum=wrf, period="shared-2025")
    shared.shared_with.add(board)
    factories.PlanActionFactory(
        area__objective__plan=shared, text="We will deliver the shared wombat programme."
    )
    records["shared_plan"] = shared
    return records


@pytest.fixture
def board_secretariat(forums):
    return factories.secretariat_user(forum=forums["board"]["forum"], username="board-secretariat")


def editing_requests(records):
    """(URL, POST data) for every page that changes one of ``records``' forum's records."""
    meeting, letter, draft = records["meeting"], records["letter"], records["draft_letter"]
    delivery = records["delivery"]
    details = {
        "title": "Changed by the wrong forum",
        "starts_at": "2025-06-02T10:00",
        "ends_at": "2025-06-02T12:00",
        "online_platform": "Teams",
        "status": "held",
        "notes_status": "approved",
        "opened_version": str(meeting.version),
    }
    meeting_steps = [
        reverse(name, args=[meeting.pk])
        for name in (
            "meetings:edit_agenda",
            "meetings:edit_attendance",
            "meetings:edit_actions",
            "meetings:edit_previous_actions",
        )
    ]
    return [
        (reverse("meetings:edit", args=[meeting.pk]), details),
        *((url, {}) for url in meeting_steps),
        (reverse("actions:update", args=[records["action"].pk]), {"status": "done"}),
        (reverse("calendars:meeting_invitations", args=[meeting.pk]), {}),
        (reverse("calendars:send_invitations", args=[meeting.pk]), {}),
        (reverse("correspondence:draft", args=[draft.pk]), {"subject_en": "Changed"}),
        (reverse("correspondence:draft_enclosure_add", args=[draft.pk]), {"title": "More"}),
        (
            reverse(
                "correspondence:draft_enclosure_remove",
                args=[draft.pk, records["draft_enclosure"].pk],
            ),
            {},
        ),
        (reverse("correspondence:draft_preview", args=[draft.pk]), {}),
        (reverse("correspondence:draft_send", args=[draft.pk]), {}),
        (reverse("correspondence:outbox_letter", args=[letter.pk]), {}),
        (
            reverse("correspondence:outbox_settle", args=[letter.pk]),
            {"action": "confirm", "mails": [delivery.pk], "reason": "Checked"},
        ),
    ]


# The board's secretariat and the forum's records ----------------------------------------------


def test_the_boards_secretariat_is_refused_every_editing_page_of_the_forum_and_nothing_changes(
    client, forums, board_secretariat
):
    client.force_login(board_secretariat)
    before = database_state()
    for url, data in editing_requests(forums["wrf"]):
        statuses = {client.get(url).status_code, client.post(url, data).status_code}
        assert 404 in statuses and statuses <= {404, 405}, (url, statuses)
    assert database_state() == before


def test_the_boards_secretariat_may_still_edit_the_boards_own_records(
    client, forums, board_secretariat
):
    client.force_login(board_secretariat)
    for url, _data in editing_requests(forums["board"]):
        assert client.get(url).status_code in (200, 405), url


def test_a_forum_meeting_they_may_read_as_a_member_is_a_403_to_change_not_a_404(
    client, forums, board_secretariat
):
    factories.MembershipFactory(
        forum=forums["wrf"]["forum"], person=board_secretariat.person, organisation=None
    )
    client.force_login(board_secretariat)
    meeting, letter = forums["wrf"]["meeting"], forums["wrf"]["letter"]
    before = database_state()

    page = client.get(meeting.get_absolute_url())
    assert page.status_code == 200
    assert reverse("meetings:edit", args=[meeting.pk]) not in page.text
    assert reverse("calendars:meeting_invitations", args=[meeting.pk]) not in page.text
    for name in ("meetings:edit", "meetings:edit_agenda", "calendars:send_invitations"):
        url = reverse(name, args=[meeting.pk])
        statuses = {client.get(url).status_code, client.post(url, {}).status_code}
        assert 403 in statuses and statuses <= {403, 405}, (url, statuses)
    assert client.get(letter.get_absolute_url()).status_code == 200
    assert reverse("correspondence:outbox_letter", args=[letter.pk]) not in (
        client.get(letter.get_absolute_url()).text
    )
    assert client.get(reverse("correspondence:outbox_letter", args=[letter.pk])).status_code == 403
    assert database_state() == before


def test_the_outbox_lists_only_the_letters_of_forums_they_keep(client, forums, board_secretariat):
    client.force_login(board_secretariat)
    page = client.get(reverse("correspondence:outbox")).text
    assert "HCTB all-members letter" in page and "HCTB draft letter" in page
    assert "WRF all-members letter" not in page and "WRF draft letter" not in page


def test_a_letter_to_start_from_is_one_they_may_read(client, forums, board_secretariat):
    client.force_login(board_secretariat)
    page = client.get(reverse("correspondence:compose")).text
    assert "HCTB all-members letter" in page
    assert "WRF all-members letter" not in page
    url = reverse("correspondence:compose") + f"?from={forums['wrf']['letter'].pk}"
    assert client.get(url).status_code == 404


def test_they_cannot_give_a_person_a_membership_of_the_forum(client, forums, board_secretariat):
    person = factories.PersonFactory(full_name="Pat Person")
    client.force_login(board_secretariat)
    page = client.get(reverse("directory:person_edit", args=[person.pk])).text
    assert 'name="membership_role"' not in page
    data = {
        "full_name": "Pat Person",
        "preferred_language": "en",
        "membership_role": MembershipRole.SECRETARIAT,
        "opened_version": str(person.version),
    }
    client.post(reverse("directory:person_edit", args=[person.pk]), data)
    assert not person.memberships.exists()


# Creating a meeting or a letter in a forum -----------------------------------------------------

NEW_MEETING = {
    "title": "",
    "starts_at": "2025-07-14T10:00",
    "ends_at": "2025-07-14T12:00",
    "online_platform": "Teams",
    "status": "planned",
    "notes_status": "draft",
}


def test_the_new_meeting_form_offers_only_the_forums_they_keep(client, forums, board_secretariat):
    client.force_login(board_secretariat)
    page = client.get(reverse("meetings:create")).text
    assert '<select name="forum"' in page and 'id="id_forum"' in page
    assert "Hate and Community Tensions Board Cymru" in page
    assert "Wales Race Forum" not in page.split('id="id_forum"')[1].split("</select>")[0]


def test_a_new_meeting_in_a_forum_they_do_not_keep_is_refused_with_a_message(
    client, forums, board_secretariat
):
    client.force_login(board_secretariat)
    data = NEW_MEETING | {"forum": forums["wrf"]["forum"].pk}
    response = client.post(reverse("meetings:create"), data)
    assert response.status_code == 200
    assert "You do not keep the records of that forum." in response.text
    assert not Meeting.objects.filter(status=Meeting.Status.PLANNED).exists()


def test_with_one_forum_the_new_meeting_is_in_it(client, forums, board_secretariat):
    client.force_login(board_secretariat)
    response = client.post(reverse("meetings:create"), NEW_MEETING)
    assert response.status_code == 302
    assert Meeting.objects.get(title="", status="planned").forum == forums["board"]["forum"]


def test_an_official_chooses_the_forum_preselected_from_the_address(client, forums, official):
    client.force_login(official)
    board = forums["board"]["forum"]
    page = client.get(reverse("meetings:create") + f"?forum={board.slug}").text
    select = page.split('id="id_forum"')[1].split("</select>")[0]
    assert "Wales Race Forum" in select
    assert f'value="{board.pk}" selected' in select

    refused = client.post(reverse("meetings:create"), NEW_MEETING)
    assert "Choose the forum it belongs to." in refused.text

    client.post(reverse("meetings:create"), NEW_MEETING | {"forum": board.pk})
    assert Meeting.objects.get(status="planned").forum == board


def test_two_forums_meeting_at_the_same_time_are_both_listed_for_an_official(
    client, forums, official
):
    client.force_login(official)
    for forum in (forums["wrf"]["forum"], forums["board"]["forum"]):
        data = NEW_MEETING | {"forum": forum.pk, "title": f"Same day, {forum.slug}"}
        assert client.post(reverse("meetings:create"), data).status_code == 302
    page = client.get(reverse("meetings:list")).text
    assert "Same day, wales-race-forum" in page
    assert "Same day, hate-and-community-tensions-board-cymru" in page


def test_a_new_letter_belongs_to_a_forum_they_keep(client, forums, board_secretariat):
    client.force_login(board_secretariat)
    data = {
        "reference": "HCTB/1/2025",
        "date": "2025-07-01",
        "sender_name": "Secretariat",
        "subject_en": "Board letter",
        "body_en": "Dear members",
        "audience": Letter.Audience.ALL_MEMBERS,
        "closing_en": "Yours sincerely",
        "language_mode": "preferred",
    }
    page = client.get(reverse("correspondence:compose") + "?blank=1").text
    assert 'id="id_forum"' in page
    refused = client.post(
        reverse("correspondence:compose"), data | {"forum": forums["wrf"]["forum"].pk}
    )
    assert "You do not keep the records of that forum." in refused.text
    assert not Letter.objects.filter(reference="HCTB/1/2025").exists()
    response = client.post(reverse("correspondence:compose"), data)
    assert response.status_code == 302, response.context["form"].errors
    assert Letter.objects.get(reference="HCTB/1/2025").forum == forums["board"]["forum"]


# What the board's member sees -----------------------------------------------------------------


def test_the_boards_member_sees_only_the_boards_approved_meetings(client, forums):
    client.force_login(forums["member"])
    page = client.get(reverse("meetings:list")).text
    assert "HCTB approved meeting" in page
    assert "HCTB draft meeting" not in page
    assert "WRF approved meeting" not in page
    for key in ("meeting", "draft"):
        meeting = forums["wrf"][key]
        assert client.get(meeting.get_absolute_url()).status_code == 404
        for fmt in ("md", "docx"):
            url = reverse("exports:meeting_notes_download", args=[meeting.pk, "en", fmt])
            assert client.get(url).status_code == 404
        url = reverse("exports:meeting_notes_print", args=[meeting.pk, "en"])
        assert client.get(url).status_code == 404


def test_the_boards_member_sees_the_boards_letters_and_those_sent_to_them(client, forums):
    client.force_login(forums["member"])
    page = client.get(reverse("correspondence:list")).text
    assert "HCTB all-members letter" in page
    assert "WRF letter to them by name" in page
    assert "WRF all-members letter" not in page and "draft letter" not in page
    wrf = forums["wrf"]
    assert client.get(wrf["letter"].get_absolute_url()).status_code == 404
    url = reverse("correspondence:enclosure", args=[wrf["letter"].pk, wrf["enclosure"].pk])
    assert client.get(url).status_code == 404
    board = forums["board"]
    url = reverse("correspondence:enclosure", args=[board["letter"].pk, board["enclosure"].pk])
    assert client.get(url).status_code == 200


def test_the_boards_member_sees_the_boards_plans_and_those_shared_with_it(client, forums):
    client.force_login(forums["member"])
    page = client.get(reverse("hatecrime:plan_list")).text
    assert "board-2025" in page and "shared-2025" in page
    assert "wrf-2025" not in page
    wrf_plan, wrf_action = forums["wrf"]["plan"], forums["wrf"]["plan_action"]
    refused = [
        wrf_plan.get_absolute_url(),
        wrf_action.get_absolute_url(),
        reverse("hatecrime:plan_downloads", args=[wrf_plan.slug]),
        reverse("hatecrime:plan_export", args=[wrf_plan.slug, "csv"]),
    ]
    for url in refused:
        assert client.get(url).status_code == 404, url
    shared = forums["shared_plan"]
    assert client.get(shared.get_absolute_url()).status_code == 200
    assert (
        client.get(reverse("hatecrime:plan_export", args=[shared.slug, "csv"])).status_code == 200
    )


def test_the_boards_member_updates_their_own_action_in_the_forum(client, forums):
    client.force_login(forums["member"])
    owned = forums["owned"]
    assert client.get(owned.get_absolute_url()).status_code == 200
    assert "Owned in the forum." in client.get(reverse("actions:mine")).text
    response = client.post(
        reverse("actions:update", args=[owned.pk]),
        {"status": "done", "note": "Finished", "opened_version": str(owned.version)},
    )
    assert response.status_code == 302
    owned.refresh_from_db()
    assert owned.status == ActionItem.Status.DONE
    assert client.get(forums["wrf"]["action"].get_absolute_url()).status_code == 404


def test_nothing_of_the_forum_is_found_by_the_boards_member(client, forums):
    client.force_login(forums["member"])
    for term in ("zanzibar", "quokka"):
        page = client.get(reverse("search:results"), {"q": term}).text
        assert "HCTB" in page, term
        assert "WRF" not in page, term
    assert "wombat" in client.get(reverse("search:results"), {"q": "wombat"}).text


def test_the_actions_download_of_the_boards_member_has_nothing_of_the_forum(client, forums):
    client.force_login(forums["member"])
    body = client.get(reverse("actions:export", args=["csv"])).getvalue().decode()
    assert "HCTB zanzibar action." in body
    assert "Owned in the forum." in body
    assert "WRF zanzibar action." not in body


def test_an_organisation_page_lists_only_plan_actions_of_plans_they_may_read(client, forums):
    organisation = factories.OrganisationFactory(name="Lead body")
    for key in ("wrf", "board"):
        factories.PlanActionLeadFactory(
            organisation=organisation, action=forums[key]["plan_action"]
        )
    client.force_login(forums["member"])
    page = client.get(organisation.get_absolute_url()).text
    assert "HCTB quokka" in page
    assert "WRF quokka" not in page


def test_calendar_feeds_carry_only_the_meetings_of_their_forums(client, forums, board_secretariat):
    for user in (forums["member"], board_secretariat):
        token = user.person.calendar_token
        feed = client.get(reverse("calendars:feed", args=[token])).content.decode()
        assert "HCTB approved meeting" in feed
        assert "WRF approved meeting" not in feed and "WRF draft meeting" not in feed


def test_a_member_who_left_the_forum_no_longer_gets_its_meetings_in_their_feed(client, forums):
    person = forums["person"]
    Membership.objects.filter(person=person).update(left_on=datetime.date(2024, 1, 1))
    feed = client.get(reverse("calendars:feed", args=[person.calendar_token])).content.decode()
    assert "HCTB approved meeting" not in feed
