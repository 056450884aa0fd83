"""Who acts in which forum: the scope every access rule starts from, and the querysets built on
it, with two forums of the same shape side by side."""

import datetime

import pytest
from django.utils import timezone

from actions.models import ActionItem
from correspondence.models import Letter
from directory.models import Forum, Membership
from hatecrime.models import DeliveryPlan
from meetings.models import Meeting
from tests import factories
from wrc import access

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 3)


@pytest.fixture
def forums():
    return factories.ForumFactory(), factories.ForumFactory(board=True)


def fresh(user):
    """The scope is cached on the user object for one request; a new request sees a new one."""
    user.__dict__.pop("_wrc_forum_scope", None)
    user.__dict__.pop("_wrc_roles", None)
    return user


def test_officials_act_in_every_forum_present_and_future(forums):
    official = factories.official_user()
    assert access.forum_scope(official).every_forum
    later = factories.ForumFactory(name="Faith Communities Forum", slug="faith-communities-forum")
    assert access.can_manage_forum(official, later)


def test_the_secretariat_acts_only_in_the_forums_it_is_the_secretariat_of(forums):
    race, board = forums
    user = factories.secretariat_user(forum=board)
    scope = access.forum_scope(user)
    assert scope.staff == {board.pk}
    assert not access.can_manage_forum(user, race)
    assert access.can_manage_forum(user, board)


def test_a_secretariat_account_of_no_forum_is_not_staff(forums):
    user = factories.secretariat_user()
    Membership.objects.filter(person__user=user).update(left_on=TODAY - datetime.timedelta(1))
    assert not access.is_staff_role(fresh(user))
    assert not access.can_see_contact_details(user)


def test_a_secretariat_membership_without_the_secretariat_group_manages_nothing(forums):
    race, _board = forums
    user = factories.member_user()
    Membership.objects.filter(person__user=user).update(role="secretariat")
    scope = access.forum_scope(fresh(user))
    assert scope.staff == frozenset() and scope.member == {race.pk}


def test_members_belong_through_their_organisation_and_only_while_current(forums):
    race, board = forums
    person = factories.PersonFactory()
    user = factories.member_user(person=person, forum=False)
    factories.MembershipFactory(forum=board, organisation=person.organisation)
    assert access.forum_scope(user).member == {board.pk}

    Membership.objects.filter(forum=board).update(left_on=timezone.localdate())
    assert access.forum_scope(fresh(user)).member == {board.pk}, "the last day still counts"
    Membership.objects.filter(forum=board).update(
        left_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert access.forum_scope(fresh(user)).member == frozenset()

    Membership.objects.filter(forum=board).update(
        left_on=None, joined_on=timezone.localdate() + datetime.timedelta(days=1)
    )
    assert access.forum_scope(fresh(user)).member == frozenset(), "not yet a member"


def test_the_scope_costs_one_query_per_request(forums, django_assert_num_queries):
    user = factories.member_user()
    user = type(user).objects.select_related("person").get(pk=user.pk)
    with django_assert_num_queries(2):  # the user's groups, then their memberships
        access.forum_scope(user)
        access.forum_scope(user)
        access.is_member(user)


def test_meetings_of_two_forums_on_the_same_day_are_two_meetings_each_seen_by_its_own(forums):
    race, board = forums
    start = datetime.datetime(2025, 3, 17, 12, 0, tzinfo=timezone.get_current_timezone())
    race_meeting = factories.MeetingFactory(forum=race, starts_at=start)
    board_meeting = factories.MeetingFactory(forum=board, starts_at=start, title="")

    official = factories.official_user()
    assert set(Meeting.objects.visible_to(official)) == {race_meeting, board_meeting}
    board_member = factories.member_user(forum=board)
    assert list(Meeting.objects.visible_to(board_member)) == [board_meeting]
    board_secretariat = factories.secretariat_user(forum=board)
    assert list(Meeting.objects.visible_to(board_secretariat)) == [board_meeting]
    assert list(Meeting.objects.editable_by(board_secretariat)) == [board_meeting]
    assert str(board_meeting).startswith("Hate and Community Tensions Board Cymru")


def test_the_database_refuses_a_second_meeting_of_one_forum_at_the_same_start(forums):
    from django.db import IntegrityError, transaction

    race, _board = forums
    start = datetime.datetime(2025, 3, 17, 12, 0, tzinfo=timezone.get_current_timezone())
    factories.MeetingFactory(forum=race, starts_at=start)
    factories.MeetingFactory(forum=race, starts_at=start + datetime.timedelta(hours=3))
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.MeetingFactory(forum=race, starts_at=start)


def test_a_member_sees_their_own_actions_wherever_they_are(forums):
    race, board = forums
    person = factories.PersonFactory()
    member = factories.member_user(person=person, forum=board)
    race_meeting = factories.MeetingFactory(forum=race)
    mine = factories.ActionItemFactory(meeting=race_meeting, owner_person=person)
    factories.ActionItemFactory(meeting=race_meeting)
    board_action = factories.ActionItemFactory(meeting=factories.MeetingFactory(forum=board))
    assert set(ActionItem.objects.visible_to(member)) == {mine, board_action}
    assert not ActionItem.objects.editable_by(member).exists()


def test_letters_to_all_members_reach_only_that_forums_members(forums):
    race, board = forums
    person = factories.PersonFactory()
    member = factories.member_user(person=person, forum=board)
    to_race = factories.LetterFactory(forum=race, status=Letter.Status.SENT)
    to_board = factories.LetterFactory(forum=board, status=Letter.Status.SENT)
    to_me = factories.LetterFactory(
        forum=race, status=Letter.Status.SENT, audience=Letter.Audience.PEOPLE
    )
    to_me.recipient_people.add(person)
    factories.LetterFactory(forum=board, status=Letter.Status.DRAFT)
    assert set(Letter.objects.visible_to(member)) == {to_board, to_me}
    assert to_race not in Letter.objects.visible_to(factories.secretariat_user(forum=board))


def test_a_plan_is_seen_by_its_forum_and_the_forums_it_is_shared_with(forums):
    race, board = forums
    plan = factories.DeliveryPlanFactory(forum=race)
    board_member = factories.member_user(forum=board)
    assert not DeliveryPlan.objects.visible_to(board_member).exists()
    plan.shared_with.add(board)
    assert list(DeliveryPlan.objects.visible_to(fresh(board_member))) == [plan]
    assert not access.can_manage_forum(board_member, plan.forum)


def test_forums_are_found_by_any_of_their_names(forums):
    _race, board = forums
    for name in ("HCTB", "hate and community tensions board cymru", board.name_cy, board.slug):
        assert Forum.lookup(name) == board
    assert Forum.lookup("") is None and Forum.lookup("Nobody's Forum") is None
    assert board.name_in("cy") == board.name_cy and board.short_name_in("en") == "HCTB"
