"""Optimistic locking: a save made from a stale form is refused with what changed, never applied."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from correspondence.models import Letter
from directory.models import Organisation
from tests import factories
from wrc.editing import (
    SNAPSHOT_FIELD,
    STALE_MESSAGE,
    VERSION_FIELD,
    StaleEditError,
    VersionedModelForm,
    VersionedUpdateView,
    save_new_version,
    save_versioned_form,
)

pytestmark = pytest.mark.django_db


class OrganisationForm(VersionedModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "short_name", "kind", "parent"]


class LetterRecipientsForm(VersionedModelForm):
    class Meta:
        model = Letter
        fields = ["subject_en", "recipient_organisations"]


def opened(form_class, instance):
    """The data a browser would post back from the form as it was opened (rendered)."""
    return form_data(form_class(instance=instance))


def form_data(form):
    """What a browser posts back from ``form`` as rendered, unchanged."""
    data = {}
    for bound in form:
        value = bound.value()
        if value is None:
            continue
        data[bound.html_name] = [str(v) for v in value] if isinstance(value, list) else value
    return data


def post(form_class, pk, data):
    instance = form_class._meta.model.objects.get(pk=pk)
    return form_class(data=data, instance=instance)


def test_a_current_save_raises_the_version_by_one_and_records_history():
    org = factories.OrganisationFactory(name="Race Equality First")
    data = opened(OrganisationForm, org) | {"short_name": "REF"}

    form = post(OrganisationForm, org.pk, data)
    assert form.is_valid(), form.errors
    form.save()

    org.refresh_from_db()
    assert (org.version, org.short_name) == (2, "REF")
    assert org.history.first().version == 2


def test_the_second_of_two_officials_is_refused_with_what_changed():
    parent = factories.OrganisationFactory(name="Welsh Government")
    org = factories.OrganisationFactory(name="Race Equality First")
    first = opened(OrganisationForm, org)
    second = opened(OrganisationForm, org)

    first |= {"name": "Race Equality First Cymru", "parent": str(parent.pk)}
    form = post(OrganisationForm, org.pk, first)
    assert form.is_valid(), form.errors
    form.save()

    second |= {"short_name": "REF", "kind": Organisation.Kind.PUBLIC_BODY}
    form = post(OrganisationForm, org.pk, second)
    assert not form.is_valid()
    assert str(STALE_MESSAGE) in form.non_field_errors()
    changes = {c.name: (c.when_opened, c.now) for c in form.stale_changes}
    assert changes == {
        "name": ("Race Equality First", "Race Equality First Cymru"),
        "parent": ("(empty)", "Welsh Government"),
    }
    # Nothing typed is lost, and nothing was saved.
    assert form["short_name"].value() == "REF"
    assert form["kind"].value() == Organisation.Kind.PUBLIC_BODY
    org.refresh_from_db()
    assert (org.version, org.short_name, org.name) == (2, "", "Race Equality First Cymru")


def test_saving_again_after_reading_the_changes_is_a_deliberate_overwrite():
    org = factories.OrganisationFactory(name="Race Council Cymru")
    first, second = opened(OrganisationForm, org), opened(OrganisationForm, org)
    form = post(OrganisationForm, org.pk, first | {"short_name": "RCC"})
    assert form.is_valid()
    form.save()

    refused = post(OrganisationForm, org.pk, second | {"short_name": "RCCymru"})
    assert not refused.is_valid()
    resubmitted = {name: refused[name].value() for name in refused.fields}
    assert resubmitted[VERSION_FIELD] == "2"

    form = post(OrganisationForm, org.pk, resubmitted)
    assert form.is_valid(), form.errors
    form.save()
    org.refresh_from_db()
    assert (org.version, org.short_name) == (3, "RCCymru")


def test_a_save_that_loses_the_race_after_validation_writes_nothing():
    org = factories.OrganisationFactory(name="Victim Support Cymru")
    slow = post(OrganisationForm, org.pk, opened(OrganisationForm, org) | {"short_name": "VSC"})
    slower = post(OrganisationForm, org.pk, opened(OrganisationForm, org) | {"short_name": "V"})
    assert slow.is_valid() and slower.is_valid()

    fast = post(
        OrganisationForm, org.pk, opened(OrganisationForm, org) | {"name": "Victim Support"}
    )
    assert fast.is_valid()
    fast.save()

    with pytest.raises(StaleEditError):
        slow.save()
    assert save_versioned_form(slower) is None
    assert str(STALE_MESSAGE) in slower.non_field_errors()
    assert [c.name for c in slower.stale_changes] == ["name"]
    org.refresh_from_db()
    assert (org.version, org.name, org.short_name) == (2, "Victim Support", "")


def test_related_records_chosen_in_the_form_are_compared_too():
    letter = factories.LetterFactory()
    wcva = factories.OrganisationFactory(name="WCVA")
    eyst = factories.OrganisationFactory(name="EYST")
    letter.recipient_organisations.add(wcva)
    first, second = opened(LetterRecipientsForm, letter), opened(LetterRecipientsForm, letter)

    form = post(LetterRecipientsForm, letter.pk, first | {"recipient_organisations": [eyst.pk]})
    assert form.is_valid(), form.errors
    form.save()

    form = post(LetterRecipientsForm, letter.pk, second | {"subject_en": "New subject"})
    assert not form.is_valid()
    assert [(c.name, c.when_opened, c.now) for c in form.stale_changes] == [
        ("recipient_organisations", "WCVA", "EYST")
    ]


def test_without_a_snapshot_the_values_come_from_the_history_at_the_opened_version():
    org = factories.OrganisationFactory(name="Tai Pawb", short_name="TP")
    stale = opened(OrganisationForm, org) | {SNAPSHOT_FIELD: "tampered"}
    form = post(OrganisationForm, org.pk, opened(OrganisationForm, org) | {"short_name": "TPW"})
    assert form.is_valid()
    form.save()

    form = post(OrganisationForm, org.pk, stale)
    assert not form.is_valid()
    assert [(c.name, c.when_opened, c.now) for c in form.stale_changes] == [
        ("short_name", "TP", "TPW")
    ]


def test_a_change_saved_by_code_makes_open_forms_stale():
    org = factories.OrganisationFactory(name="Displaced People in Action")
    data = opened(OrganisationForm, org)
    org.short_name = "DPIA"
    save_new_version(org, update_fields=["short_name"])

    form = post(OrganisationForm, org.pk, data | {"kind": Organisation.Kind.OTHER})
    assert not form.is_valid()
    assert [c.name for c in form.stale_changes] == ["short_name"]


def test_a_record_deleted_while_open_is_reported():
    org = factories.OrganisationFactory()
    data = opened(OrganisationForm, org)
    instance = Organisation.objects.get(pk=org.pk)
    Organisation.objects.filter(pk=org.pk).delete()
    form = OrganisationForm(data=data, instance=instance)
    assert not form.is_valid()
    assert any("deleted" in e for e in form.non_field_errors())


def test_a_new_record_needs_no_version():
    form = OrganisationForm(data={"name": "Newport Mind", "kind": Organisation.Kind.OTHER})
    assert VERSION_FIELD not in form.fields
    assert form.is_valid(), form.errors
    assert form.save().version == 1


def test_the_form_carries_the_version_it_was_opened_at_as_a_hidden_field():
    org = factories.OrganisationFactory()
    Organisation.objects.filter(pk=org.pk).update(version=7)
    org.refresh_from_db()
    html = str(OrganisationForm(instance=org))
    assert f'type="hidden" name="{VERSION_FIELD}" value="7"' in html
    assert f'name="{SNAPSHOT_FIELD}"' in html


class OrganisationUpdateView(VersionedUpdateView):
    model = Organisation
    form_class = OrganisationForm
    template_name = "includes/stale_edit.html"
    success_message = ""
    success_url = "/done/"


def test_the_view_redirects_after_a_save_and_shows_the_changes_after_a_refusal():
    org = factories.OrganisationFactory(name="Race Equality First")
    first, second = opened(OrganisationForm, org), opened(OrganisationForm, org)
    view = OrganisationUpdateView.as_view()

    response = view(RequestFactory().post("/", first | {"name": "REF Cymru"}), pk=org.pk)
    assert response.status_code == 302

    response = view(RequestFactory().post("/", second | {"short_name": "REF"}), pk=org.pk)
    assert response.status_code == 200
    html = response.rendered_content
    assert "What changed since you opened it" in html
    assert "Race Equality First" in html and "REF Cymru" in html
    assert response.context_data["stale_changes"][0].name == "name"
    org.refresh_from_db()
    assert (org.version, org.short_name) == (2, "")


def test_a_form_sent_without_its_version_is_refused_with_a_message(client, official):
    org = factories.OrganisationFactory(name="Race Equality First")
    data = opened(OrganisationForm, org)
    data.pop(VERSION_FIELD)
    form = post(OrganisationForm, org.pk, data | {"short_name": "REF"})
    assert not form.is_valid()
    client.force_login(official)
    url = reverse("directory:organisation_edit", args=[org.slug])
    response = client.post(url, data | {"short_name": "REF"})
    assert "sent without the version it was opened at" in response.content.decode()
    org.refresh_from_db()
    assert (org.short_name, org.version) == ("", 1)


def admin_post_data(response):
    """What the admin's change form posts back as rendered, inline formsets included."""
    data = form_data(response.context["adminform"].form)
    for formset in response.context["inline_admin_formsets"]:
        data |= form_data(formset.formset.management_form)
        for form in formset.formset.forms:
            data |= form_data(form)
    return data


