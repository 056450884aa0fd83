"""Search at size: records found by their Welsh text as well as their English, each kind's results
a page at a time, and the search page, "My actions" and an organisation's page making the same
number of queries however many records there are. Runs on both backends; what only PostgreSQL's
stored vectors do (stemming, vectors kept up to date) runs when DATABASE_URL is set."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from actions.models import ActionItem
from meetings.models import AgendaItem
from search import services
from tests import factories

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="stored search vectors are PostgreSQL's"
)

# The search page, "My actions" and the organisation page each make at most this many queries,
# with a handful of matching records or with many: the same bound at both sizes.
SEARCH_PAGE_QUERIES = 14
MY_ACTIONS_QUERIES = 7
ORGANISATION_PAGE_QUERIES = 13


def results(user, text, **kwargs):
    groups = services.search(user=user, text=text, limit=10, **kwargs)
    return {group.kind: group for group in groups}


def page(client, user, url, params=None):
    client.force_login(user)
    response = client.get(url, params or {})
    assert response.status_code == 200
    return response


# Welsh and English ---------------------------------------------------------------------------


@pytest.fixture
def welsh_only():
    """Records whose words are only in Welsh, as bilingual notes and plans have them."""
    meeting = factories.MeetingFactory(title="")
    item = factories.AgendaItemFactory(
        meeting=meeting,
        number=4,
        title="",
        discussion="",
        title_cy="Camwybodaeth ar y cyfryngau cymdeithasol",
        discussion_cy="Trafododd yr aelodau sut i adrodd am gamwybodaeth ar-lein.",
    )
    plan_action = factories.PlanActionFactory(
        reference="2.3",
        text="",
        text_cy="Byddwn yn gweithio gyda'r heddlu i annog dioddefwyr troseddau casineb i adrodd.",
    )
    return {"meeting": meeting, "item": item, "plan_action": plan_action}


def test_a_welsh_word_finds_a_record_with_only_welsh_text(official, welsh_only):
    found = results(official, "cymdeithasol")
    assert [m.pk for m in found["meetings"].results] == [welsh_only["meeting"].pk]
    assert [i.pk for i in found["meetings"].results[0].matching_items] == [welsh_only["item"].pk]
    found = results(official, "dioddefwyr casineb")
    assert [a.pk for a in found["plan_actions"].results] == [welsh_only["plan_action"].pk]


def test_the_english_words_do_not_find_the_welsh_only_records(official, welsh_only):
    found = results(official, "victims hate crime")
    assert found["plan_actions"].count == 0
    assert found["meetings"].count == 0


def test_a_record_found_by_its_welsh_shows_its_welsh_in_the_results(client, official, welsh_only):
    html = page(client, official, reverse("search:results"), {"q": "gamwybodaeth"}).content
    html = html.decode()
    assert "Item 4: Camwybodaeth ar y cyfryngau cymdeithasol" in html
    assert "<mark>gamwybodaeth</mark>" in html


def test_an_english_word_finds_the_english_records(official):
    toolkit = factories.ActionItemFactory(text="Share the misinformation toolkit with members.")
    factories.ActionItemFactory(text="Book the venue for the spring meeting.")
    found = results(official, "misinformation")
    assert [a.pk for a in found["actions"].results] == [toolkit.pk]


@on_postgresql
def test_english_words_are_stemmed_and_welsh_words_are_not(official, welsh_only):
    toolkit = factories.ActionItemFactory(text="Circulate the misinformation toolkits.")
    assert [a.pk for a in results(official, "toolkit")["actions"].results] == [toolkit.pk]
    assert [a.pk for a in results(official, "misinform")["actions"].results] == [toolkit.pk]
    # "camwybodaeth" and its mutated form "gamwybodaeth" are different words, as written.
    assert results(official, "gamwybodaeth")["meetings"].count == 1
    assert results(official, "camwybodaeth")["meetings"].count == 1
    assert results(official, "camwybod")["meetings"].count == 0


@on_postgresql
def test_the_stored_vector_follows_every_change_to_the_text(official, welsh_only):
    item = welsh_only["item"]
    item.discussion_cy = "Cytunodd yr aelodau i rannu'r pecyn cymorth."
    item.save()
    assert results(official, "pecyn")["meetings"].count == 1
    assert results(official, "gamwybodaeth")["meetings"].count == 0
    # A bulk update (as the imports and the volume generator make) too.
    AgendaItem.objects.filter(pk=item.pk).update(discussion="Members agreed a toolkit.")
    assert results(official, "toolkits")["meetings"].count == 1


# Who sees what ---------------------------------------------------------------------------------


def test_a_member_finds_only_what_they_may_see_on_every_page(client, member, official):
    approved = factories.MeetingFactory(title="Spring forum")
    draft = factories.MeetingFactory(title="Draft notes", notes_status="draft")
    for meeting in (approved, draft):
        for i in range(30):
            factories.ActionItemFactory(meeting=meeting, text=f"Cyfieithu taflen {i}.")
        factories.AgendaItemFactory(meeting=meeting, title="", title_cy="Taflenni")
    assert results(official, "taflen")["actions"].count == 60
    found = results(member, "taflen")
    assert found["actions"].count == 30
    assert {a.meeting_id for a in found["actions"].results} == {approved.pk}
    assert results(member, "taflenni")["meetings"].count == 1
    url = reverse("search:results")
    for number in (1, 2):
        response = page(client, member, url, {"q": "taflen", "kind": "actions", "page": number})
        (group,) = response.context["groups"]
        assert {a.meeting_id for a in group.results} == {approved.pk}


# Paging ------------------------------------------------------------------------------------------


def test_one_kind_of_results_is_paged_with_page_links(client, official):
    for i in range(30):
        factories.ActionItemFactory(text=f"Translate leaflet {i}.")
    url = reverse("search:results")
    html = page(client, official, url, {"q": "leaflet"}).content.decode()
    assert html.count("Translate leaflet") == 10
    assert "Show all 30 results in Actions" in html
    first = page(client, official, url, {"q": "leaflet", "kind": "actions"})
    second = page(client, official, url, {"q": "leaflet", "kind": "actions", "page": 2})
    first_rows = first.context["groups"][0].results
    second_rows = second.context["groups"][0].results
    assert (len(first_rows), len(second_rows)) == (25, 5)
    assert not {a.pk for a in first_rows} & {a.pk for a in second_rows}
    html = first.content.decode()
    assert "Actions: 30 results" in html
    assert 'class="govuk-pagination"' in html
    assert "?q=leaflet&amp;kind=actions&amp;page=2" in html


def test_a_page_past_the_last_shows_the_last(client, official):
    for i in range(3):
        factories.ActionItemFactory(text=f"Translate leaflet {i}.")
    response = page(
        client, official, reverse("search:results"), {"q": "leaflet", "kind": "actions", "page": 9}
    )
    assert len(response.context["groups"][0].results) == 3


def matching_records(n, word="housing"):
    """``n`` records of every kind with ``word`` in them."""
    plan_area = factories.DeliveryAreaFactory()
    for i in range(n):
        meeting = factories.MeetingFactory(title=f"{word.title()} meeting {i}")
        factories.AgendaItemFactory(meeting=meeting, discussion=f"{word.title()} discussed.")
        factories.AgendaItemFactory(meeting=meeting, title_cy=f"{word} {i}", discussion="")
        factories.ActionItemFactory(meeting=meeting, text=f"{word.title()} action {i}.")
        factories.PlanActionFactory(area=plan_area, text=f"{word.title()} plan action {i}.")
        factories.OrganisationFactory(name=f"{word.title()} body {i}")


@pytest.mark.parametrize("kind", ["", "actions", "meetings"])
@pytest.mark.parametrize("n", [2, 40])
def test_the_search_page_makes_the_same_queries_for_few_and_many_results(
    client, official, django_assert_max_num_queries, kind, n
):
    matching_records(n)
    client.force_login(official)
    params = {"q": "housing", "kind": kind, "page": 2 if n > 25 else 1}
    with django_assert_max_num_queries(SEARCH_PAGE_QUERIES):
        response = client.get(reverse("search:results"), params)
    assert sum(len(group.results) for group in response.context["groups"]) > 0


# My actions and the organisation page ----------------------------------------------------------


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def owned_actions(person, n):
    """``n`` of the member's actions in each group: overdue, due soon, later, no date, done."""
    for i in range(n):
        factories.ActionItemFactory(
            owner_person=person, text=f"Overdue {i}.", due_date=days(-i - 1)
        )
        factories.ActionItemFactory(
            owner_organisation=person.organisation, text=f"Soon {i}.", due_date=days(3)
        )
        factories.ActionItemFactory(owner_person=person, text=f"Later {i}.", due_date=days(60))
        factories.ActionItemFactory(owner_person=person, text=f"Undated {i}.")
        factories.ActionItemFactory(
            owner_person=person, text=f"Done {i}.", status=ActionItem.Status.DONE
        )


