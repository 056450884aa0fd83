import datetime

import pytest

from actions.models import ActionItem
from directory.models import Organisation, normalise_name
from tests import factories

pytestmark = pytest.mark.django_db


def test_every_factory_saves_a_row():
    for name in dir(factories):
        factory_class = getattr(factories, name)
        if name.endswith("Factory") and name != "UserFactory" and hasattr(factory_class, "_meta"):
            obj = factory_class()
            assert obj.pk is not None, name


def test_every_project_model_has_a_factory():
    factory_models = {
        getattr(factories, name)._meta.model
        for name in dir(factories)
        if name.endswith("Factory") and hasattr(getattr(factories, name), "_meta")
    }
    missing = [
        model._meta.label for model in factories.project_models() if model not in factory_models
    ]
    assert not missing, f"models without a factory in tests/factories.py: {missing}"
    # The filter must not have thrown the real models away with the historical ones.
    assert {"directory.Person", "reminders.SweepRun"} <= {
        m._meta.label for m in factories.project_models()
    }


def test_organisation_resolves_by_alias_and_acronym():
    wlga = factories.OrganisationFactory(
        name="Welsh Local Government Association", short_name="WLGA"
    )
    factories.OrganisationAliasFactory(
        organisation=wlga, alias="Welsh Local Government Authority (WLGA)"
    )
    assert Organisation.objects.resolve("WLGA") == wlga
    assert Organisation.objects.resolve("welsh local government authority (wlga)") == wlga
    assert Organisation.objects.resolve("Unknown body") is None


def test_normalise_name_treats_ampersand_as_and():
    assert normalise_name("Romani Cultural & Arts Company") == normalise_name(
        "romani cultural and arts company"
    )


def test_overdue_is_derived_from_due_date_and_status():
    today = datetime.date(2025, 7, 1)
    late = factories.ActionItemFactory(due_date=datetime.date(2025, 6, 30))
    factories.ActionItemFactory(due_date=datetime.date(2025, 6, 1), status=ActionItem.Status.DONE)
    factories.ActionItemFactory(due_date=datetime.date(2025, 7, 10))
    assert list(ActionItem.objects.overdue(today)) == [late]
    assert late.is_overdue(today)


def test_actions_owned_through_organisation_and_role():
    person = factories.PersonFactory()
    role = factories.OwnerRoleFactory(name="Secretariat")
    role.holders.add(person)
    by_role = factories.ActionItemFactory(owner_role=role)
    by_org = factories.ActionItemFactory(owner_organisation=person.organisation)
    direct = factories.ActionItemFactory(owner_person=person)
    factories.ActionItemFactory()
    assert set(ActionItem.objects.owned_by_person(person)) == {by_role, by_org, direct}
