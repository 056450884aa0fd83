"""Nothing lost by a delete: records others point at are protected (the admin says why) or
archived (hidden from lists, their pages and history kept)."""

import pytest
from django.db.models import ProtectedError
from django.urls import reverse

from actions.models import ActionItem
from directory.models import Organisation
from hatecrime.models import PlanActionLead
from tests import factories

pytestmark = pytest.mark.django_db


def test_deleting_an_organisation_in_the_admin_keeps_its_plan_lead_links_and_says_why(
    client, official
):
    organisation = factories.OrganisationFactory(name="Victim Support Cymru")
    for _n in range(3):
        factories.PlanActionLeadFactory(organisation=organisation)
    client.force_login(official)
    url = reverse("admin:directory_organisation_delete", args=[organisation.pk])

    page = client.get(url)
    assert "would require deleting the following protected related objects" in page.text
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert Organisation.objects.filter(pk=organisation.pk).exists()
    assert PlanActionLead.objects.filter(organisation=organisation).count() == 3


@pytest.mark.parametrize(
    "pointer",
    [
        lambda: factories.ActionItemFactory(owner_person=factories.PersonFactory()).owner_person,
        lambda: factories.MembershipFactory().organisation,
        lambda: factories.AttendanceFactory(person=factories.PersonFactory()).person,
    ],
    ids=["person-actions", "org-memberships", "attendance"],
)
def test_a_record_others_point_at_cannot_be_deleted(pointer):
    record = pointer()
    with pytest.raises(ProtectedError):
        record.delete()
    assert type(record)._base_manager.filter(pk=record.pk).exists()


def test_an_archived_action_leaves_lists_and_reminders_counts_but_keeps_its_page(
    client, secretariat
):
    kept = factories.ActionItemFactory(text="Publish the annual report")
    archived = factories.ActionItemFactory(meeting=kept.meeting, text="Book the venue")
    archived.archive()
    assert list(ActionItem.objects.active()) == [kept]
    assert archived.version == 2 and archived.history.count() == 2

    client.force_login(secretariat)
    listing = client.get(reverse("actions:list")).text
    assert "Publish the annual report" in listing and "Book the venue" not in listing
    assert client.get(archived.get_absolute_url()).status_code == 200
    assert client.get(reverse("actions:remove", args=[archived.pk])).status_code == 404
