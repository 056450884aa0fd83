import datetime

import pytest
from django.utils import timezone

from actions.deadlines import interpret_deadline
from actions.models import ActionItem
from actions.services import refresh_next_meeting_due_dates, resolve_owner
from directory.models import Forum
from directory.services import forum_ensure
from tests import factories
from wrc.lib.importing import ImportReport

MEETING_DAY = datetime.date(2025, 3, 17)
D = datetime.date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("By June 2025", (D(2025, 6, 30), "fixed")),
        ("by june 2025", (D(2025, 6, 30), "fixed")),
        ("Ahead of grant launch (by May 2025)", (D(2025, 5, 31), "fixed")),
        ("By February 2028", (D(2028, 2, 29), "fixed")),
        ("End of Sept 2025", (D(2025, 9, 30), "fixed")),
        ("When published (Spring 2025)", (D(2025, 5, 31), "fixed")),
        ("Summer 2025", (D(2025, 8, 31), "fixed")),
        ("Autumn 2025", (D(2025, 11, 30), "fixed")),
        ("Winter 2025", (D(2026, 2, 28), "fixed")),
        ("By 30 June 2025", (D(2025, 6, 30), "fixed")),
        ("by the 1st April 2025", (D(2025, 4, 1), "fixed")),
        ("30/06/2025", (D(2025, 6, 30), "fixed")),
        ("2025-07-04", (D(2025, 7, 4), "fixed")),
        ("By the end of June", (D(2025, 6, 30), "fixed")),
        ("By end of February", (D(2026, 2, 28), "fixed")),
        ("End of the financial year", (D(2025, 3, 31), "fixed")),
        ("End of financial year", (D(2025, 3, 31), "fixed")),
        ("Within two weeks", (D(2025, 3, 31), "fixed")),
        ("Within 1 month", (D(2025, 4, 17), "fixed")),
        ("Within 10 days", (D(2025, 3, 27), "fixed")),
        ("Before next meeting", (None, "next_meeting")),
        ("By the next meeting", (None, "next_meeting")),
        ("At the next forum meeting", (None, "next_meeting")),
        ("As soon as possible", (None, "")),
        ("In due course", (None, "")),
        ("Ongoing", (None, "")),
        ("", (None, "")),
        ("By 31 February 2025", (D(2025, 2, 28), "fixed")),
    ],
)
def test_it_interprets_deadlines_as_written(text, expected):
    assert interpret_deadline(text, MEETING_DAY) == expected


def test_a_month_without_a_year_needs_the_meeting_date():
    assert interpret_deadline("By the end of June", None) == (None, "")
    assert interpret_deadline("By June 2025", None) == (D(2025, 6, 30), "fixed")


def _at(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


@pytest.mark.django_db
def test_next_meeting_actions_get_the_next_meetings_date_once_it_exists():
    forum = Forum.default()
    march = factories.MeetingFactory(forum=forum, starts_at=_at(D(2025, 3, 17)))
    action = factories.ActionItemFactory(
        meeting=march, deadline_text="Before next meeting", due_rule="next_meeting"
    )
    fixed = factories.ActionItemFactory(
        meeting=march, deadline_text="By June 2025", due_rule="fixed", due_date=D(2025, 6, 30)
    )
    assert refresh_next_meeting_due_dates(forum=forum) == 0
    factories.MeetingFactory(forum=forum, starts_at=_at(D(2025, 9, 1)))
    factories.MeetingFactory(forum=forum, starts_at=_at(D(2025, 6, 16)))
    assert refresh_next_meeting_due_dates(forum=forum) == 1
    action.refresh_from_db()
    fixed.refresh_from_db()
    assert action.due_date == D(2025, 6, 16)
    assert fixed.due_date == D(2025, 6, 30)
    history = action.history.count()
    assert refresh_next_meeting_due_dates(forum=forum) == 0
    assert action.history.count() == history


@pytest.mark.django_db
def test_a_cancelled_next_meeting_does_not_count():
    forum = Forum.default()
    march = factories.MeetingFactory(forum=forum, starts_at=_at(D(2025, 3, 17)))
    action = factories.ActionItemFactory(meeting=march, due_rule=ActionItem.DueRule.NEXT_MEETING)
    factories.MeetingFactory(forum=forum, starts_at=_at(D(2025, 6, 16)), status="cancelled")
    refresh_next_meeting_due_dates(forum=forum)
    action.refresh_from_db()
    assert action.due_date is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "kind", "name"),
    [
        ("Secretariat", "role", "Secretariat"),
        ("Officials", "role", "Welsh Government Officials"),
        ("Welsh Government Officials", "role", "Welsh Government Officials"),
        ("Regional convenor for N Wales", "role", "Regional Convenor (North Wales)"),
        ("Regional Convenor (North Wales)", "role", "Regional Convenor (North Wales)"),
        ("Forum member", "role", "Appointed Forum Member"),
        ("Jane Hutt MS", "person", "Jane Hutt"),
        ("Jane Hutt AS/MS", "person", "Jane Hutt"),
        ("WLGA", "organisation", "Welsh Local Government Association"),
        (
            "Welsh Local Government Authority (WLGA)",
            "organisation",
            "Welsh Local Government Association",
        ),
    ],
)
def test_it_resolves_owners_to_a_role_person_or_organisation(text, kind, name):
    report = ImportReport("test")
    forum = forum_ensure(report=report)
    from directory.services import organisation_ensure

    organisation_ensure(name="WLGA", report=report)
    owner = resolve_owner(text, forum=forum)
    found = {"role": owner.role, "person": owner.person, "organisation": owner.organisation}
    assert str(found[kind]) == name
    assert sum(value is not None for value in found.values()) == 1


@pytest.mark.django_db
def test_an_unknown_owner_resolves_to_nothing():
    forum = forum_ensure(report=ImportReport("test"))
    assert not resolve_owner("Someone from the council", forum=forum).found
    assert not resolve_owner("", forum=forum).found
