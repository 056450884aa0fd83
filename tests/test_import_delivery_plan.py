import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from directory.models import Organisation, OrganisationAlias
from directory.services import organisation_ensure, split_organisation_names
from hatecrime.models import DeliveryArea, DeliveryPlan, Objective, PlanAction, PlanActionLead

SEED = Path(settings.BASE_DIR) / "data" / "seeds" / "delivery-plan-2016-17.txt"
SEED_REFERENCES = re.findall(r"^(\d+\.\d+)\t", SEED.read_text(encoding="utf-8"), re.MULTILINE)


def run(*args, **kwargs):
    from io import StringIO

    out = StringIO()
    call_command("import_delivery_plan", *args, stdout=out, **kwargs)
    return out.getvalue()


@pytest.fixture
def plan(db):
    run(str(SEED))
    return DeliveryPlan.objects.get(period="2016-17")


def action(reference):
    return PlanAction.objects.get(plan__period="2016-17", reference=reference)


def leads(reference):
    return [link.organisation.name for link in action(reference).lead_links.order_by("order")]


def snapshot():
    """Every count an import could change, history rows included."""
    models = [
        DeliveryPlan,
        Objective,
        DeliveryArea,
        PlanAction,
        PlanActionLead,
        Organisation,
        OrganisationAlias,
    ]
    counts = {m.__name__: m.objects.count() for m in models}
    for model in (DeliveryPlan, Objective, DeliveryArea, PlanAction, Organisation):
        counts[f"history {model.__name__}"] = model.history.count()
    counts["versions"] = sorted(PlanAction.objects.values_list("reference", "version"))
    return counts


def test_it_imports_the_plan_header(plan):
    assert plan.title_en == "Tackling Hate Crimes and Incidents: Framework for Action"
    assert plan.period == "2016-17"
    approach = plan.sections.get(heading_en="Delivery Plan Approach").text_en
    assert approach.startswith(
        "The Welsh Government produces an Annual Delivery Plan to ensure actions remain relevant"
    )
    assert approach.endswith(
        "across the following areas:\n\n"
        "- Cross departmental actions across Welsh Government Departments\n"
        "- Actions from the Hate Crime Criminal Justice Board Cymru\n"
        "- Recommendations from the Independent Advisory Group"
    )
    assert plan.source_document == "delivery-plan-2016-17.txt"


def test_it_imports_every_objective_area_and_action(plan):
    assert list(plan.objectives.values_list("number", "title_en")) == [
        (1, "Prevention"),
        (2, "Supporting Victims"),
        (3, "Improving the Multi-agency Response"),
    ]
    areas = DeliveryArea.objects.filter(objective__plan=plan).order_by("number")
    assert [a.number for a in areas] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert areas[3].title_en == "Training and Awareness in Service Delivery"
    assert areas[3].objective.number == 1 and areas[4].objective.number == 2
    references = list(plan.actions.values_list("reference", flat=True))
    assert len(SEED_REFERENCES) == 87
    assert references == SEED_REFERENCES
    assert references[0] == "1.1" and references[-1] == "8.6"
    assert "4.29" not in references
    assert plan.actions.filter(reference__startswith="4.").count() == 31
    assert action("5.1").area.number == 5


def test_html_becomes_clean_text_with_paragraph_breaks(plan):
    text = action("1.5").text
    paragraphs = text.split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[0] == (
        "We published an updated version of our publication “Respect and Resilience – developing "
        "community cohesion” (http://gov.wales/topics/educationandskills/publications/guidance/"
        "respectresilience/?lang=en)."
    )
    assert paragraphs[2].startswith("Estyn have also incorporated the wider Prevent duty")
    assert "<" not in text and ">" not in text
    assert "<i>" not in action("1.6").text and "– Hidden - to safeguard" in action("1.6").text


def test_bullets_become_dash_lines(plan):
    assert action("4.1").text == (
        "We will continue to fund Victim Support Cymru to provide hate crime training across "
        "Wales (with support from Hate Crime Criminal Justice Board) to:\n\n"
        "- Create a suitable youth service version of the existing training package\n"
        "- Hold at least 40 hate crime training sessions with relevant front-line staff across "
        "the public sector and Youth Services\n"
        "- 4 Sessions available to Refugee and Asylum Seeker Dispersal / Housing Sites\n"
        "- Explore avenues to create a train-the-trainer programme."
    )
    assert action("8.6").text == (
        "We will conduct research on:\n\n"
        "- the possible link between online hate speech and offline hate crimes\n"
        "- identifying and modelling the spread of anti-Semitic content on Twitter."
    )
    assert leads("8.6") == [
        "Social Data Science Lab, Cardiff University",
        "Hate Crime Criminal Justice Board Cymru",
    ]


