"""Progress returns on the delivery plan: lead organisations report, the forum's secretariat
reviews, the plan rolls up and exports its annual update report."""

import csv
import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from hatecrime.models import DeliveryPlan, PlanAction
from progress import services
from progress.models import ProgressReturn, ReportingPeriod
from tests import factories

State = ProgressReturn.State
WELSH = "Cynhaliwyd gweithdai ym mhob awdurdod lleol yng Nghymru."


@pytest.fixture
def plan_world(db):
    """The 2016-17 plan of the Wales Race Forum: an action led by Tai Pawb, whose contact is a
    member, an action led by someone else, an open reporting period and the forum's secretariat."""
    forum = factories.ForumFactory()
    plan = factories.DeliveryPlanFactory(forum=forum)
    lead_org = factories.OrganisationFactory(name="Tai Pawb")
    led = factories.PlanActionLeadFactory(
        organisation=lead_org,
        action__area__objective__plan=plan,
        action__reference="1.1",
        action__text="Deliver hate crime awareness training to housing staff.",
    ).action
    other = factories.PlanActionLeadFactory(
        action__area=led.area, action__reference="1.2", action__text="Publish the data."
    ).action
    period = factories.ReportingPeriodFactory(plan=plan, label="2016-17 Q1")
    contact = factories.member_user(
        person=factories.PersonFactory(full_name="Aled Roberts", organisation=lead_org),
        forum=forum,
        username="lead",
    )
    return {
        "forum": forum,
        "plan": plan,
        "led": led,
        "other": other,
        "period": period,
        "contact": contact,
        "member": factories.member_user(forum=forum, username="plain_member"),
        "secretariat": factories.secretariat_user(forum=forum, username="secretariat"),
        "board_secretariat": factories.secretariat_user(
            forum=factories.ForumFactory(board=True), username="board_secretariat"
        ),
    }


def edit_url(action):
    return reverse("progress:return_edit", args=[action.plan.slug, action.reference])


def review_url(action):
    return reverse("progress:return_review", args=[action.plan.slug, action.reference])


def submit_return(client, world, **fields):
    client.force_login(world["contact"])
    data = {
        "reporting_period": world["period"].pk,
        "status": "some_risk",
        "narrative_en": "",
        "narrative_cy": WELSH,
        "evidence_links": "https://www.gov.wales/hate-crime\nhttps://taipawb.org/report",
        "submit": "1",
    } | fields
    return client.post(edit_url(world["led"]), data)


# Writing a return ------------------------------------------------------------------------


def test_the_lead_organisations_contact_sees_the_return_due(client, plan_world):
    client.force_login(plan_world["contact"])
    page = client.get(reverse("progress:due")).content.decode()
    assert "Progress returns due" in page
    assert "2016-17 Q1" in page
    assert edit_url(plan_world["led"]) in page
    assert edit_url(plan_world["other"]) not in page


def test_a_contact_saves_a_draft_then_submits_a_welsh_narrative(client, plan_world):
    response = submit_return(client, plan_world, submit="", save="1")
    assert response.status_code == 302
    draft = ProgressReturn.objects.get(action=plan_world["led"], period=plan_world["period"])
    assert draft.state == State.DRAFT and draft.submitted_at is None

    response = submit_return(client, plan_world)
    assert response.status_code == 302
    submitted = ProgressReturn.objects.get(pk=draft.pk)
    assert submitted.state == State.SUBMITTED
    assert submitted.narrative_cy == WELSH
    assert submitted.status == "some_risk"
    assert submitted.submitted_by == plan_world["contact"]
    assert submitted.evidence_urls == [
        "https://www.gov.wales/hate-crime",
        "https://taipawb.org/report",
    ]
    assert submitted.history.count() == 2
    # Sent for review, it is no longer the contact's to change.
    assert submit_return(client, plan_world, narrative_cy="Newid").status_code == 403


def test_evidence_links_must_be_web_addresses(client, plan_world):
    response = submit_return(client, plan_world, evidence_links="https://ok.example\nnot a link")
    assert response.status_code == 400
    assert "Line 2 is not a web address" in response.content.decode()
    assert not ProgressReturn.objects.exists()