def test_my_actions_is_paged_in_the_groups_order_with_whole_group_counts(client, member):
    owned_actions(member.person, 8)  # 40 actions: 25 on the first page, 15 on the second
    url = reverse("actions:mine")
    first = page(client, member, url)
    second = page(client, member, url, {"page": 2})
    on_first = {g.key: len(g.actions) for g in first.context["groups"]}
    on_second = {g.key: len(g.actions) for g in second.context["groups"]}
    assert on_first == {"overdue": 8, "due_soon": 8, "later": 8, "no_date": 1, "completed": 0}
    assert on_second == {"overdue": 0, "due_soon": 0, "later": 0, "no_date": 7, "completed": 8}
    assert first.context["open_count"] == 32
    assert first.context["total_count"] == 40
    html = first.content.decode()
    assert "No date (8)" in html and 'class="govuk-pagination"' in html
    assert "Undated 0." in html and "Done 0." not in html
    html = second.content.decode()
    assert "Overdue (8)" not in html  # all on the first page
    assert "No date (8)" in html and "Completed (8)" in html


@pytest.mark.parametrize("n", [1, 12])
def test_my_actions_makes_the_same_queries_for_few_and_many_actions(
    client, member, django_assert_max_num_queries, n
):
    owned_actions(member.person, n)
    client.force_login(member)
    with django_assert_max_num_queries(MY_ACTIONS_QUERIES):
        response = client.get(reverse("actions:mine"), {"page": 2 if n > 5 else 1})
    assert response.status_code == 200
    assert sum(len(g.actions) for g in response.context["groups"]) > 0


def organisation_with_actions(n):
    organisation = factories.OrganisationFactory(name="Race Council Cymru")
    for i in range(n):
        factories.ActionItemFactory(owner_organisation=organisation, text=f"Owned action {i}.")
    return organisation


def test_the_organisation_page_pages_the_actions_it_owns(client, official):
    organisation = organisation_with_actions(30)
    url = organisation.get_absolute_url()
    first = page(client, official, url).content.decode()
    second = page(client, official, url, {"page": 2}).content.decode()
    assert first.count("Owned action ") == 25
    assert second.count("Owned action ") == 5
    assert 'class="govuk-pagination"' in first and "?page=2" in first


@pytest.mark.parametrize("n", [1, 40])
def test_the_organisation_page_makes_the_same_queries_for_few_and_many_actions(
    client, official, django_assert_max_num_queries, n
):
    organisation = organisation_with_actions(n)
    client.force_login(official)
    with django_assert_max_num_queries(ORGANISATION_PAGE_QUERIES):
        response = client.get(organisation.get_absolute_url(), {"page": 2 if n > 25 else 1})
    assert "Owned action " in response.content.decode()