def test_continuation_rows_join_text_and_leads(plan):
    item = action("1.12")
    assert "Childrensrights Wales website, along with all other resources. All our resources" in (
        item.text
    )
    assert item.text.endswith("professionals working with children and young people.")
    assert "\n" not in item.text
    assert item.leads_text == (
        "Welsh Government (external training in collaboration with University of Wales, Trinity "
        "St. David and Eliesha Training)"
    )
    assert leads("1.12") == [
        "Welsh Government",
        "University of Wales Trinity Saint David",
        "Eliesha Training",
    ]
    assert "are embedded in delivery and reflect particular community" in action("2.1").text
    assert action("2.1").text.count("\n\n") == 2
    assert "Homelessness 2016-17 and through the work programme of Tai Pawb" in action("3.6").text
    assert "working towards an increased confidence" in action("5.4").text
    assert (
        "National Hate Crime Report and Support Centre to increase advocacy" in action("6.1").text
    )
    assert "which outline the commissioned services" in action("7.6").text


def test_continuation_rows_carry_the_rest_of_the_leads(plan):
    assert action("4.11").leads_text == (
        "Welsh Government, Welsh Police Forces and Hate Crime Criminal Justice Board"
    )
    assert action("4.11").text.endswith("through a developed delivery plan.")
    assert action("4.28").leads_text == (
        "Welsh Government ,Welsh Police Forces and Hate Crime Criminal Justice Board"
    )
    assert action("4.28").text == (
        "We will work with Transgender communities to increase awareness on reporting and to "
        "publicise case studies to encourage confidence in the criminal justice system."
    )
    expected = [
        "Welsh Government",
        "Welsh Police Forces",
        "Hate Crime Criminal Justice Board Cymru",
    ]
    assert leads("4.28") == expected
    assert leads("4.11") == expected


def test_leads_are_split_into_separate_deduplicated_organisations(plan):
    assert leads("1.10") == ["Welsh Government", "Sport Wales"]
    assert leads("5.10") == ["British Transport Police", "Hate Crime Criminal Justice Board Cymru"]
    assert leads("4.32") == leads("1.12")  # "Elisha Training" is "Eliesha Training"
    assert leads("4.1") == ["Victim Support Cymru"] == leads("4.17")
    assert leads("7.1") == ["Crown Prosecution Service", "Hate Crime Criminal Justice Board Cymru"]
    assert leads("6.4") == [
        "HM Courts & Tribunals Service",
        "Hate Crime Criminal Justice Board Cymru",
    ]
    assert leads("7.6") == ["Welsh Government", "Local authorities"]
    assert leads("1.14") == [] and action("1.14").leads_text == ""
    assert leads("7.7") == []
    assert Organisation.objects.filter(name__icontains="Victim Support").count() == 1
    assert Organisation.objects.filter(name__icontains="Criminal Justice Board").count() == 1
    assert Organisation.objects.filter(name__icontains="training").count() == 1
    assert not Organisation.objects.filter(name__icontains="collaboration").exists()
    assert not Organisation.objects.filter(name__icontains="SportWales").exists()
    sport = Organisation.objects.get(name="Sport Wales")
    assert set(sport.led_plan_actions.values_list("reference", flat=True)) >= {"1.10", "7.5"}


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("WLGA", ["Welsh Local Government Association"]),
        ("Welsh Local Government Authority (WLGA)", ["Welsh Local Government Association"]),
        ("Victim Support", ["Victim Support Cymru"]),
        ("hate Crime Criminal Justice Board", ["Hate Crime Criminal Justice Board Cymru"]),
        ("Welsh Government SportWales", ["Welsh Government", "Sport Wales"]),
        (
            "British Transport Police/Hate Crime Criminal Justice Board",
            ["British Transport Police", "Hate Crime Criminal Justice Board Cymru"],
        ),
        (
            "Social Data Science Lab, Cardiff University",
            ["Social Data Science Lab, Cardiff University"],
        ),
        ("HM Courts and Tribunal Service", ["HM Courts & Tribunals Service"]),
        (
            "Ethnic Minorities and Youth Support Team (EYST)",
            ["Ethnic Minorities and Youth Support Team"],
        ),
        ("Acme Trust and Foo Group, Bar Network", ["Acme Trust", "Foo Group", "Bar Network"]),
    ],
)
def test_it_splits_organisation_names(text, names):
    assert split_organisation_names(text) == names