def test_a_return_cannot_be_submitted_without_a_narrative(client, plan_world):
    response = submit_return(client, plan_world, narrative_cy="")
    assert response.status_code == 400
    assert not ProgressReturn.objects.filter(state=State.SUBMITTED).exists()


def test_a_member_whose_organisation_does_not_lead_gets_403_and_changes_nothing(client, plan_world):
    client.force_login(plan_world["member"])
    assert client.get(edit_url(plan_world["led"])).status_code == 403
    data = {"reporting_period": plan_world["period"].pk, "status": "complete", "submit": "1"}
    assert client.post(edit_url(plan_world["led"]), data).status_code == 403
    assert not ProgressReturn.objects.exists()


def test_someone_who_cannot_see_the_plan_gets_404(client, plan_world):
    client.force_login(plan_world["board_secretariat"])
    assert client.get(edit_url(plan_world["led"])).status_code == 404
    assert client.get(review_url(plan_world["led"])).status_code == 404
    rollup = reverse("progress:rollup", args=[plan_world["plan"].slug])
    assert client.get(rollup).status_code == 404


def test_a_lead_contact_outside_the_plans_forum_still_reports_on_their_action(client, plan_world):
    outside = factories.member_user(
        person=factories.PersonFactory(organisation=plan_world["led"].leads.get()),
        forum=False,
        username="outside_lead",
    )
    client.force_login(outside)
    assert client.get(edit_url(plan_world["led"])).status_code == 200
    assert client.get(edit_url(plan_world["other"])).status_code == 404


def test_an_outsider_with_the_lead_organisation_gets_nothing(client, plan_world):
    outsider = factories.UserFactory(username="no_role")
    factories.PersonFactory(user=outsider, organisation=plan_world["led"].leads.get())
    client.force_login(outsider)
    assert client.get(edit_url(plan_world["led"])).status_code == 403
    assert services.lead_organisation_id(outsider) is None


def test_a_closed_period_takes_no_new_returns(client, plan_world):
    today = timezone.localdate()
    ReportingPeriod.objects.filter(pk=plan_world["period"].pk).update(
        starts_on=today - datetime.timedelta(days=120), due_on=today - datetime.timedelta(days=1)
    )
    client.force_login(plan_world["contact"])
    page = client.get(edit_url(plan_world["led"])).content.decode()
    assert "No reporting period is open for this action." in page
    assert submit_return(client, plan_world).status_code == 404


# Reviewing -------------------------------------------------------------------------------


def test_the_secretariat_asks_for_changes_then_accepts(client, plan_world):
    submit_return(client, plan_world)
    progress_return = ProgressReturn.objects.get()
    secretariat = plan_world["secretariat"]
    client.force_login(secretariat)
    page = client.get(reverse("progress:due")).content.decode()
    assert "Returns to review" in page and review_url(plan_world["led"]) in page

    # Asking for changes needs a note.
    data = {"reporting_period": plan_world["period"].pk, "decision": "changes"}
    assert client.post(review_url(plan_world["led"]), data).status_code == 400
    note = "Please add the number of staff trained."
    response = client.post(review_url(plan_world["led"]), data | {"review_note": note})
    assert response.status_code == 302
    progress_return.refresh_from_db()
    assert progress_return.state == State.CHANGES_REQUESTED
    assert progress_return.review_note == note and progress_return.reviewed_by == secretariat

    # The contact sees the note, changes the return and sends it again.
    client.force_login(plan_world["contact"])
    assert note in client.get(edit_url(plan_world["led"])).content.decode()
    submit_return(client, plan_world, narrative_en="120 staff trained across 6 associations.")
    progress_return.refresh_from_db()
    assert progress_return.state == State.SUBMITTED

    client.force_login(secretariat)
    response = client.post(
        review_url(plan_world["led"]),
        {"reporting_period": plan_world["period"].pk, "decision": "accept"},
    )
    assert response.status_code == 302
    progress_return.refresh_from_db()
    assert progress_return.state == State.ACCEPTED and progress_return.reviewed_at is not None
    # Accepted, it is final: neither side changes it.
    assert client.post(review_url(plan_world["led"]), {"decision": "changes"}).status_code in (
        302,
        403,
    )
    progress_return.refresh_from_db()
    assert progress_return.state == State.ACCEPTED


