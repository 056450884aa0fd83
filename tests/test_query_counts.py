"""Every list and detail page makes the same number of queries with 1, 10 and 50 rows.

Each case builds ``n`` rows inside a savepoint that is rolled back afterwards, so the page is
measured with exactly 1, 10 and 50 rows, and asserts the last row built is on the page (so the
rows really were there when the queries were counted).
"""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings.models import Attendance
from tests import factories

pytestmark = pytest.mark.django_db

SIZES = (1, 10, 50)


def measure(client, build, n):
    with transaction.atomic():
        url, marker = build(n)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            body = response.getvalue().decode()  # a streamed download runs its queries here
        assert response.status_code == 200, url
        assert marker in body, marker
        transaction.set_rollback(True)
    return len(queries.captured_queries)


def assert_constant(client, user, build):
    client.force_login(user)
    counts = {n: measure(client, build, n) for n in SIZES}
    assert len(set(counts.values())) == 1, f"queries per number of rows: {counts}"


# Lists ------------------------------------------------------------------------------------


def meetings_list(n):
    meetings = [factories.MeetingFactory(title=f"Forum meeting {i}") for i in range(n)]
    for meeting in meetings:
        factories.AttendanceFactory(meeting=meeting)
        factories.ActionItemFactory(meeting=meeting)
    return reverse("meetings:list"), f"Forum meeting {n - 1}"


def actions_list(n):
    meeting = factories.MeetingFactory()
    owner = factories.OrganisationFactory()
    role = factories.OwnerRoleFactory()
    for i in range(n):
        factories.ActionItemFactory(
            meeting=meeting,
            text=f"Numbered action {i}.",
            owner_organisation=owner,
            owner_role=role,
            owner_person=factories.PersonFactory(),
        )
    return reverse("actions:list"), "Numbered action 0."


def plan_list(n):
    for i in range(n):
        factories.ObjectiveFactory(plan=factories.DeliveryPlanFactory(period=f"20{i:02d}-x"))
    return reverse("hatecrime:plan_list"), "2000-x"


def organisation_list(n):
    parent = factories.OrganisationFactory(name="Welsh Government")
    for i in range(n):
        organisation = factories.OrganisationFactory(
            name=f"Listed organisation {i:02d}", parent=parent
        )
        factories.PlanActionLeadFactory(organisation=organisation)
    return reverse("directory:organisation_list"), "Listed organisation 00"


def person_list(n):
    for i in range(n):
        factories.PersonFactory(full_name=f"Aaron Person {i:02d}")
    return reverse("directory:person_list"), "Aaron Person 00"


def letter_list(n):
    for i in range(n):
        factories.LetterFactory(subject_en=f"Letter subject {i}")
    return reverse("correspondence:list"), "Letter subject"


def home(n):
    person = factories.PersonFactory()
    user = factories.member_user(username="home-member", person=person)
    plan = factories.DeliveryPlanFactory(period="2030-31")
    for i in range(n):
        factories.ActionItemFactory(owner_person=person, text=f"My action {i}.")
        factories.LetterFactory(subject_en=f"Home letter {i}")
        factories.PlanActionFactory(
            area__objective__plan=plan, area__objective__title_en=f"Obj {i}"
        )
    factories.MeetingFactory(starts_at=timezone.now() + datetime.timedelta(days=3))
    home.user = user
    return reverse("home"), "My action 0."


@pytest.mark.parametrize(
    "build",
    [meetings_list, actions_list, plan_list, organisation_list, person_list, letter_list],
)
def test_list_pages_make_the_same_number_of_queries_for_1_10_and_50_rows(client, official, build):
    assert_constant(client, official, build)


def test_the_actions_list_for_a_member_makes_the_same_number_of_queries(client, member):
    def mine(n):
        for i in range(n):
            factories.ActionItemFactory(owner_person=member.person, text=f"Mine {i}.")
        return reverse("actions:list") + "?status=open&due=no_date", "Mine 0."

    assert_constant(client, member, mine)


def test_the_home_page_makes_the_same_number_of_queries(client):
    counts = []
    for n in SIZES:
        with transaction.atomic():
            url, marker = home(n)
            client.force_login(home.user)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert marker in response.content.decode()
            transaction.set_rollback(True)
        counts.append(len(queries.captured_queries))
    assert len(set(counts)) == 1, counts


# Details ----------------------------------------------------------------------------------


def meeting_detail(n):
    meeting = factories.MeetingFactory()
    for i in range(n):
        organisation = factories.OrganisationFactory()
        factories.AttendanceFactory(meeting=meeting, organisation=organisation, order=i)
        factories.AttendanceFactory(
            meeting=meeting,
            organisation=None,
            as_written=f"Apologies {i}",
            organisation_text="",
            status=Attendance.Status.APOLOGIES,
        )
        item = factories.AgendaItemFactory(meeting=meeting, number=i + 1, title=f"Item {i}")
        factories.ActionItemFactory(
            meeting=meeting,
            agenda_item=item,
            number=i + 1,
            owner_person=factories.PersonFactory(),
            owner_organisation=organisation,
            owner_role=factories.OwnerRoleFactory(),
        )
    return meeting.get_absolute_url(), f"{n}. Item {n - 1}"