def test_an_edit_in_the_admin_raises_the_version_and_a_stale_product_form_is_refused(
    client, official
):
    person = factories.PersonFactory(full_name="Aled Rees", phone="")
    client.force_login(official)
    edit_url = reverse("directory:person_edit", args=[person.pk])
    stale = form_data(client.get(edit_url).context["form"])
    assert stale[VERSION_FIELD] == 1

    admin_url = reverse("admin:directory_person_change", args=[person.pk])
    data = admin_post_data(client.get(admin_url)) | {"phone": "029 2000 0000"}
    assert client.post(admin_url, data).status_code == 302
    person.refresh_from_db()
    assert (person.phone, person.version) == ("029 2000 0000", 2)
    assert person.history.first().version == 2

    response = client.post(edit_url, stale | {"title_en": "Policy officer"})
    assert response.status_code == 200
    assert str(STALE_MESSAGE) in response.content.decode().replace("&#x27;", "'")
    person.refresh_from_db()
    assert (person.phone, person.title_en, person.version) == ("029 2000 0000", "", 2)


def test_every_save_raises_the_version_once_from_the_database():
    org = factories.OrganisationFactory()
    assert org.version == 1
    behind = Organisation.objects.get(pk=org.pk)
    org.short_name = "A"
    org.save(update_fields=["short_name"])
    behind.website = "https://example.org"
    behind.save()  # an older copy still counts up from the database, never back to 2
    assert Organisation.objects.get(pk=org.pk).version == 3 == behind.version
