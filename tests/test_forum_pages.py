"""The product shows its forums: a page per forum, a forum filter on every list and on search,
and a home page grouped by forum for someone who sees several."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from directory.models import Forum, Membership
from hatecrime.models import DeliveryPlan
from tests import factories

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def wrf():
    return factories.ForumFactory()


@pytest.fixture
def board():
    return factories.ForumFactory(board=True)


@pytest.fixture
def listed_person(wrf):
    """A member of the Wales Race Forum with contact details the members must not see."""
    person = factories.PersonFactory(
        full_name="Olu Other", email="olu.private@example.org", phone="07700 900123"
    )
    factories.MembershipFactory(
        forum=wrf,
        person=person,
        organisation=None,
        role="chair",
        joined_on=datetime.date(2023, 5, 1),
    )
    return person


def page(client, user, url):
    if user is not None:
        client.force_login(user)
    return client.get(url)


def detail_url(forum):
    return reverse("directory:forum_detail", args=[forum.slug])


def upcoming(days=3):
    return timezone.now() + datetime.timedelta(days=days)


# Who sees a forum's page -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["directory:forum_list", "directory:forum_detail"])
def test_anonymous_visitors_are_sent_to_sign_in(client, wrf, name):
    url = reverse(name, args=[wrf.slug] if name.endswith("detail") else [])
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_an_outsider_gets_a_404_for_a_forum(client, wrf, outsider):
    assert page(client, outsider, detail_url(wrf)).status_code == 404


def test_a_member_of_another_forum_gets_a_404(client, wrf, board):
    board_member = factories.member_user(forum=board, username="board-member")
    assert page(client, board_member, detail_url(wrf)).status_code == 404
    assert page(client, board_member, detail_url(board)).status_code == 200


def test_the_forum_list_shows_only_the_forums_a_member_belongs_to(client, wrf, board, member):
    html = page(client, member, reverse("directory:forum_list")).content.decode()
    assert wrf.name in html
    assert board.name not in html


def test_a_member_sees_the_members_names_but_no_contact_details(client, wrf, member, listed_person):
    response = page(client, member, detail_url(wrf))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Olu Other" in html and "Chair" in html and "1 May 2023" in html
    assert listed_person.email not in html
    assert listed_person.phone not in html
    assert reverse("directory:membership_add", args=[wrf.slug]) not in html


def test_the_secretariat_sees_contact_details_and_the_links_to_keep_the_forum(
    client, wrf, secretariat, listed_person
):
    html = page(client, secretariat, detail_url(wrf)).content.decode()
    assert listed_person.email in html and listed_person.phone in html
    assert f"{reverse('meetings:create')}?forum={wrf.slug}" in html
    assert reverse("directory:membership_add", args=[wrf.slug]) in html
    assert reverse("directory:forum_edit", args=[wrf.slug]) not in html


def test_the_forum_page_shows_its_next_meeting_actions_letters_and_plans(
    client, wrf, board, member
):
    factories.MeetingFactory(forum=wrf, title="Next WRF meeting", starts_at=upcoming(5))
    factories.MeetingFactory(forum=board, title="Board meeting", starts_at=upcoming(2))
    held = factories.MeetingFactory(forum=wrf, title="Held meeting")
    factories.ActionItemFactory(meeting=held)
    factories.ActionItemFactory(meeting=held, status="done")
    factories.LetterFactory(forum=wrf, subject_en="A letter to the forum")
    factories.LetterFactory(forum=board, subject_en="A letter to the board")
    factories.DeliveryPlanFactory(forum=wrf, period="2024-25")
    shared = factories.DeliveryPlanFactory(forum=board, period="2025-26")
    shared.shared_with.add(wrf)
    factories.DeliveryPlanFactory(forum=board, period="2026-27")

    html = page(client, member, detail_url(wrf)).content.decode()

    assert "Next WRF meeting" in html and "Board meeting" not in html
    assert "1 open action from this forum" in html
    assert f"{reverse('actions:list')}?forum={wrf.slug}" in html
    assert "A letter to the forum" in html and "A letter to the board" not in html
    assert "2024-25" in html and "2025-26" in html and "2026-27" not in html
    assert "shared by Hate and Community Tensions Board Cymru" in html


# Setting forums up -------------------------------------------------------------------------


def test_an_official_creates_a_forum(client, official):
    client.force_login(official)
    response = client.post(
        reverse("directory:forum_add"),
        {
            "name": "Disability Equality Forum",
            "name_cy": "Fforwm Cydraddoldeb Anabledd",
            "short_name": "DEF",
            "short_name_cy": "FfCA",
            "kind": "forum",
        },
    )
    forum = Forum.objects.get(name="Disability Equality Forum")
    assert response.status_code == 302 and response["Location"] == forum.get_absolute_url()
    assert forum.slug == "disability-equality-forum" and forum.short_name_cy == "FfCA"
    assert forum.history.count() == 1


def test_an_official_renames_a_forum_and_a_duplicate_name_is_refused(client, official, wrf, board):
    client.force_login(official)
    url = reverse("directory:forum_edit", args=[board.slug])
    fields = {"name": "Wales Race Forum", "short_name": "HCTB", "kind": "board"}
    response = client.post(url, fields)
    assert "There is already a forum called" in response.content.decode()
    client.post(url, fields | {"name": "Community Tensions Board"})
    board.refresh_from_db()
    assert board.name == "Community Tensions Board"


def test_only_officials_create_or_change_forums(client, wrf, secretariat, member):
    for user in (secretariat, member):
        client.force_login(user)
        assert client.get(reverse("directory:forum_add")).status_code == 403
        assert client.get(reverse("directory:forum_edit", args=[wrf.slug])).status_code == 403


def test_changing_a_forum_one_cannot_see_is_a_404(client, board, secretariat):
    client.force_login(secretariat)
    assert client.get(reverse("directory:forum_edit", args=[board.slug])).status_code == 404


# Memberships --------------------------------------------------------------------------------


def membership_fields(**overrides):
    return {"role": "member", "joined_on": "2025-04-01", **overrides}


def test_the_secretariat_adds_a_person_as_a_member(client, wrf, secretariat):
    person = factories.PersonFactory(full_name="Alaw Jones")
    client.force_login(secretariat)
    response = client.post(
        reverse("directory:membership_add", args=[wrf.slug]),
        membership_fields(person=person.pk),
    )
    assert response.status_code == 302
    membership = Membership.objects.get(forum=wrf, person=person)
    assert membership.role == "member" and membership.joined_on == datetime.date(2025, 4, 1)
    assert "Alaw Jones" in client.get(detail_url(wrf)).content.decode()


@pytest.mark.parametrize(
    "choose, error",
    [
        ("neither", "Choose either an organisation or a person."),
        ("both", "Choose either an organisation or a person."),
        ("backwards", "The last day must be on or after the first day."),
        ("again", "They are already a member of this forum in that role at that time."),
    ],
)
def test_a_membership_is_one_member_in_one_role_at_a_time(client, wrf, official, choose, error):
    organisation = factories.OrganisationFactory()
    factories.MembershipFactory(forum=wrf, organisation=organisation, role="member")
    person = factories.PersonFactory()
    fields = {
        "neither": membership_fields(),
        "both": membership_fields(organisation=organisation.pk, person=person.pk),
        "backwards": membership_fields(person=person.pk, left_on="2025-03-01"),
        "again": membership_fields(organisation=organisation.pk),
    }[choose]
    client.force_login(official)
    response = client.post(reverse("directory:membership_add", args=[wrf.slug]), fields)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert Membership.objects.filter(forum=wrf).count() == 1


def test_the_secretariat_of_another_forum_may_not_add_members(client, wrf, board):
    board_secretariat = factories.secretariat_user(
        forum=board, person=factories.PersonFactory(), username="board-sec"
    )
    url = reverse("directory:membership_add", args=[wrf.slug])
    client.force_login(board_secretariat)
    assert client.get(url).status_code == 404  # they do not see the forum at all
    # Once their organisation belongs to the forum they see it, and still may not change it.
    factories.MembershipFactory(forum=wrf, organisation=board_secretariat.person.organisation)
    client.force_login(board_secretariat)
    assert client.get(detail_url(wrf)).status_code == 200
    assert client.get(url).status_code == 403
    response = client.post(url, membership_fields(person=board_secretariat.person.pk))
    assert response.status_code == 403
    assert not wrf.memberships.filter(person=board_secretariat.person).exists()


def test_ending_a_membership_keeps_it_with_its_last_day(client, wrf, secretariat, listed_person):
    membership = listed_person.memberships.get()
    url = reverse("directory:membership_end", args=[wrf.slug, membership.pk])
    client.force_login(secretariat)
    assert client.get(url).status_code == 200
    response = client.post(url, {"left_on": "2025-02-28"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.left_on == datetime.date(2025, 2, 28)
    html = client.get(detail_url(wrf)).content.decode()
    assert "Former and future members" in html and "28 February 2025" in html
    # An ended membership cannot be ended again.
    assert client.post(url, {"left_on": "2025-03-01"}).status_code == 404


def test_a_membership_cannot_end_before_it_began(client, wrf, secretariat, listed_person):
    membership = listed_person.memberships.get()
    client.force_login(secretariat)
    response = client.post(
        reverse("directory:membership_end", args=[wrf.slug, membership.pk]),
        {"left_on": "2020-01-01"},
    )
    assert "on or after the day they joined" in response.content.decode()
    membership.refresh_from_db()
    assert membership.left_on is None


def test_members_may_not_end_memberships(client, wrf, member, listed_person):
    membership = listed_person.memberships.get()
    client.force_login(member)
    url = reverse("directory:membership_end", args=[wrf.slug, membership.pk])
    assert client.post(url, {"left_on": "2025-02-28"}).status_code == 403


# The forum filter on every list and on search ----------------------------------------------


@pytest.fixture
def two_forums(wrf, board):
    """A record of each kind in each forum."""
    for forum, label in ((wrf, "WRF"), (board, "Board")):
        meeting = factories.MeetingFactory(forum=forum, title=f"{label} meeting")
        factories.ActionItemFactory(meeting=meeting, text=f"{label} action about housing.")
        factories.LetterFactory(forum=forum, subject_en=f"{label} letter")
        plan = factories.DeliveryPlanFactory(forum=forum, period=f"{label}-plan")
        factories.PlanActionFactory(
            area__objective__plan=plan, text=f"{label} plan action about housing."
        )
    return {"wrf": wrf, "board": board}


LISTS = [
    ("meetings:list", "{} meeting"),
    ("actions:list", "{} action about housing."),
    ("correspondence:list", "{} letter"),
    ("hatecrime:plan_list", "{}-plan"),
]


@pytest.mark.parametrize("url_name, marker", LISTS)
def test_each_list_narrows_to_a_forum_and_keeps_it_in_the_address(
    client, official, two_forums, url_name, marker
):
    board = two_forums["board"]
    html = page(client, official, f"{reverse(url_name)}?forum={board.slug}").content.decode()
    assert marker.format("Board") in html
    assert marker.format("WRF") not in html
    # The select offers both forums, the board chosen: the filter form keeps it.
    assert re.search(rf'<option value="{board.slug}"\s+selected', html)
    assert 'value="wales-race-forum"' in html
    # Each row names its forum: the board by its short name.
    assert ">HCTB<" in html


@pytest.mark.parametrize("url_name, marker", LISTS)
def test_someone_in_one_forum_gets_no_forum_select_or_column(
    client, member, two_forums, url_name, marker
):
    html = page(client, member, reverse(url_name)).content.decode()
    assert marker.format("WRF") in html
    assert marker.format("Board") not in html
    assert not re.search(r'<select[^>]*name="forum"', html)
    assert ">Forum</th>" not in html


def test_a_forum_one_cannot_see_filters_nothing_out_of_reach(client, member, two_forums):
    board = two_forums["board"]
    html = page(client, member, f"{reverse('meetings:list')}?forum={board.slug}").content.decode()
    assert "Board meeting" not in html


def test_sort_links_keep_the_forum(client, official, two_forums):
    board = two_forums["board"]
    html = page(client, official, f"{reverse('meetings:list')}?forum={board.slug}").content.decode()
    assert f"forum={board.slug}&amp;sort=" in html or f"sort=title&amp;forum={board.slug}" in html


def test_search_narrows_to_a_forum_and_keeps_it_in_its_links(client, official, two_forums):
    board = two_forums["board"]
    url = f"{reverse('search:results')}?q=housing&forum={board.slug}"
    html = page(client, official, url).content.decode()
    assert "Board action about housing." in html and "Board plan action" in html
    assert "WRF action about housing." not in html and "WRF plan action" not in html
    assert re.search(rf'<option value="{board.slug}"\s+selected', html)
    everywhere = page(client, official, f"{reverse('search:results')}?q=housing").content.decode()
    assert "WRF action about housing." in everywhere and "Board action about housing." in everywhere


def test_search_show_all_links_keep_the_forum(client, official, two_forums, monkeypatch):
    from search import views

    monkeypatch.setattr(views, "PER_KIND_LIMIT", 1)
    board = two_forums["board"]
    factories.ActionItemFactory(meeting=board.meetings.get(), text="More housing.")
    html = page(
        client, official, f"{reverse('search:results')}?q=housing&forum={board.slug}"
    ).content.decode()
    assert f"kind=actions&amp;forum={board.slug}" in html


def test_the_plan_list_filter_includes_plans_shared_with_the_forum(client, official, two_forums):
    shared = DeliveryPlan.objects.get(period="WRF-plan")
    shared.shared_with.add(two_forums["board"])
    url = f"{reverse('hatecrime:plan_list')}?forum={two_forums['board'].slug}"
    html = page(client, official, url).content.decode()
    assert "WRF-plan" in html and "Board-plan" in html


# Home ----------------------------------------------------------------------------------------


def member_of(*forums, username="two-forum-member"):
    person = factories.PersonFactory(full_name="Dau Fforwm")
    user = factories.member_user(person=person, forum=forums[0], username=username)
    for forum in forums[1:]:
        factories.MembershipFactory(forum=forum, person=person, organisation=None)
    return user


def fill_forum(forum, person, label, days=3):
    factories.MeetingFactory(
        forum=forum, title=f"{label} next meeting", starts_at=upcoming(days), status="planned"
    )
    held = factories.MeetingFactory(forum=forum, title=f"{label} held meeting")
    factories.ActionItemFactory(meeting=held, owner_person=person, text=f"{label} my action.")
    factories.LetterFactory(forum=forum, subject_en=f"{label} letter")


def test_home_groups_by_forum_for_someone_in_two_forums(client, wrf, board):
    user = member_of(wrf, board)
    fill_forum(wrf, user.person, "WRF", days=9)
    fill_forum(board, user.person, "Board", days=2)
    other = factories.ForumFactory(name="Another Forum", slug="another-forum")
    fill_forum(other, factories.PersonFactory(), "Hidden", days=1)

    html = page(client, user, reverse("home")).content.decode()

    board_at = html.index('id="forum-hate-and-community-tensions-board-cymru"')
    wrf_at = html.index('id="forum-wales-race-forum"')
    assert board_at < wrf_at  # by name: "Hate…" before "Wales…"
    board_part, wrf_part = html[board_at:wrf_at], html[wrf_at:]
    for label, part in (("Board", board_part), ("WRF", wrf_part)):
        assert f"{label} next meeting" in part
        assert f"{label} my action." in part
        assert f"{label} letter" in part
    assert "WRF" not in board_part
    assert "Hidden" not in html


def test_home_for_someone_in_one_forum_shows_only_its_next_meeting(client, wrf, board, member):
    fill_forum(board, factories.PersonFactory(), "Board", days=1)
    fill_forum(wrf, member.person, "WRF", days=6)
    html = page(client, member, reverse("home")).content.decode()
    assert "WRF next meeting" in html and "Board next meeting" not in html
    assert 'id="forum-' not in html


def test_the_home_plan_comes_from_a_forum_the_user_sees(client, wrf, board, member):
    factories.DeliveryPlanFactory(forum=wrf, period="2020-21", title_en="Our plan")
    factories.DeliveryPlanFactory(forum=board, period="2029-30", title_en="Their plan")
    html = page(client, member, reverse("home")).content.decode()
    assert "Our plan" in html and "Their plan" not in html


# Query counts --------------------------------------------------------------------------------


def count_queries(client, user, url):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def test_home_makes_as_many_queries_for_ten_forums_as_for_two(
    client, django_assert_max_num_queries
):
    forums = [factories.ForumFactory(name=f"Forum {i:02d}", slug=f"forum-{i}") for i in range(10)]
    two = member_of(*forums[:2], username="in-two")
    ten = member_of(*forums, username="in-ten")
    for i, forum in enumerate(forums):
        fill_forum(forum, ten.person, f"F{i}", days=i + 1)
    for i, forum in enumerate(forums[:2]):
        factories.ActionItemFactory(
            meeting=forum.meetings.first(), owner_person=two.person, text=f"Two {i}."
        )
    client.force_login(two)
    baseline = count_queries(client, two, reverse("home"))
    client.force_login(ten)
    with django_assert_max_num_queries(baseline):
        html = client.get(reverse("home")).content.decode()
    assert "F9 next meeting" in html and "F0 my action." in html


def fill_forum_page(forum, n):
    for i in range(n):
        meeting = factories.MeetingFactory(forum=forum, title=f"Meeting {i}")
        factories.ActionItemFactory(meeting=meeting)
        factories.LetterFactory(forum=forum, subject_en=f"Forum letter {i}")
        factories.MembershipFactory(forum=forum, joined_on=datetime.date(2024, 1, 1))
        factories.MembershipFactory(
            forum=forum, person=factories.PersonFactory(), organisation=None
        )
        plan = factories.DeliveryPlanFactory(forum=forum, period=f"{forum.pk}-{i}")
        plan.shared_with.add(
            factories.ForumFactory(name=f"Sharer {forum.pk} {i}", slug=f"s{forum.pk}-{i}")
        )
    factories.MeetingFactory(forum=forum, starts_at=upcoming(), status="planned")


@pytest.mark.parametrize("role", ["official", "member"])
def test_the_forum_page_makes_as_many_queries_for_ten_rows_as_for_one(
    client, wrf, board, official, member, role, django_assert_max_num_queries
):
    user = {"official": official, "member": member}[role]
    factories.MembershipFactory(forum=board, person=member.person, organisation=None)
    fill_forum_page(wrf, 1)
    fill_forum_page(board, 10)
    baseline = count_queries(client, user, detail_url(wrf))
    client.force_login(user)
    with django_assert_max_num_queries(baseline):
        assert client.get(detail_url(board)).status_code == 200


def test_the_forum_list_makes_as_many_queries_for_ten_forums_as_for_one(
    client, official, django_assert_max_num_queries
):
    factories.ForumFactory()
    baseline = count_queries(client, official, reverse("directory:forum_list"))
    for i in range(9):
        forum = factories.ForumFactory(name=f"Forum {i}", slug=f"forum-{i}")
        factories.MembershipFactory(forum=forum)
    client.force_login(official)
    with django_assert_max_num_queries(baseline):
        html = client.get(reverse("directory:forum_list")).content.decode()
    assert "Forum 8" in html


def test_each_list_makes_as_many_queries_with_ten_forums_as_with_two(
    client, official, two_forums, django_assert_max_num_queries
):
    urls = [reverse(name) for name, _marker in LISTS] + [reverse("home")]
    baseline = {url: count_queries(client, official, url) for url in urls}
    for i in range(8):
        forum = factories.ForumFactory(name=f"Extra forum {i}", slug=f"extra-{i}")
        factories.MeetingFactory(forum=forum, starts_at=upcoming(i + 1), status="planned")
        factories.LetterFactory(forum=forum)
    client.force_login(official)
    for url in urls:
        with django_assert_max_num_queries(baseline[url]):
            assert client.get(url).status_code == 200


def test_the_actions_download_of_one_forum_is_named_after_it_in_the_chosen_language(
    client, wrf, board, official
):
    factories.ActionItemFactory(meeting=factories.MeetingFactory(forum=board))
    client.force_login(official)
    url = reverse("actions:export", args=["csv"])
    narrowed = client.get(url, {"forum": board.slug})
    assert "hate-and-community-tensions-board-cymru-actions" in narrowed["Content-Disposition"]
    client.cookies["django_language"] = "cy"
    welsh = client.get(url, {"forum": board.slug}, HTTP_ACCEPT_LANGUAGE="cy")
    assert "bwrdd-casineb-a-thensiynau-cymunedol-cymru-actions" in welsh["Content-Disposition"]
    everything = client.get(url)
    assert "board" not in everything["Content-Disposition"]


def test_the_header_names_the_service_not_another_forum(client, wrf, board):
    """A member of the board only is never told they are in the Wales Race Forum."""
    member = factories.member_user(forum=board)
    client.force_login(member)
    page = client.get(reverse("home")).content.decode()
    assert "Wales Race Forum" not in page
    assert "Forum records" in page
    client.cookies["django_language"] = "cy"
    assert "Cofnodion fforymau" in client.get(reverse("home")).content.decode()
