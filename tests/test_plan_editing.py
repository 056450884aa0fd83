"""Officials edit the delivery plan and start a new plan year from an existing one."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hatecrime import services
from hatecrime.models import DeliveryArea, DeliveryPlan, Objective, PlanAction, PlanActionLead
from tests import factories
from tests.test_editing_locking import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan_action(db):
    plan = factories.DeliveryPlanFactory(period="2016-17")
    objective = factories.ObjectiveFactory(plan=plan, number=1, title_en="Prevention")
    area = factories.DeliveryAreaFactory(objective=objective, number=4, title_en="Training")
    action = factories.PlanActionFactory(area=area, reference="4.12", text="We will train staff.")
    factories.PlanActionLeadFactory(
        action=action, organisation=factories.OrganisationFactory(name="Welsh Government")
    )
    return action


def edit_url(action):
    return reverse("hatecrime:action_edit", args=[action.plan.slug, action.reference])


def every_url(action):
    """(url, data to post) for every editing page of the plan."""
    plan, area, objective = action.plan, action.area, action.area.objective
    period = plan.period
    return [
        (reverse("hatecrime:plan_structure", args=[period]), None),
        (reverse("hatecrime:plan_edit", args=[period]), {"title_en": "Plan"}),
        (reverse("hatecrime:plan_copy", args=[period]), {"period": "2017-18", "title_en": "P"}),
        (reverse("hatecrime:objective_add", args=[period]), {"number": 2, "title_en": "New"}),
        (reverse("hatecrime:objective_edit", args=[period, objective.pk]), {"number": 1}),
        (reverse("hatecrime:objective_delete", args=[period, objective.pk]), {}),
        (reverse("hatecrime:area_add", args=[period]), {"number": 5, "title_en": "New"}),
        (reverse("hatecrime:area_edit", args=[period, area.pk]), {"number": 4}),
        (reverse("hatecrime:area_delete", args=[period, area.pk]), {}),
        (reverse("hatecrime:action_add", args=[period]), {"reference": "4.13"}),
        (edit_url(action), {"reference": "4.12"}),
        (reverse("hatecrime:action_delete", args=[period, action.reference]), {}),
    ]


# Who may edit ---


def test_anonymous_visitors_are_sent_to_sign_in(client, plan_action):
    for url, data in every_url(plan_action):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"], url
        if data is not None:
            response = client.post(url, data)
            assert response.status_code == 302 and "/login" in response["Location"], url


@pytest.mark.parametrize("who", ["outsider", "member", "secretariat"])
def test_only_officials_may_edit_the_plan(client, plan_action, who, request):
    client.force_login(request.getfixturevalue(who))
    for url, data in every_url(plan_action):
        assert client.get(url).status_code == 403, url
        if data is not None:
            assert client.post(url, data).status_code == 403, url
    assert PlanAction.objects.count() == 1 and Objective.objects.count() == 1
    assert DeliveryPlan.objects.count() == 1


def test_officials_can_open_every_editing_page(client, official, plan_action):
    client.force_login(official)
    for url, _data in every_url(plan_action):
        assert client.get(url).status_code == 200, url


# Plan actions ---


def test_an_official_changes_an_action_its_leads_and_progress(client, official, plan_action):
    police = factories.OrganisationFactory(name="Dyfed-Powys Police")
    client.force_login(official)
    data = form_data(client.get(edit_url(plan_action)).context["form"])
    data |= {
        "text": "We will train all staff.",
        "text_cy": "Byddwn yn hyfforddi staff.",
        "status": PlanAction.Status.IN_PROGRESS,
        "progress_note": "Half of the staff trained.",
        "lead_organisations": [str(o.pk) for o in plan_action.leads.all()] + [str(police.pk)],
    }
    response = client.post(edit_url(plan_action), data)
    assert response.status_code == 302

    plan_action.refresh_from_db()
    assert plan_action.version == 2
    assert plan_action.text_cy == "Byddwn yn hyfforddi staff."
    assert plan_action.status == PlanAction.Status.IN_PROGRESS
    leads = plan_action.lead_links.order_by("order").values_list("organisation__name", flat=True)
    assert list(leads) == ["Welsh Government", "Dyfed-Powys Police"]
    assert plan_action.history.first().history_user == official


def test_a_second_official_saving_an_action_is_refused_with_what_changed(
    client, official, plan_action
):
    other = factories.official_user(username="second-official", first_name="Aled")
    client.force_login(official)
    first = form_data(client.get(edit_url(plan_action)).context["form"])
    client.force_login(other)
    second = form_data(client.get(edit_url(plan_action)).context["form"])

    response = client.post(edit_url(plan_action), second | {"status": "complete"})
    assert response.status_code == 302

    client.force_login(official)
    response = client.post(edit_url(plan_action), first | {"progress_note": "My careful note"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "This record has changed since you opened it" in html
    assert "govuk-error-summary" in html
    assert "What changed since you opened it" in html
    assert "Last changed by Aled" in html
    change = response.context["form"].stale_changes[0]
    assert (change.label, change.when_opened, change.now) == ("Progress", "Not started", "Complete")
    assert "My careful note" in html  # what the official typed is still there
    plan_action.refresh_from_db()
    assert (plan_action.status, plan_action.progress_note, plan_action.version) == (
        "complete",
        "",
        2,
    )


def test_a_bad_reference_is_explained_at_the_top_and_beside_the_field(
    client, official, plan_action
):
    factories.PlanActionFactory(area=plan_action.area, reference="4.13")
    client.force_login(official)
    data = form_data(client.get(edit_url(plan_action)).context["form"])

    for reference, message in [
        ("four", "Enter the reference as the area number and the action number, like 4.12."),
        ("4.13", "This plan already has an action 4.13."),
        ("5.1", "Action 5.1 belongs in delivery area 4: it must start 4."),
    ]:
        response = client.post(edit_url(plan_action), data | {"reference": reference})
        assert response.status_code == 200
        html = response.content.decode()
        summary, _sep, rest = html.partition('govuk-error-summary__list"')
        assert message in rest.split("</ul>")[0]
        assert 'class="govuk-error-message"' in rest and message in rest.split("</ul>", 1)[1]
    plan_action.refresh_from_db()
    assert (plan_action.reference, plan_action.version) == ("4.12", 1)


def test_an_official_adds_and_deletes_an_action(client, official, plan_action):
    client.force_login(official)
    add_url = reverse("hatecrime:action_add", args=["2016-17"]) + f"?area={plan_action.area.pk}"
    form = client.get(add_url).context["form"]
    assert form["reference"].value() == "4.13"
    response = client.post(
        add_url,
        form_data(form) | {"text": "We will publish a toolkit.", "status": "not_started"},
    )
    assert response.status_code == 302
    added = PlanAction.objects.get(plan=plan_action.plan, reference="4.13")
    assert (added.area, added.sort_minor) == (plan_action.area, 13)

    delete_url = reverse("hatecrime:action_delete", args=["2016-17", "4.13"])
    data = form_data(client.get(delete_url).context["form"])
    assert client.post(delete_url, data).status_code == 302
    assert not PlanAction.objects.filter(reference="4.13").exists()


def test_deleting_an_action_that_changed_since_the_page_opened_is_refused(
    client, official, plan_action
):
    client.force_login(official)
    delete_url = reverse("hatecrime:action_delete", args=["2016-17", "4.12"])
    data = form_data(client.get(delete_url).context["form"])
    edit = form_data(client.get(edit_url(plan_action)).context["form"])
    client.post(edit_url(plan_action), edit | {"status": "complete"})

    response = client.post(delete_url, data)
    assert response.status_code == 200
    assert "This record has changed since you opened it" in response.content.decode()
    assert PlanAction.objects.filter(pk=plan_action.pk).exists()


# Objectives and delivery areas ---


def test_an_official_adds_changes_and_deletes_objectives_and_areas(client, official, plan_action):
    client.force_login(official)
    plan = plan_action.plan
    response = client.post(
        reverse("hatecrime:objective_add", args=[plan.slug]),
        {"number": 2, "title_en": "Supporting Victims", "title_cy": "Cefnogi Dioddefwyr"},
    )
    assert response.status_code == 302
    objective = Objective.objects.get(plan=plan, number=2)

    response = client.post(
        reverse("hatecrime:area_add", args=[plan.slug]),
        {"objective": objective.pk, "number": 5, "title_en": "Increased Reporting"},
    )
    assert response.status_code == 302
    area = DeliveryArea.objects.get(objective=objective, number=5)

    url = reverse("hatecrime:area_edit", args=[plan.slug, area.pk])
    data = form_data(client.get(url).context["form"]) | {"title_en": "Increased reporting"}
    assert client.post(url, data).status_code == 302
    area.refresh_from_db()
    assert area.title_en == "Increased reporting"

    url = reverse("hatecrime:objective_delete", args=[plan.slug, plan_action.area.objective.pk])
    page = client.get(url)
    assert "This also deletes its 1 delivery area" in page.content.decode()
    assert client.post(url, form_data(page.context["form"])).status_code == 302
    assert list(Objective.objects.filter(plan=plan)) == [objective]
    assert not PlanAction.objects.exists()


def test_numbers_already_used_in_the_plan_are_refused(client, official, plan_action):
    client.force_login(official)
    plan = plan_action.plan
    response = client.post(
        reverse("hatecrime:objective_add", args=[plan.slug]), {"number": 1, "title_en": "X"}
    )
    assert "This plan already has an objective 1." in response.content.decode()
    other = factories.ObjectiveFactory(plan=plan, number=2)
    response = client.post(
        reverse("hatecrime:area_add", args=[plan.slug]),
        {"objective": other.pk, "number": 4, "title_en": "X"},
    )
    assert "This plan already has a delivery area 4." in response.content.decode()
    assert Objective.objects.count() == 2 and DeliveryArea.objects.count() == 1


def test_an_objective_renamed_by_someone_else_is_not_overwritten(client, official, plan_action):
    objective = plan_action.area.objective
    url = reverse("hatecrime:objective_edit", args=[objective.plan.slug, objective.pk])
    client.force_login(official)
    first = form_data(client.get(url).context["form"])
    second = form_data(client.get(url).context["form"])
    assert client.post(url, first | {"title_en": "Prevention first"}).status_code == 302

    response = client.post(url, second | {"title_cy": "Atal"})
    assert response.status_code == 200
    changes = response.context["form"].stale_changes
    assert [(c.name, c.when_opened, c.now) for c in changes] == [
        ("title_en", "Prevention", "Prevention first")
    ]
    objective.refresh_from_db()
    assert (objective.title_en, objective.title_cy) == ("Prevention first", "")


# A new plan year ---


def test_a_new_plan_year_copies_objectives_areas_actions_and_leads(client, official, plan_action):
    second = factories.PlanActionFactory(area=plan_action.area, reference="4.2", status="complete")
    factories.PlanActionLeadFactory(action=second, order=0)
    factories.PlanActionLeadFactory(action=second, order=1)
    source = plan_action.plan
    client.force_login(official)
    url = reverse("hatecrime:plan_copy", args=[source.slug])
    form = client.get(url).context["form"]
    assert form["period"].value() == "2017-18"

    response = client.post(url, form_data(form))
    assert response.status_code == 302
    new = DeliveryPlan.objects.get(period="2017-18")
    assert new.copied_from == source and new.title_en == source.title_en
    assert new.objectives.get().title_en == "Prevention"
    assert DeliveryArea.objects.get(objective__plan=new).number == 4
    copies = {a.reference: a for a in PlanAction.objects.filter(plan=new)}
    assert copies["4.12"].origin == plan_action and copies["4.2"].origin == second
    assert copies["4.2"].status == "complete" and copies["4.12"].area.objective.plan == new
    for copy in copies.values():
        original_leads = list(copy.origin.lead_links.values_list("organisation", "order"))
        assert list(copy.lead_links.values_list("organisation", "order")) == original_leads
    assert PlanAction.objects.filter(plan=source).count() == 2  # the source is untouched
    assert copies["4.12"].history.get().history_user == official


def test_a_period_that_already_exists_is_refused_with_a_clear_message(
    client, official, plan_action
):
    factories.DeliveryPlanFactory(period="2017-18")
    client.force_login(official)
    url = reverse("hatecrime:plan_copy", args=["2016-17"])
    for period, message in [
        ("2017-18", "A delivery plan for 2017-18 already exists. Choose another period."),
        ("2017", "Enter the period as a year and the next, like 2017-18."),
        ("2017-19", "The second year must follow the first, like 2017-18."),
    ]:
        response = client.post(url, {"period": period, "title_en": "Plan"})
        assert response.status_code == 200
        assert message in response.content.decode()
    assert DeliveryPlan.objects.count() == 2
    assert PlanAction.objects.count() == 1


def test_the_copy_service_refuses_an_existing_period_and_creates_nothing(plan_action):
    with pytest.raises(Exception, match="already exists"):
        services.plan_copy_year(source=plan_action.plan, period="2016-17")
    assert DeliveryPlan.objects.count() == 1 and Objective.objects.count() == 1


def test_copying_a_plan_takes_the_same_queries_whatever_its_size(plan_action):
    def queries_to_copy(period):
        with CaptureQueriesContext(connection) as queries:
            services.plan_copy_year(source=plan_action.plan, period=period)
        return len(queries)

    small = queries_to_copy("2017-18")
    for n in range(20):
        action = factories.PlanActionFactory(area=plan_action.area, reference=f"4.{20 + n}")
        factories.PlanActionLeadFactory(action=action)
    assert queries_to_copy("2018-19") == small
    assert PlanActionLead.objects.filter(action__plan__period="2018-19").count() == 21


@pytest.mark.parametrize("extra_actions", [0, 9, 49])
def test_the_plan_outline_makes_the_same_queries_for_any_number_of_actions(
    client, official, plan_action, extra_actions, django_assert_max_num_queries
):
    for n in range(extra_actions):
        action = factories.PlanActionFactory(area=plan_action.area, reference=f"4.{20 + n}")
        factories.PlanActionLeadFactory(action=action)
    client.force_login(official)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("hatecrime:plan_structure", args=["2016-17"]))
    assert response.status_code == 200
    assert response.content.decode().count('id="action-4.') == extra_actions + 1


def test_the_plan_pages_link_to_editing_for_officials_only(client, official, member, plan_action):
    plan_url = reverse("hatecrime:plan_detail", args=["2016-17"])
    action_url = reverse("hatecrime:action_detail", args=["2016-17", "4.12"])
    client.force_login(official)
    assert reverse("hatecrime:plan_structure", args=["2016-17"]) in client.get(plan_url).text
    assert edit_url(plan_action) in client.get(action_url).text
    client.force_login(member)
    assert "/plan/manage/" not in client.get(plan_url).text + client.get(action_url).text
