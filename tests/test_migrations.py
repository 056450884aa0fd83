"""The migrations to several forums, run on records made in the schema from before forums.

Every record made before forums existed ends in the first forum, the Wales Race Forum, and
nothing else about it changes. The test migrates the test database back, writes with the
historical models of that schema, migrates forward and compares; it leaves the database at the
latest schema whatever happens.
"""

import datetime
import zoneinfo

import pytest

from tests.migrating import migrate, models_at

LONDON = zoneinfo.ZoneInfo("Europe/London")
# The schema before forums: every app at the migration before its forum migrations.
BEFORE_FORUMS = [
    ("directory", "0001_initial"),
    ("hatecrime", "0001_initial"),
    ("meetings", "0001_initial"),
]
# The records compared before and after, as (app, model).
RECORDS = [
    ("directory", "Forum"),
    ("directory", "Organisation"),
    ("directory", "Person"),
    ("directory", "Membership"),
    ("directory", "OwnerRole"),
    ("hatecrime", "DeliveryPlan"),
    ("hatecrime", "Objective"),
    ("meetings", "Meeting"),
    ("meetings", "AgendaItem"),
    ("meetings", "Attendance"),
    ("actions", "ActionItem"),
    ("correspondence", "Letter"),
]


@pytest.fixture
def old_apps(transactional_db):
    with models_at(BEFORE_FORUMS) as apps:
        yield apps


def values(apps):
    return {
        (app, name): list(apps.get_model(app, name).objects.order_by("pk").values())
        for app, name in RECORDS
    }


def make_records(apps, *, forum=True):
    """A forum with a member organisation, a role, a plan, a meeting with attendance, an agenda
    item and an action, and a letter: written as the schema before forums has them."""
    model = apps.get_model
    organisation = model("directory", "Organisation").objects.create(
        name="Race Council Cymru", normalised_name="race council cymru", slug="race-council-cymru"
    )
    person = model("directory", "Person").objects.create(
        full_name="Alys Ahmed", organisation=organisation, calendar_token="token-1"
    )
    plan = model("hatecrime", "DeliveryPlan").objects.create(
        title_en="Tackling Hate Crimes – Delivery Plan", period="2016-17"
    )
    model("hatecrime", "Objective").objects.create(plan=plan, number=1, title_en="Data")
    if not forum:
        return
    wrf = model("directory", "Forum").objects.create(
        name="Wales Race Forum", name_cy="Fforwm Hil Cymru", slug="wales-race-forum"
    )
    model("directory", "Membership").objects.create(
        forum=wrf, organisation=organisation, role="member", left_on=datetime.date(2025, 3, 31)
    )
    role = model("directory", "OwnerRole").objects.create(
        forum=wrf, name="Secretariat", category="secretariat", aliases=["The Secretariat"]
    )
    starts = datetime.datetime(2025, 3, 17, 12, 0, tzinfo=LONDON)
    meeting = model("meetings", "Meeting").objects.create(
        forum=wrf, starts_at=starts, ends_at=starts + datetime.timedelta(hours=1), venue="Teams"
    )
    item = model("meetings", "AgendaItem").objects.create(meeting=meeting, number=1, title="Hi")
    model("meetings", "Attendance").objects.create(
        meeting=meeting, order=1, as_written="Race Council Cymru", organisation=organisation
    )
    model("actions", "ActionItem").objects.create(
        meeting=meeting, agenda_item=item, number=1, text="Circulate", owner_role=role
    )
    model("correspondence", "Letter").objects.create(
        forum=wrf, reference="JH/PO/31/2025", date=datetime.date(2025, 1, 30), sender=person
    )


# Columns a later migration moved to records of their own (tests/test_plan_introduction.py
# checks where they went).
MOVED_COLUMNS = {("hatecrime", "DeliveryPlan"): {"introduction_en", "introduction_cy"}}


def without_moved_fields(rows):
    return {
        key: [{n: v for n, v in row.items() if n not in MOVED_COLUMNS.get(key, ())} for row in kept]
        for key, kept in rows.items()
    }


def without_new_fields(before, after):
    """``after`` with only the columns ``before`` had (less those moved elsewhere)."""
    before = without_moved_fields(before)
    return {
        key: [{name: row[name] for name in old_rows[0]} for row in after[key]] if old_rows else []
        for key, old_rows in before.items()
    }


@pytest.mark.django_db(transaction=True)
def test_every_record_from_before_forums_is_in_the_wales_race_forum_and_unchanged(old_apps):
    make_records(old_apps)
    before = values(old_apps)

    new_apps = migrate(None)
    after = values(new_apps)

    assert {key: len(rows) for key, rows in after.items()} == {
        key: len(rows) for key, rows in before.items()
    }
    assert without_new_fields(before, after) == without_moved_fields(before)
    Forum = new_apps.get_model("directory", "Forum")
    (wrf,) = Forum.objects.all()
    assert (wrf.name, wrf.name_cy, wrf.slug) == (
        "Wales Race Forum",
        "Fforwm Hil Cymru",
        "wales-race-forum",
    )
    assert (wrf.kind, wrf.reminders_enabled, wrf.reminder_days_before_meeting) == ("forum", True, 7)
    (plan,) = after[("hatecrime", "DeliveryPlan")]
    assert plan["forum_id"] == wrf.pk
    assert not new_apps.get_model("hatecrime", "DeliveryPlan").objects.get().shared_with.exists()
    (meeting,) = after[("meetings", "Meeting")]
    assert meeting["forum_id"] == wrf.pk
    assert {row["forum_id"] for row in after[("correspondence", "Letter")]} == {wrf.pk}
    assert {row["forum_id"] for row in after[("directory", "Membership")]} == {wrf.pk}


@pytest.mark.django_db(transaction=True)
def test_a_plan_on_an_installation_with_no_forum_yet_gets_the_wales_race_forum(old_apps):
    make_records(old_apps, forum=False)
    before = values(old_apps)

    new_apps = migrate(None)

    (wrf,) = new_apps.get_model("directory", "Forum").objects.all()
    assert (wrf.name, wrf.slug) == ("Wales Race Forum", "wales-race-forum")
    assert new_apps.get_model("hatecrime", "DeliveryPlan").objects.get().forum_id == wrf.pk
    after = values(new_apps)
    del before[("directory", "Forum")], after[("directory", "Forum")]
    assert without_new_fields(before, after) == without_moved_fields(before)