def action_detail(n):
    action = factories.ActionItemFactory(
        agenda_item=factories.AgendaItemFactory(),
        owner_person=factories.PersonFactory(),
        owner_organisation=factories.OrganisationFactory(),
        owner_role=factories.OwnerRoleFactory(),
    )
    for i in range(n):
        factories.ActionUpdateFactory(action=action, note=f"Update note {i}")
    return action.get_absolute_url(), "Update note 0"


def plan_detail(n):
    plan = factories.DeliveryPlanFactory(period="2040-41")
    for i in range(n):
        objective = factories.ObjectiveFactory(plan=plan, number=i + 1)
        area = factories.DeliveryAreaFactory(objective=objective, number=i + 1)
        action = factories.PlanActionFactory(area=area, plan=plan, reference=f"{i + 1}.1")
        factories.PlanActionLeadFactory(action=action)
        factories.PlanActionLeadFactory(action=action, order=1)
    return plan.get_absolute_url(), f"Objective {n} –"


def plan_action_detail(n):
    origin = factories.PlanActionFactory(area__objective__plan=factories.DeliveryPlanFactory())
    action = factories.PlanActionFactory(
        area__objective__plan=factories.DeliveryPlanFactory(period="2050-51"),
        reference="7.7",
        origin=origin,
    )
    for i in range(n):
        factories.PlanActionLeadFactory(
            action=action,
            organisation=factories.OrganisationFactory(name=f"Lead body {i}"),
            order=i,
        )
    return action.get_absolute_url(), "Lead body 0"


def organisation_detail(n):
    organisation = factories.OrganisationFactory(parent=factories.OrganisationFactory())
    for i in range(n):
        factories.OrganisationAliasFactory(organisation=organisation)
        factories.OrganisationFactory(parent=organisation)
        factories.PersonFactory(organisation=organisation)
        lead = factories.PlanActionLeadFactory(organisation=organisation)
        lead.action.text = f"Led action {i}"
        lead.action.save()
        factories.ActionItemFactory(owner_organisation=organisation)
        factories.AttendanceFactory(organisation=organisation)
    return organisation.get_absolute_url(), "Led action 0"


def person_detail(n):
    person = factories.PersonFactory()
    for i in range(n):
        factories.ActionItemFactory(owner_person=person, text=f"Owned action {i}.")
        factories.MembershipFactory(
            person=person,
            organisation=None,
            role="member",
            forum=factories.ForumFactory(slug=f"forum-{i}", name=f"Forum {i}"),
        )
        factories.OwnerRoleFactory().holders.add(person)
    return person.get_absolute_url(), "Owned action 0."


def letter_detail(n):
    letter = factories.LetterFactory(sender=factories.PersonFactory())
    for i in range(n):
        factories.CarbonCopyFactory(letter=letter, as_written=f"Copied body {i}", order=i)
        factories.EnclosureFactory(letter=letter, title=f"Enclosure {i}", order=i)
    return letter.get_absolute_url(), "Copied body 0"


@pytest.mark.parametrize(
    "build",
    [
        meeting_detail,
        action_detail,
        plan_detail,
        plan_action_detail,
        organisation_detail,
        person_detail,
        letter_detail,
    ],
)
def test_detail_pages_make_the_same_number_of_queries_for_1_10_and_50_rows(client, official, build):
    assert_constant(client, official, build)


# Two forums ---------------------------------------------------------------------------------


def two_forum_lists(n):
    """``n`` meetings, actions, letters and plans in each of two forums; the board's are listed."""
    forums = (factories.ForumFactory(), factories.ForumFactory(board=True))
    for i in range(n):
        for forum in forums:
            name = forum.short_name or "WRF"
            meeting = factories.MeetingFactory(forum=forum, title=f"{name} meeting {i}")
            factories.AttendanceFactory(meeting=meeting)
            factories.ActionItemFactory(meeting=meeting, text=f"{name} action {i}.")
            factories.LetterFactory(
                forum=forum, audience="all_members", subject_en=f"{name} letter {i}"
            )
            plan = factories.DeliveryPlanFactory(forum=forum, period=f"{name}-{i:02d}")
            factories.ObjectiveFactory(plan=plan)
    return forums[1]


# Each page's first row once ``last`` rows are built in each forum.
TWO_FORUM_PAGES = [
    ("meetings:list", "HCTB meeting {last}"),
    ("actions:list", "HCTB action 0."),
    ("correspondence:list", "HCTB letter {last}"),
    ("hatecrime:plan_list", "HCTB-{last:02d}"),
]


@pytest.mark.parametrize("role", ["member", "secretariat"])
@pytest.mark.parametrize(("name", "marker"), TWO_FORUM_PAGES)
def test_lists_of_one_forum_among_two_make_the_same_number_of_queries(client, role, name, marker):
    counts = {}
    for n in SIZES:
        with transaction.atomic():
            board = two_forum_lists(n)
            make = factories.member_user if role == "member" else factories.secretariat_user
            client.force_login(make(forum=board, username=f"board-{role}"))
            with CaptureQueriesContext(connection) as queries:
                response = client.get(reverse(name))
            page = response.content.decode()
            assert marker.format(last=n - 1) in page and "WRF" not in page, name
            transaction.set_rollback(True)
        counts[n] = len(queries.captured_queries)
    assert len(set(counts.values())) == 1, f"queries per number of rows: {counts}"
