"""Search across meetings, actions, plan actions and organisations, grouped by kind, within what
the user may see. Runs on both backends; the full text assertions (stemming, ranking) run when
the suite runs on PostgreSQL (DATABASE_URL set)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from search import services
from tests import factories

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full text search runs on PostgreSQL only"
)


@pytest.fixture
def records():
    meeting = factories.MeetingFactory(title="Spring forum")
    factories.AgendaItemFactory(
        meeting=meeting,
        number=2,
        title="Misinformation",
        discussion="Members asked how to report misinformation about asylum hotels.",
    )
    draft = factories.MeetingFactory(title="Draft misinformation meeting", notes_status="draft")
    factories.AgendaItemFactory(meeting=draft, discussion="Misinformation in the draft notes.")
    return {
        "meeting": meeting,
        "draft": draft,
        "action": factories.ActionItemFactory(
            meeting=meeting, text="Share the misinformation toolkit with Forum members."
        ),
        "draft_action": factories.ActionItemFactory(
            meeting=draft, text="Check the misinformation draft."
        ),
        "plan_action": factories.PlanActionFactory(
            reference="4.12", text="We will tackle misinformation online."
        ),
        "organisation": factories.OrganisationFactory(name="Misinformation Watch Cymru"),
    }


def results(user, text, **kwargs):
    groups = services.search(user=user, text=text, limit=10, **kwargs)
    return {group.kind: group for group in groups}


def test_each_kind_is_found_and_counted(official, records):
    found = results(official, "misinformation")
    assert {r.pk for r in found["meetings"].results} == {
        records["meeting"].pk,
        records["draft"].pk,
    }
    assert found["meetings"].count == 2
    assert found["actions"].count == 2
    assert [r.pk for r in found["plan_actions"].results] == [records["plan_action"].pk]
    assert [r.pk for r in found["organisations"].results] == [records["organisation"].pk]


def test_a_member_does_not_find_draft_meetings_or_their_actions(member, records):
    found = results(member, "misinformation")
    assert [r.pk for r in found["meetings"].results] == [records["meeting"].pk]
    assert [r.pk for r in found["actions"].results] == [records["action"].pk]


def test_a_meeting_is_found_by_what_was_discussed_and_shows_the_item(client, official, records):
    found = results(official, "asylum hotels")
    meeting = found["meetings"].results[0]
    assert meeting == records["meeting"]
    assert [item.title for item in meeting.matching_items] == ["Misinformation"]
    client.force_login(official)
    html = client.get(reverse("search:results"), {"q": "asylum hotels"}).content.decode()
    assert "Item 2: Misinformation" in html
    assert "<mark>asylum</mark>" in html


def test_every_word_must_match(official, records):
    assert results(official, "misinformation toolkit")["actions"].count == 1
    assert results(official, "misinformation nonexistentword")["actions"].count == 0


def test_organisations_are_found_by_another_name(official):
    organisation = factories.OrganisationFactory(name="Welsh Local Government Association")
    factories.OrganisationAliasFactory(organisation=organisation, alias="WLGA Cymru")
    found = results(official, "WLGA")
    assert [r.pk for r in found["organisations"].results] == [organisation.pk]


def test_an_empty_search_finds_nothing_and_says_nothing(client, member):
    assert services.search(user=member, text="  ", limit=10) == []
    client.force_login(member)
    response = client.get(reverse("search:results"), {"q": ""})
    assert response.status_code == 200
    assert "result" not in response.content.decode().split("</form>")[1]


def test_the_results_page_groups_by_kind_with_counts(client, member, records):
    client.force_login(member)
    html = client.get(reverse("search:results"), {"q": "misinformation"}).content.decode()
    assert "4 results" in html
    assert "Meetings (1)" in html
    assert "Actions (1)" in html
    assert "Delivery plan actions (1)" in html
    assert "Organisations (1)" in html
    assert "Draft misinformation meeting" not in html


def test_a_kind_with_more_results_than_shown_links_to_all_of_them(client, official):
    for i in range(12):
        factories.ActionItemFactory(text=f"Translate leaflet {i}.")
    client.force_login(official)
    html = client.get(reverse("search:results"), {"q": "leaflet"}).content.decode()
    assert html.count("Translate leaflet") == 10
    assert "Show all 12 results in Actions" in html
    html = client.get(reverse("search:results"), {"q": "leaflet", "kind": "actions"}).content
    assert html.decode().count("Translate leaflet") == 12


def test_search_text_is_escaped_in_the_page(client, official):
    factories.ActionItemFactory(text="<script>alert(1)</script> leaflet")
    client.force_login(official)
    html = client.get(reverse("search:results"), {"q": "<script> leaflet"}).content.decode()
    assert "<script>alert(1)" not in html


def test_search_needs_a_role(client, outsider):
    assert reverse("login") in client.get(reverse("search:results"), {"q": "x"}).url
    client.force_login(outsider)
    assert client.get(reverse("search:results"), {"q": "x"}).status_code == 403


def test_the_results_page_makes_the_same_number_of_queries_for_1_and_20_matches(client, official):
    client.force_login(official)
    counts = []
    for n in (1, 20):
        for i in range(n):
            meeting = factories.MeetingFactory(title=f"Housing meeting {n}-{i}")
            factories.AgendaItemFactory(meeting=meeting, discussion="Housing discussed.")
            factories.ActionItemFactory(meeting=meeting, text=f"Housing action {n}-{i}.")
            factories.OrganisationFactory(name=f"Housing body {n}-{i}")
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("search:results"), {"q": "housing"})
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1], counts


def test_the_fallback_matches_substrings_case_insensitively(official, records, monkeypatch):
    monkeypatch.setattr(services, "uses_full_text_search", lambda: False)
    found = results(official, "MISINFORM")
    assert found["plan_actions"].count == 1
    assert found["organisations"].count == 1


# PostgreSQL full text search -------------------------------------------------------------------


@on_postgresql
def test_full_text_search_finds_other_forms_of_a_word(official, records):
    # "sharing" and "share" have the same English stem; the fallback would not find it.
    found = results(official, "sharing")
    assert [r.pk for r in found["actions"].results] == [records["action"].pk]
    assert results(official, "reported")["meetings"].count == 1  # "report" in the discussion


@on_postgresql
def test_full_text_search_ranks_title_matches_first(official):
    body_only = factories.ActionItemFactory(
        text="Write to the council.", completion_note="Mentioned racism training once."
    )
    in_title = factories.ActionItemFactory(text="Organise racism awareness training.")
    found = results(official, "racism training")
    assert [r.pk for r in found["actions"].results] == [in_title.pk, body_only.pk]


@on_postgresql
def test_full_text_search_understands_quoted_phrases_and_exclusions(official):
    phrase = factories.ActionItemFactory(text="Publish the hate crime report.")
    factories.ActionItemFactory(text="Report hate speech, not crime statistics.")
    found = results(official, '"hate crime"')
    assert [r.pk for r in found["actions"].results] == [phrase.pk]
    found = results(official, "hate -speech")
    assert [r.pk for r in found["actions"].results] == [phrase.pk]
