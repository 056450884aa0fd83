"""Each record's page shows who changed it, when and what: meetings, actions, plan actions,
organisations and letters."""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import formats

from actions.models import ActionItem
from tests import factories
from wrc.lib.history import HISTORY_LIMIT, history_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(db):
    return factories.official_user(username="editor", first_name="Nia", last_name="Evans")


def change(record, editor, **values):
    """Save ``values`` on ``record`` as ``editor`` would through a form."""
    for name, value in values.items():
        setattr(record, name, value)
    record._history_user = editor
    record.save()
    return record


def panel(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="history"' in html
    return html


def test_an_actions_page_shows_who_changed_the_status_from_what_to_what(client, official, editor):
    action = factories.ActionItemFactory(text="Publish the toolkit.")
    change(action, editor, status=ActionItem.Status.DONE)
    html = panel(client, official, action.get_absolute_url())
    assert "changed by Nia Evans" in html
    # Labels and choice names, not field names and stored values.
    assert '<th scope="row" class="govuk-table__header">Status</th>' in html
    assert '<td class="govuk-table__cell">Open</td>' in html
    assert '<td class="govuk-table__cell">Done</td>' in html


def test_a_meetings_page_shows_its_history(client, official, editor):
    meeting = factories.MeetingFactory(venue="Cathays Park")
    change(meeting, editor, venue="Tŷ Hywel")
    html = panel(client, official, meeting.get_absolute_url())
    assert "changed by Nia Evans" in html
    assert "Cathays Park" in html and "Tŷ Hywel" in html


def test_a_plan_actions_page_shows_its_history(client, member, editor):
    action = factories.PlanActionFactory(progress_note="")
    change(action, editor, progress_note="Funding agreed for two years.")
    html = panel(client, member, action.get_absolute_url())
    assert "changed by Nia Evans" in html
    assert "Progress note" in html and "Funding agreed for two years." in html


def test_an_organisations_page_names_a_changed_parent_rather_than_its_number(
    client, official, editor
):
    parent = factories.OrganisationFactory(name="Welsh Government")
    organisation = factories.OrganisationFactory(name="Hate Crime Team")
    change(organisation, editor, parent=parent)
    html = panel(client, official, organisation.get_absolute_url())
    assert "Part of" in html
    assert '<td class="govuk-table__cell">Welsh Government</td>' in html
    assert '<td class="govuk-table__cell">(empty)</td>' in html


def test_a_letters_page_shows_its_history(client, secretariat, editor):
    letter = factories.LetterFactory(subject_en="Forum update")
    change(letter, editor, subject_en="Forum update: March")
    html = panel(client, secretariat, letter.get_absolute_url())
    assert "changed by Nia Evans" in html
    assert "Forum update: March" in html


def test_creation_is_shown_and_changes_without_visible_fields_are_not(editor):
    action = factories.ActionItemFactory()
    action.version += 1
    action.save()  # only the version and the timestamp change
    change(action, editor, deadline_text="End of May")
    entries, more = history_of(action)
    assert [entry.kind for entry in entries] == ["changed", "created"]
    assert [c.label for c in entries[0].changes] == ["Deadline (as written)"]
    assert entries[1].who == "Automatic (import or scheduled task)"
    assert not more


def test_dates_are_shown_as_dates(editor):
    action = factories.ActionItemFactory()
    change(action, editor, due_date=datetime.date(2025, 5, 30))
    (entry, _created), _more = history_of(action)
    assert entry.changes[0].new == formats.date_format(datetime.date(2025, 5, 30), "DATE_FORMAT")
    assert entry.changes[0].old == "(empty)"


def test_a_long_history_shows_the_newest_changes_and_says_older_ones_are_left_out(editor):
    action = factories.ActionItemFactory()
    for i in range(HISTORY_LIMIT + 5):
        change(action, editor, deadline_text=f"Deadline {i}")
    entries, more = history_of(action)
    assert len(entries) == HISTORY_LIMIT
    assert more
    assert entries[0].changes[0].new == f"Deadline {HISTORY_LIMIT + 4}"
    assert entries[-1].changes[0].old == "Deadline 4"


@pytest.mark.parametrize("kind", ["action", "organisation"])
def test_the_history_panel_makes_the_same_number_of_queries_for_1_10_and_50_changes(
    client, official, editor, kind
):
    client.force_login(official)
    counts = {}
    for n in (1, 10, 50):
        with transaction.atomic():
            # Each change points a foreign key at a new record: its name is looked up too.
            if kind == "action":
                record = factories.ActionItemFactory()
                for _i in range(n):
                    change(record, editor, owner_person=factories.PersonFactory())
            else:
                record = factories.OrganisationFactory()
                for _i in range(n):
                    change(record, editor, parent=factories.OrganisationFactory())
            with CaptureQueriesContext(connection) as queries:
                response = client.get(record.get_absolute_url())
            assert response.content.decode().count("changed by Nia Evans") == min(n, HISTORY_LIMIT)
            transaction.set_rollback(True)
        counts[n] = len(queries.captured_queries)
    assert len(set(counts.values())) == 1, counts


def test_a_member_sees_no_history_of_a_meeting_they_cannot_see(client, member, editor):
    draft = factories.MeetingFactory(notes_status="draft", title="Draft meeting")
    change(draft, editor, venue="Somewhere private")
    client.force_login(member)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 404
    assert "Somewhere private" not in response.content.decode()
