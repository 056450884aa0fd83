"""Officials and the secretariat keep the directory; officials merge duplicate organisations."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from actions.models import ActionItem
from correspondence.models import CarbonCopy
from directory import merge
from directory.models import Forum, Membership, Organisation, OrganisationAlias, Person
from hatecrime.models import PlanActionLead
from meetings.models import Attendance
from outbox.models import OutgoingMail
from tests import factories
from tests.test_editing_locking import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation(db):
    return factories.OrganisationFactory(name="Race Council Cymru", short_name="RCC")


@pytest.fixture
def person(db, organisation):
    return factories.PersonFactory(full_name="Uzo Iwobi", organisation=organisation)


def org_url(name, organisation):
    return reverse(f"directory:organisation_{name}", args=[organisation.slug])


def person_edit_url(person):
    return reverse("directory:person_edit", args=[person.pk])


def edit_urls(organisation, person):
    return [
        (reverse("directory:organisation_add"), {"name": "Newport Mind", "kind": "other"}),
        (org_url("edit", organisation), {"name": "RCC"}),
        (reverse("directory:person_add"), {"full_name": "A Person"}),
        (person_edit_url(person), {"full_name": "Someone"}),
    ]


def merge_url_and_data(organisation):
    duplicate = factories.OrganisationFactory(name="Race Council Wales")
    return org_url("merge", organisation), {"duplicate": duplicate.pk, "confirm": "yes"}


# Who may edit ---


def test_anonymous_visitors_are_sent_to_sign_in(client, organisation, person):
    for url, data in [*edit_urls(organisation, person), merge_url_and_data(organisation)]:
        for response in (client.get(url), client.post(url, data)):
            assert response.status_code == 302 and "/login" in response["Location"], url


@pytest.mark.parametrize("who", ["outsider", "member"])
def test_members_and_outsiders_may_not_edit_the_directory(
    client, organisation, person, who, request
):
    client.force_login(request.getfixturevalue(who))
    urls = [*edit_urls(organisation, person), merge_url_and_data(organisation)]
    counts = Organisation.objects.count(), Person.objects.count()
    for url, data in urls:
        assert client.get(url).status_code == 403, url
        assert client.post(url, data).status_code == 403, url
    organisation.refresh_from_db()
    person.refresh_from_db()
    assert (organisation.name, person.full_name) == ("Race Council Cymru", "Uzo Iwobi")
    assert (Organisation.objects.count(), Person.objects.count()) == counts


def test_the_secretariat_edits_people_and_organisations_but_does_not_merge(
    client, secretariat, organisation, person
):
    client.force_login(secretariat)
    for url, _data in edit_urls(organisation, person):
        assert client.get(url).status_code == 200, url
    url, data = merge_url_and_data(organisation)
    assert client.get(url).status_code == 403
    assert client.post(url, data).status_code == 403
    assert Organisation.objects.count() == 2

    data = form_data(client.get(person_edit_url(person)).context["form"])
    response = client.post(person_edit_url(person), data | {"phone": "0300 060 4400"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.phone, person.version) == ("0300 060 4400", 2)


def test_officials_can_open_every_directory_editing_page(client, official, organisation, person):
    client.force_login(official)
    merge_url, _data = merge_url_and_data(organisation)
    for url, _data in [*edit_urls(organisation, person), (merge_url, None)]:
        assert client.get(url).status_code == 200, url


# Organisations ---


def test_an_official_renames_an_organisation_and_keeps_its_other_names(
    client, official, organisation
):
    factories.OrganisationAliasFactory(organisation=organisation, alias="Race Council of Wales")
    factories.OrganisationAliasFactory(organisation=organisation, alias="RC Cymru")
    client.force_login(official)
    data = form_data(client.get(org_url("edit", organisation)).context["form"])
    assert sorted(data["other_names"].splitlines()) == ["RC Cymru", "Race Council of Wales"]

    data |= {"name": "Race Council Cymru Ltd", "other_names": "RC Cymru\nRace Council Cymru\n"}
    response = client.post(org_url("edit", organisation), data)
    assert response.status_code == 302

    organisation.refresh_from_db()
    assert (organisation.name, organisation.version) == ("Race Council Cymru Ltd", 2)
    assert sorted(organisation.aliases.values_list("alias", flat=True)) == [
        "RC Cymru",
        "Race Council Cymru",
    ]
    assert Organisation.objects.resolve("race council cymru") == organisation
    assert Organisation.objects.resolve("Race Council of Wales") is None


def test_a_name_or_alias_used_by_another_organisation_is_refused(client, official, organisation):
    other = factories.OrganisationFactory(name="Ethnic Youth Support Team")
    factories.OrganisationAliasFactory(organisation=other, alias="EYST Wales")
    client.force_login(official)
    data = form_data(client.get(org_url("edit", organisation)).context["form"])

    response = client.post(org_url("edit", organisation), data | {"other_names": "eyst  wales"})
    assert "“eyst wales” is already the name or another name of Ethnic Youth Support Team." in (
        response.content.decode()
    )
    response = client.post(
        org_url("edit", organisation), data | {"name": "Ethnic Youth Support Team."}
    )
    assert response.status_code == 200
    assert "is already the name or another name of Ethnic Youth Support Team" in (
        response.content.decode()
    )
    organisation.refresh_from_db()
    assert (organisation.name, organisation.version) == ("Race Council Cymru", 1)
    assert not organisation.aliases.exists()


def test_an_organisation_cannot_be_part_of_its_own_team(client, official, organisation):
    team = factories.OrganisationFactory(name="RCC Youth", parent=organisation)
    client.force_login(official)
    data = form_data(client.get(org_url("edit", organisation)).context["form"])
    response = client.post(org_url("edit", organisation), data | {"parent": team.pk})
    assert "RCC Youth is one of this organisation&#x27;s own teams." in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.parent is None


def test_an_official_adds_an_organisation(client, official):
    client.force_login(official)
    response = client.post(
        reverse("directory:organisation_add"),
        {
            "name": "Tai Pawb",
            "short_name": "TP",
            "kind": "third_sector",
            "other_names": "Tai-Pawb\nTai Pawb Cymru",
        },
    )
    added = Organisation.objects.get(name="Tai Pawb")
    assert response["Location"] == added.get_absolute_url()
    # "Tai-Pawb" is only another spelling of the name itself: no alias is needed for it.
    assert list(added.aliases.values_list("alias", flat=True)) == ["Tai Pawb Cymru"]


def test_a_second_editor_of_an_organisation_is_refused_with_what_changed(
    client, official, secretariat, organisation
):
    client.force_login(official)
    first = form_data(client.get(org_url("edit", organisation)).context["form"])
    client.force_login(secretariat)
    second = form_data(client.get(org_url("edit", organisation)).context["form"])
    assert (
        client.post(
            org_url("edit", organisation), second | {"other_names": "RCC Wales"}
        ).status_code
        == 302
    )

    client.force_login(official)
    response = client.post(org_url("edit", organisation), first | {"short_name": "RC"})
    assert response.status_code == 200
    assert "This record has changed since you opened it" in response.content.decode()
    changes = [(c.label, c.when_opened, c.now) for c in response.context["form"].stale_changes]
    assert changes == [("Other names", "(empty)", "RCC Wales")]
    organisation.refresh_from_db()
    assert organisation.short_name == "RCC"


# People ---


def test_an_official_sets_a_persons_roles_membership_and_language(client, official, person):
    role = factories.OwnerRoleFactory(name="Regional Convenor (North Wales)")
    client.force_login(official)
    data = form_data(client.get(person_edit_url(person)).context["form"])
    assert data["membership_role"] == ""
    data |= {
        "title_en": "Chief Executive",
        "email": "uzo@example.org",
        "preferred_language": "cy",
        "membership_role": "chair",
        "roles": [str(role.pk)],
        "is_organisation_contact": "on",
    }
    assert client.post(person_edit_url(person), data).status_code == 302

    person.refresh_from_db()
    assert (person.preferred_language, person.is_organisation_contact) == ("cy", True)
    assert list(person.owner_roles.all()) == [role]
    forum = Forum.default()
    assert list(person.memberships.filter(forum=forum).values_list("role", "left_on")) == [
        ("chair", None)
    ]

    data = form_data(client.get(person_edit_url(person)).context["form"])
    assert (
        client.post(person_edit_url(person), data | {"membership_role": "member"}).status_code
        == 302
    )
    current = person.memberships.filter(left_on__isnull=True).values_list("role", flat=True)
    assert list(current) == ["member"]
    assert person.memberships.get(role="chair").left_on is not None


def test_a_person_without_an_organisation_cannot_be_its_contact(client, official, person):
    client.force_login(official)
    data = form_data(client.get(person_edit_url(person)).context["form"])
    data |= {"organisation": "", "is_organisation_contact": "on"}
    response = client.post(person_edit_url(person), data)
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Choose their organisation, or untick" in html
    person.refresh_from_db()
    assert person.organisation is not None and person.version == 1


def test_an_invalid_email_is_reported_and_nothing_typed_is_lost(client, official, person):
    client.force_login(official)
    data = form_data(client.get(person_edit_url(person)).context["form"])
    response = client.post(
        person_edit_url(person), data | {"email": "uzo-at-example", "title_en": "Chair of RCC"}
    )
    html = response.content.decode()
    assert "Enter a valid email address." in html
    assert 'value="Chair of RCC"' in html
    person.refresh_from_db()
    assert person.title_en == ""


# Merging duplicate organisations ---


def link_sets(organisations):
    """For every relation pointing at organisations: what is linked, by the row's other values
    (so a link the survivor already had counts once, and a moved row counts as the same link)."""
    ignored = {"id", "order", "version", "updated_at"}
    result = {}
    for model, fk in merge.organisation_links():
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if f.name != fk.name and f.name not in ignored and not f.primary_key
        ]
        rows = model._base_manager.filter(**{f"{fk.name}__in": organisations})
        if model is Organisation:
            rows = rows.exclude(pk__in=[o.pk for o in organisations])
        result[merge.link_label(model, fk)] = set(rows.values_list(*names))
    return result


@pytest.fixture
def duplicates(organisation):
    """A survivor and a duplicate with a row in every relation, including rows both share."""
    survivor = organisation
    duplicate = factories.OrganisationFactory(
        name="Race Council Wales", website="https://rcc.example"
    )
    parent = factories.OrganisationFactory(name="Welsh Government")
    duplicate.parent = parent
    duplicate.save()
    shared_action = factories.PlanActionFactory()
    letter = factories.LetterFactory()
    forum = factories.ForumFactory()
    for org in (survivor, duplicate):
        factories.OrganisationFactory(name=f"{org.name} youth team", parent=org)
        factories.OrganisationAliasFactory(organisation=org, alias=f"The {org.name}")
        factories.PersonFactory(organisation=org)
        factories.MembershipFactory(forum=forum, organisation=org)
        factories.AttendanceFactory(organisation=org)
        factories.ActionItemFactory(owner_organisation=org)
        factories.PlanActionLeadFactory(organisation=org)
        factories.PlanActionLeadFactory(organisation=org, action=shared_action)
        letter.recipient_organisations.add(org)
        factories.LetterFactory().recipient_organisations.add(org)
        factories.CarbonCopyFactory(organisation=org)
        factories.LetterMailFactory(payload={"copy_to": org.pk})
    return survivor, duplicate


def test_merging_moves_every_link_and_loses_none(duplicates, official):
    survivor, duplicate = duplicates
    before = link_sets([survivor, duplicate])
    for relation, links in before.items():
        assert links, f"The merge test has no {relation} link: add one to the fixture."
    people = set(Person.objects.filter(organisation__in=duplicates).values_list("pk", flat=True))

    result = merge.organisation_merge(survivor=survivor, duplicate=duplicate, merged_by=official)

    copies = OutgoingMail.objects.filter(kind="letter").values_list("payload__copy_to", flat=True)
    assert sorted(copies) == [survivor.pk, survivor.pk]  # a cc copy names its organisation

    assert not Organisation.objects.filter(pk=duplicate.pk).exists()
    after = link_sets([survivor])
    for relation, links in before.items():
        assert links <= after[relation], relation
    assert set(Person.objects.filter(organisation=survivor).values_list("pk", flat=True)) == people
    assert result.already_linked["hatecrime.PlanActionLead.organisation"] == 1
    assert result.already_linked["correspondence.Letter_recipient_organisations.organisation"] == 1
    assert result.already_linked["directory.Membership.organisation"] == 1
    assert PlanActionLead.objects.filter(organisation=survivor).count() == 3
    assert Attendance.objects.filter(organisation=survivor).count() == 2
    assert ActionItem.objects.filter(owner_organisation=survivor).count() == 2
    assert CarbonCopy.objects.filter(organisation=survivor).count() == 2
    assert Membership.objects.filter(organisation=survivor).count() == 1


def test_the_duplicates_name_resolves_to_the_survivor_after_a_merge(duplicates):
    survivor, duplicate = duplicates
    merge.organisation_merge(survivor=survivor, duplicate=duplicate)
    survivor.refresh_from_db()
    assert Organisation.objects.resolve("Race Council Wales") == survivor
    assert Organisation.objects.resolve("The Race Council Wales") == survivor
    assert survivor.website == "https://rcc.example"  # taken over: the survivor had none
    assert survivor.parent.name == "Welsh Government"
    assert survivor.version == 2
    assert survivor.history.first().version == 2
    moved = ActionItem.objects.filter(owner_organisation=survivor).order_by("version").last()
    assert moved.version == 2 and moved.history.first().owner_organisation_id == survivor.pk


def test_a_survivor_that_was_a_team_of_the_duplicate_takes_its_place(db):
    parent = factories.OrganisationFactory(name="Welsh Government")
    duplicate = factories.OrganisationFactory(name="WG Equality Team", parent=parent)
    survivor = factories.OrganisationFactory(name="Equality Team", parent=duplicate)
    merge.organisation_merge(survivor=survivor, duplicate=duplicate)
    survivor.refresh_from_db()
    assert survivor.parent == parent


def test_a_merge_that_fails_changes_nothing(duplicates):
    survivor, duplicate = duplicates
    before = link_sets([survivor, duplicate])
    with pytest.raises(ValidationError):
        merge.organisation_merge(
            survivor=survivor, duplicate=duplicate, expected_versions={duplicate.pk: 99}
        )
    with pytest.raises(ValidationError):
        merge.organisation_merge(survivor=survivor, duplicate=survivor)
    assert Organisation.objects.filter(pk=duplicate.pk).exists()
    assert link_sets([survivor, duplicate]) == before


def test_an_official_compares_then_merges_in_the_browser(client, official, duplicates):
    survivor, duplicate = duplicates
    client.force_login(official)
    url = org_url("merge", survivor)
    page = client.get(url, {"duplicate": duplicate.pk})
    html = page.content.decode()
    assert "What moves" in html and "plan action leads" in html.lower()
    assert f'name="duplicate_version" value="{duplicate.version}"' in html

    response = client.post(
        url,
        {
            "duplicate": duplicate.pk,
            "survivor_version": survivor.version,
            "duplicate_version": duplicate.version,
            "confirm": "yes",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == survivor.get_absolute_url()
    assert not Organisation.objects.filter(pk=duplicate.pk).exists()
    assert OrganisationAlias.objects.get(alias="Race Council Wales").organisation == survivor


def test_a_merge_confirmed_after_either_organisation_changed_is_refused(
    client, official, duplicates
):
    survivor, duplicate = duplicates
    client.force_login(official)
    data = {
        "duplicate": duplicate.pk,
        "survivor_version": survivor.version,
        "duplicate_version": duplicate.version,
        "confirm": "yes",
    }
    Organisation.objects.filter(pk=duplicate.pk).update(version=5)
    response = client.post(org_url("merge", survivor), data)
    assert response.status_code == 200
    assert "One of the two organisations has changed since you opened this page" in (
        response.content.decode()
    )
    assert Organisation.objects.filter(pk=duplicate.pk).exists()

    response = client.post(org_url("merge", survivor), {"duplicate": survivor.pk, "confirm": "y"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_directory_pages_link_to_editing_for_those_who_may_edit(
    client, official, secretariat, member, organisation, person
):
    detail = organisation.get_absolute_url()
    client.force_login(official)
    html = client.get(detail).text
    assert org_url("edit", organisation) in html and org_url("merge", organisation) in html
    assert person_edit_url(person) in client.get(person.get_absolute_url()).text
    client.force_login(secretariat)
    html = client.get(detail).text
    assert org_url("edit", organisation) in html and org_url("merge", organisation) not in html
    assert reverse("directory:person_add") in client.get(reverse("directory:person_list")).text
    client.force_login(member)
    html = client.get(detail).text + client.get(reverse("directory:organisation_list")).text
    assert "/edit/" not in html and "/merge/" not in html and "/add/" not in html
