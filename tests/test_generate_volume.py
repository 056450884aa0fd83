"""The volume generator (``manage.py generate_volume``) at a small size."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from actions.models import ActionItem, ActionUpdate
from correspondence.models import Letter
from directory.models import Forum, Membership, Organisation, Person
from meetings.models import AgendaItem, Attendance, Meeting
from outbox.models import OutgoingMail
from tests.test_settings import PRODUCTION_ENV, run_django
from wrc.lib import volume

pytestmark = pytest.mark.django_db

SMALL = volume.VolumeSize(people=40, organisations=10, meetings=12, actions=300, forums=2)
TODAY = datetime.date(2026, 3, 17)


def fingerprint():
    """The generated records by what they say, not by their ids."""
    actions = ActionItem.objects.order_by("meeting__starts_at", "meeting__forum__name", "number")
    return [
        list(Person.objects.order_by("full_name").values_list("full_name", "organisation__name")),
        list(
            actions.values_list(
                "meeting__forum__name",
                "text",
                "owner_text",
                "due_date",
                "status",
                "agenda_item__title",
            )
        ),
        list(
            # A total order: two forums may meet at the same moment, and PostgreSQL returns ties
            # in any order.
            Attendance.objects.order_by(
                "meeting__starts_at", "meeting__forum__name", "order", "name", "status"
            ).values_list("name", "status")
        ),
    ]


def generate(seed=1):
    return volume.volume_generate(size=SMALL, seed=seed, today=TODAY)


def test_it_makes_the_records_asked_for_and_their_surroundings():
    result = generate()
    assert Person.objects.count() == SMALL.people + 1  # and the volume member
    assert Organisation.objects.count() == SMALL.organisations
    assert Meeting.objects.count() == SMALL.meetings
    assert ActionItem.objects.count() == SMALL.actions
    assert Forum.objects.count() == SMALL.forums
    assert result.counts["actionitem"] == SMALL.actions
    for model in (Membership, Attendance, AgendaItem, ActionUpdate, Letter, OutgoingMail):
        assert model.objects.exists(), model
    owners = ActionItem.objects.values_list("owner_person", "owner_organisation", "owner_role")
    assert any(p for p, _o, _r in owners) and any(o for _p, o, _r in owners)
    assert any(r for _p, _o, r in owners)
    assert {"open", "done"} <= set(ActionItem.objects.values_list("status", flat=True))
    assert ActionItem.objects.filter(due_date=None).exists()
    assert ActionItem.objects.exclude(due_date=None).exists()


def test_the_same_seed_makes_the_same_records_and_another_seed_others():
    with transaction.atomic():
        generate(seed=5)
        first = fingerprint()
        transaction.set_rollback(True)
    generate(seed=5)
    assert fingerprint() == first
    with transaction.atomic():
        ActionItem.objects.all().delete()
        generate(seed=6)
        assert fingerprint()[1] != first[1]
        transaction.set_rollback(True)


def test_a_seed_already_generated_is_refused():
    generate(seed=3)
    with pytest.raises(volume.AlreadyGenerated):
        generate(seed=3)


def test_the_volume_member_owns_at_least_200_actions_by_person_organisation_and_role():
    member = generate().member
    owned = ActionItem.objects.owned_by(member)
    assert owned.count() >= 200
    person = member.person
    assert owned.filter(owner_person=person).exists()
    assert owned.filter(owner_organisation=person.organisation).exists()
    assert owned.filter(owner_role__holders=person).exists()
    assert ActionItem.objects.visible_to(member).filter(owner_person=person).count() > 0


def test_the_command_prints_what_it_made(capsys, settings, tmp_path):
    settings.DEBUG = True  # as on a developer's machine (the test runner turns it off)
    settings.VAR_DIR = tmp_path  # where the member's password is kept
    call_command(
        "generate_volume", "--people=5", "--organisations=2", "--meetings=2", "--actions=10"
    )
    assert "actionitem: 10" in capsys.readouterr().out
    assert ActionItem.objects.count() == 10


def test_the_command_needs_force_when_debug_is_off(settings, tmp_path):
    settings.DEBUG = False
    settings.VAR_DIR = tmp_path
    args = ["generate_volume", "--people=2", "--organisations=1", "--meetings=1", "--actions=1"]
    with pytest.raises(CommandError, match="--force"):
        call_command(*args)
    assert not Person.objects.exists()
    call_command(*args, "--force")
    assert ActionItem.objects.count() == 1


def test_the_command_refuses_under_production_settings_even_with_force(tmp_path):
    result = run_django(
        tmp_path, PRODUCTION_ENV, "manage.py", "generate_volume", "--actions=1", "--force"
    )
    assert result.returncode != 0
    assert "never runs under production settings" in result.stderr