def test_a_member_may_not_review_and_the_lead_may_not_review_their_own(client, plan_world):
    submit_return(client, plan_world)
    for user in (plan_world["member"], plan_world["contact"]):
        client.force_login(user)
        response = client.post(
            review_url(plan_world["led"]),
            {"reporting_period": plan_world["period"].pk, "decision": "accept"},
        )
        assert response.status_code == 403
    assert ProgressReturn.objects.get().state == State.SUBMITTED


def test_the_action_page_shows_the_timeline_in_the_page_language(client, plan_world):
    submit_return(client, plan_world)
    action = plan_world["led"]
    client.force_login(plan_world["member"])
    page = client.get(action.get_absolute_url()).content.decode()
    # English page, Welsh-only narrative: shown as the fallback, marked as Welsh.
    assert "Progress returns" in page and "2016-17 Q1" in page
    assert "Some risk" in page and "Submitted" in page
    assert f'lang="cy">{WELSH}' in page
    assert "Aled Roberts" in page


def test_the_welsh_page_shows_the_welsh_narrative_and_falls_back_to_english(
    client, plan_world, settings
):
    action = plan_world["led"]
    factories.ProgressReturnFactory(
        action=action,
        period=plan_world["period"],
        narrative_en="Training delivered.",
        narrative_cy="Hyfforddiant wedi'i ddarparu.",
    )
    client.force_login(plan_world["member"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    page = client.get(action.get_absolute_url()).content.decode()
    assert 'lang="cy">Hyfforddiant wedi&#x27;i ddarparu.' in page
    assert "Training delivered." not in page
    ProgressReturn.objects.update(narrative_cy="")
    page = client.get(action.get_absolute_url()).content.decode()
    assert 'lang="en">Training delivered.' in page


def test_drafts_stay_with_their_authors_and_the_secretariat(client, plan_world):
    submit_return(client, plan_world, submit="", save="1", narrative_en="Draft words only")
    action = plan_world["led"]
    client.force_login(plan_world["member"])
    assert "Draft words only" not in client.get(action.get_absolute_url()).content.decode()
    client.force_login(plan_world["secretariat"])
    assert "Draft words only" in client.get(action.get_absolute_url()).content.decode()


# Roll-up ---------------------------------------------------------------------------------


def accepted(action, period, status):
    return factories.ProgressReturnFactory(action=action, period=period, status=status)


def rollup_counts(plan, **filters):
    rows = services.rollup(plan, **filters)
    return {(row.label, row.is_objective): dict(row.counts) for row in rows}


def test_the_rollup_counts_actions_by_their_latest_accepted_status(client, plan_world):
    plan, period = plan_world["plan"], plan_world["period"]
    later = factories.ReportingPeriodFactory(
        plan=plan,
        label="2016-17 Q2",
        starts_on=period.ends_on + datetime.timedelta(days=1),
        ends_on=period.ends_on + datetime.timedelta(days=90),
        due_on=period.ends_on + datetime.timedelta(days=100),
    )
    led, other = plan_world["led"], plan_world["other"]
    accepted(led, period, "off_track")
    accepted(led, later, "complete")  # the latest accepted return counts, not the first
    submitted = accepted(other, later, "complete")
    submitted.state = State.SUBMITTED  # not yet accepted: it does not count
    submitted.save()
    accepted(other, period, "on_track")
    third = factories.PlanActionFactory(area__objective=led.area.objective, reference="2.1")

    area = led.area
    counts = rollup_counts(plan)
    assert counts[(str(area.number), False)] == {"complete": 1, "on_track": 1}
    assert counts[(str(third.area.number), False)] == {services.NO_RETURN: 1}
    assert counts[(str(area.objective.number), True)] == {
        "complete": 1,
        "on_track": 1,
        services.NO_RETURN: 1,
    }
    lead_org = led.leads.get()
    assert rollup_counts(plan, organisation_id=lead_org.pk)[(str(area.number), False)] == {
        "complete": 1
    }
    assert rollup_counts(plan, status="on_track")[(str(area.objective.number), True)] == {
        "on_track": 1
    }

    client.force_login(plan_world["member"])
    url = reverse("progress:rollup", args=[plan.slug])
    page = client.get(url).content.decode()
    assert "50% complete" in page  # one of the area's two actions
    assert "33% complete" in page  # one of the objective's three
    filtered = client.get(url, {"organisation": lead_org.pk}).content.decode()
    assert "100% complete" in filtered


def build_plan(size):
    plan = factories.DeliveryPlanFactory()
    period = factories.ReportingPeriodFactory(plan=plan)
    for objective_number in range(1, size + 1):
        objective = factories.ObjectiveFactory(plan=plan, number=objective_number)
        for area_number in range(1, 3):
            area = factories.DeliveryAreaFactory(
                objective=objective, number=objective_number * 10 + area_number
            )
            for n in range(size):
                action = factories.PlanActionLeadFactory(
                    action__area=area, action__reference=f"{area.number}.{n + 1}"
                ).action
                accepted(action, period, "complete" if n % 2 else "on_track")
    return plan


@pytest.mark.parametrize("size", [1, 4])
def test_the_rollup_page_takes_the_same_queries_whatever_the_plans_size(
    client, django_assert_max_num_queries, size, db
):
    plan = build_plan(size)
    client.force_login(factories.official_user(username="official"))
    url = reverse("progress:rollup", args=[plan.slug])
    client.get(url)  # sessions and roles warm up
    # Session, user, authenticator, roles; plan, counts, objectives, areas, lead organisations.
    with django_assert_max_num_queries(9):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("size", [1, 4])
def test_the_json_export_takes_the_same_queries_whatever_the_plans_size(
    django_assert_max_num_queries, size, db
):
    plan = build_plan(size)
    # Two to find the plan, one for the plan, one per level, leads and returns.
    with django_assert_max_num_queries(8):
        document = json.loads(export("--plan", plan.slug, "--format", "json"))
    assert len(document["actions"]) == 2 * size * size


@pytest.mark.parametrize("size", [1, 4])
def test_the_due_page_takes_the_same_queries_whatever_the_number_of_actions(
    client, django_assert_max_num_queries, size, db
):
    plan = build_plan(size)
    organisation = factories.OrganisationFactory(name="North Wales Police")
    for action in plan.actions.all():
        factories.PlanActionLeadFactory(action=action, organisation=organisation)
    contact = factories.member_user(
        person=factories.PersonFactory(organisation=organisation), forum=plan.forum
    )
    client.force_login(contact)
    url = reverse("progress:due")
    client.get(url)
    with django_assert_max_num_queries(14):
        page = client.get(url).content.decode()
    assert page.count("progress/" + plan.slug + "/") >= 2 * size * size


# Exports ---------------------------------------------------------------------------------


@pytest.fixture
def seeded_plan(db):
    call_command("load_seed_documents", stdout=io.StringIO())
    plan = DeliveryPlan.objects.get(period="2016-17")
    period = factories.ReportingPeriodFactory(plan=plan, label="2016-17")
    actions = list(PlanAction.objects.filter(plan=plan).order_by("sort_major", "sort_minor"))
    reported = {
        actions[0]: ("complete", "Training delivered to all 22 local authorities.", ""),
        actions[1]: ("off_track", "", "Oedi oherwydd newid staff; cynllun newydd yn yr hydref."),
    }
    for action, (status, english, welsh) in reported.items():
        factories.ProgressReturnFactory(
            action=action, period=period, status=status, narrative_en=english, narrative_cy=welsh
        )
    return plan, actions, reported


def export(*args):
    out = io.StringIO()
    call_command("export_progress_report", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_json_export_lists_every_action_with_its_latest_return(seeded_plan):
    plan, actions, reported = seeded_plan
    document = json.loads(export("--plan", "2016-17", "--format", "json"))
    listed = {entry["reference"]: entry for entry in document["actions"]}
    assert len(actions) > 2
    assert set(listed) == {action.reference for action in actions}
    for action in actions:
        entry = listed[action.reference]
        assert entry["text"] == action.text and entry["objective"]["title"]
        assert isinstance(entry["leads"], list)
        if action in reported:
            status, english, welsh = reported[action]
            assert entry["status"] == status
            assert entry["narrative"] == (english or welsh)
        else:
            assert entry["status"] is None and entry["narrative"] is None
            assert entry["latest_return"] is None


def test_the_csv_export_has_one_row_per_return(seeded_plan):
    plan, actions, reported = seeded_plan
    rows = list(csv.DictReader(io.StringIO(export("--plan", plan.slug, "--format", "csv"))))
    assert len(rows) == len(reported)
    assert {row["reference"]: row["status_words"] for row in rows} == {
        actions[0].reference: "Complete",
        actions[1].reference: "Off track",
    }


def test_the_word_report_shows_each_reported_actions_status_and_narrative(seeded_plan, tmp_path):
    from docx import Document

    plan, actions, reported = seeded_plan
    path = tmp_path / "progress.docx"
    export("--plan", "2016-17", "--format", "docx", "--output", str(path))
    document = Document(path)
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert document.core_properties.language == "en-GB"
    assert "Objective 1" in text and "Delivery Area" in text
    assert "Status: Complete" in text
    assert "Training delivered to all 22 local authorities." in text
    assert "Status: Off track" in text
    assert reported[actions[1]][2] in text  # Welsh only, so shown in the English report too


def test_the_welsh_word_report_has_welsh_headings_and_both_has_both(seeded_plan, tmp_path):
    from docx import Document

    path = tmp_path / "adroddiad.docx"
    export("--plan", "2016-17", "--format", "docx", "--language", "cy", "--output", str(path))
    welsh = "\n".join(p.text for p in Document(path).paragraphs)
    assert "Amcan 1" in welsh and "Statws: Wedi'i gwblhau" in welsh
    assert "Status:" not in welsh
    export("--plan", "2016-17", "--format", "docx", "--language", "both", "--output", str(path))
    both = "\n".join(p.text for p in Document(path).paragraphs)
    assert both.index("Status: Complete") < both.index("Statws: Wedi'i gwblhau")


def test_the_pdf_report_shows_each_reported_actions_status_and_narrative(seeded_plan, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    plan, actions, reported = seeded_plan
    path = tmp_path / "progress.pdf"
    export("--plan", "2016-17", "--format", "pdf", "--output", str(path))
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
    text = " ".join(text.split())
    assert "Complete" in text and "Off track" in text
    assert "Training delivered to all 22 local authorities." in text
    for action in reported:
        assert f"Action {action.reference}" in text


def test_word_and_pdf_need_an_output_file(seeded_plan):
    for fmt in ("docx", "pdf"):
        with pytest.raises(CommandError, match="--output"):
            export("--plan", "2016-17", "--format", fmt)


def test_several_plans_of_one_period_are_refused_and_listed(seeded_plan):
    plan = seeded_plan[0]
    second = DeliveryPlan.objects.create(
        forum=plan.forum, title_en="Anti-racist Wales Action Plan", period="2016-17"
    )
    with pytest.raises(CommandError) as refused:
        export("--plan", "2016-17", "--format", "json")
    assert plan.slug in str(refused.value) and second.slug in str(refused.value)
    document = json.loads(export("--plan", second.slug, "--format", "json"))
    assert document["plan"]["title"] == "Anti-racist Wales Action Plan"
    assert document["actions"] == []


def test_an_unknown_plan_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No delivery plan"):
        export("--plan", "1999-00", "--format", "json")