@pytest.mark.django_db
def test_spellings_of_one_organisation_resolve_to_one_row():
    first = organisation_ensure(name="WLGA")
    assert organisation_ensure(name="Welsh Local Government Authority (WLGA)") == first
    assert first.short_name == "WLGA" and first.kind == "public_body"
    assert organisation_ensure(name="Elisha Training") == organisation_ensure(
        name="Eliesha Training"
    )
    team = organisation_ensure(name="WG (CSI - Statistical services Division)")
    assert team.parent.name == "Welsh Government" and team.kind == "government_team"
    unknown = organisation_ensure(name="WG (Housing Policy)")
    assert unknown.name == "Housing Policy" and unknown.parent.name == "Welsh Government"
    assert organisation_ensure(name="WG (Housing Policy)") == unknown
    acronym = organisation_ensure(name="Example Community Network (ECN)")
    assert (acronym.name, acronym.short_name) == ("Example Community Network", "ECN")
    assert organisation_ensure(name="ECN") == acronym


def test_a_second_import_changes_nothing(plan):
    before = snapshot()
    output = run(str(SEED))
    assert "nothing changed" in output
    assert snapshot() == before


def test_a_dry_run_reports_and_saves_nothing(db):
    output = run(str(SEED), dry_run=True)
    assert "dry run" in output and "87 plan actions" in output
    assert PlanAction.objects.count() == 0 and Organisation.objects.count() == 0


def test_a_reimport_keeps_an_official_s_edit_the_document_did_not_change(plan):
    edited = action("2.2")
    edited.text = "Edited by an official."
    edited.save()
    output = run(str(SEED), dry_run=True)
    assert "nothing changed" in output
    run(str(SEED))
    assert action("2.2").text == "Edited by an official."


def write(tmp_path, text):
    path = tmp_path / "plan.txt"
    path.write_text(text, encoding="utf-8")
    return str(path)


HEADER = "Title\n\nDelivery Plan 2017-18\n\n"


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        (
            "Objective 1 – A\t\t\nDelivery Area 1 – B\t\t\n1.1\tText\tWG\nnot a row\n"
            "1.2\tMore\tWG\n",
            8,
            "unrecognised row",
        ),
        (
            "Delivery Area 1 – B\nObjective 1 – A\n1.1\tText\tWG\n",
            5,
            "before any objective",
        ),
        (
            "Objective 1 – A\nDelivery Area 1 – B\n2.1\tText\tWG\n",
            7,
            "listed under delivery area 1",
        ),
        (
            "Objective 1 – A\nDelivery Area 1 – B\n1.1\tText\tWG\n1.1\tAgain\tWG\n",
            8,
            "appears twice",
        ),
        ("Objective 1 – A\nDelivery Area 1 – B\n\tmore text\tWG\n", 7, "continuation row"),
    ],
)
def test_a_malformed_plan_names_the_line_and_saves_nothing(db, tmp_path, body, line, message):
    with pytest.raises(CommandError) as error:
        run(write(tmp_path, HEADER + body))
    assert f"line {line}:" in str(error.value) and message in str(error.value)
    assert "Nothing was saved" in str(error.value)
    assert DeliveryPlan.objects.count() == 0 and Organisation.objects.count() == 0


def test_a_malformed_plan_leaves_an_earlier_import_untouched(plan, tmp_path):
    before = snapshot()
    text = SEED.read_text(encoding="utf-8").replace("Victim Support Cymru\n6.6", "x\nbroken\n6.6")
    with pytest.raises(CommandError, match=r"line \d+: unrecognised row \"broken\""):
        run(write(tmp_path, text))
    assert snapshot() == before


def test_a_file_that_is_not_a_plan_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="not a delivery plan"):
        run(write(tmp_path, "Dear all,\n\nHello.\n"))
    with pytest.raises(CommandError, match="(?i)cannot read"):
        run(str(tmp_path / "missing.txt"))


def test_actions_straight_under_an_objective_are_its_area(db, tmp_path):
    output = run(write(tmp_path, HEADER + "Objective 1 – Prevention\n1.1\tWe will act.\tWG\n"))
    assert "created" in output
    area = action_in("2017-18", "1.1").area
    assert (area.number, area.title_en, area.objective.title_en) == (1, "Prevention", "Prevention")


def test_a_line_after_the_table_is_a_point_to_review(db, tmp_path):
    path = write(
        tmp_path, HEADER + "Objective 1 – A\nDelivery Area 1 – B\n1.1\tText\tWG\nnot a row\n"
    )
    with pytest.raises(CommandError, match="points to review"):
        run(path)
    assert DeliveryPlan.objects.count() == 0
    output = run(path, accept=True)
    assert 'line 8: not part of the plan\'s table, not imported: "not a row"' in output
    assert action_in("2017-18", "1.1").text == "Text"


def action_in(period, reference):
    return PlanAction.objects.get(plan__period=period, reference=reference)
