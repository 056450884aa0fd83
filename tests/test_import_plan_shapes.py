"""Delivery and action plans in the shapes public bodies publish them: Markdown tables from Word
with lettered areas, tab-separated tables with other columns and no references, Welsh headings,
and a real Word document; the plan's identity; and how lead cells become organisations."""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings

from directory.models import Organisation
from hatecrime.importers import import_delivery_plan, parse_delivery_plan, read_leads
from hatecrime.models import DeliveryPlan, PlanAction
from wrc.lib.importing import ImportFormatError

PLANS = Path(__file__).parent / "documents" / "plans"
SEED = Path(settings.BASE_DIR) / "data" / "seeds" / "delivery-plan-2016-17.txt"


def load(name: str) -> str:
    return (PLANS / name).read_text(encoding="utf-8")


def rows(plan):
    """Every action as (area label, reference, text, leads, timescale, measure, extra)."""
    return [
        (
            a.area.label,
            a.reference,
            a.text,
            [link.organisation.name for link in a.lead_links.order_by("order")],
            a.timescale,
            a.measure,
            a.extra,
        )
        for a in plan.actions.select_related("area").order_by("sort_major", "sort_minor")
    ]


def messages(report):
    return [str(notice) for notice in report.notices]


@pytest.mark.django_db
def test_a_markdown_plan_with_lettered_areas_and_no_objectives():
    report = import_delivery_plan(
        text=load("anti-racist-wales-action-plan-2024.md"), source_name="arwap.md"
    )
    plan = DeliveryPlan.objects.get()
    assert (plan.title_en, plan.period) == ("Anti-racist Wales Action Plan", "2024")
    introduction = plan.sections.get()
    assert introduction.heading_en == "Introduction"
    assert introduction.text_en.startswith("This update sets out the actions for 2024")
    assert list(plan.objectives.values_list("number", "title_en")) == [
        (1, "Anti-racist Wales Action Plan")
    ]
    areas = plan.objectives.get().areas.order_by("number")
    assert [(a.number, a.label, a.title_en) for a in areas] == [
        (1, "A", "Human rights and recognition"),
        (2, "B", "Leadership and representation"),
    ]
    assert rows(plan) == [
        (
            "A",
            "A1",
            "Publish guidance on recording racist incidents in schools.\n\n"
            "Share the guidance with every governing body.",
            ["Equality Team"],
            "March 2024",
            "Guidance published; 100% of governing bodies reached",
            {},
        ),
        (
            "A",
            "A2",
            "Fund community grants for Black, Asian and Minority Ethnic led organisations.",
            ["Welsh Government", "Welsh Local Government Association", "Police"],
            "2024-25",
            "Number of grants awarded",
            {},
        ),
        (
            "A",
            "A3",
            "Review the race equality training offered to housing staff.",
            ["Ministry of Housing, Communities & Local Government"],
            "December 2024",
            "Review report",
            {},
        ),
        (
            "B",
            "B1",
            "Set up a mentoring scheme for ethnic minority staff aspiring to senior posts.",
            ["Welsh Government"],
            "September 2024",
            "20 mentees in the first year",
            {},
        ),
        (
            "B",
            "B2",
            "Collect and publish data on the ethnicity of public appointments.",
            ["Equality and Human Rights Commission"],
            "Ongoing",
            "Annual report",
            {},
        ),
    ]
    team = Organisation.objects.get(name="Equality Team")
    assert team.parent.name == "Welsh Government"
    b1 = PlanAction.objects.get(reference="B1")
    assert b1.leads_text == "Head of Community Cohesion, Welsh Government"
    assert not Organisation.objects.filter(name__icontains="Head of").exists()
    assert not Organisation.objects.filter(name__in=["Communities", "Local Government"]).exists()
    notices = messages(report)
    contact = '"Contact: equality@example.gov.wales"'
    assert f"line 25: not part of the plan's table, not imported: {contact}" in notices
    assert any("A2" in n and "read as 3 organisation(s)" in n for n in notices)
    assert any('"Head of Community Cohesion" is a job title' in n for n in notices)


@pytest.mark.django_db
def test_a_tab_separated_plan_with_other_columns_and_no_references():
    report = import_delivery_plan(text=load("hctb-action-plan-2022-2025.txt"))
    plan = DeliveryPlan.objects.get()
    assert plan.title_en == "Hate and Community Tensions Board Cymru: Action Plan"
    assert plan.period == "2022-25"
    assert rows(plan) == [
        (
            "Theme 1",
            "1.1",
            "Promote third party reporting centres in every local authority area.",
            ["Victim Support Cymru"],
            "March 2023",
            "",
            {"Budget": "£10,000"},
        ),
        (
            "Theme 1",
            "1.2",
            "Agree a shared definition of a community tension for all partners.",
            ["Welsh Government", "Welsh Police Forces"],
            "June 2023",
            "",
            {},
        ),
        (
            "Theme 2",
            "2.1",
            "Extend the advocacy service for victims of hate crime to young people.",
            ["Victim Support Cymru", "Race Equality First"],
            "2024",
            "",
            {"Budget": "£25,000"},
        ),
        (
            "Theme 2",
            "2.2",
            "Publish an easy read guide to reporting hate crime.",
            ["Hate Crime Criminal Justice Board Cymru"],
            "December 2024",
            "",
            {},
        ),
    ]
    progress = dict(plan.actions.values_list("reference", "status"))
    assert progress == {
        "1.1": "complete",
        "1.2": "in_progress",
        "2.1": "not_started",
        "2.2": "in_progress",
    }
    assert PlanAction.objects.get(reference="1.1").progress_note == "Complete – 22 centres promoted"
    generated = [n for n in report.notices if "gives this action no reference" in n.message]
    assert [(n.line, n.message.split("it is ")[1][:3]) for n in generated] == [
        (6, "1.1"),
        (7, "1.2"),
        (12, "2.1"),
        (13, "2.2"),
    ]


@pytest.mark.django_db
def test_a_welsh_plan_of_the_same_period_is_another_plan():
    import_delivery_plan(text=SEED.read_text(encoding="utf-8"))
    import_delivery_plan(text=load("cynllun-cyflawni-2016-17.txt"))
    assert DeliveryPlan.objects.filter(period="2016-17").count() == 2
    seed = DeliveryPlan.objects.get(title_en__startswith="Tackling")
    assert seed.actions.count() == 87 and seed.slug == "2016-17"
    welsh = DeliveryPlan.objects.get(title_en="Cynllun Cyflawni")
    assert welsh.title_cy == "Cynllun Cyflawni" and welsh.slug != seed.slug
    assert list(welsh.objectives.values_list("number", "label", "title_en")) == [
        (1, "Amcan 1", "Atal"),
        (2, "Amcan 2", "Cefnogi dioddefwyr"),
    ]
    assert [(a.label, a.objective.number) for a in welsh.objectives.get(number=2).areas.all()] == [
        ("Maes Cyflawni 3", 2)
    ]
    assert [r[1:4] for r in rows(welsh)] == [
        (
            "1.1",
            "Byddwn yn cynnal ymgyrch ymwybyddiaeth am droseddau casineb ledled Cymru.",
            ["Welsh Government"],
        ),
        (
            "1.2",
            "Byddwn yn cefnogi ysgolion i fynd i'r afael â bwlio sy'n gysylltiedig â chasineb.",
            ["Welsh Government", "Heddluoedd Cymru"],
        ),
        (
            "2.1",
            "Byddwn yn hyfforddi staff rheng flaen i adnabod troseddau casineb.",
            ["Cymorth i Ddioddefwyr Cymru"],
        ),
        (
            "3.1",
            "Byddwn yn ariannu canolfan genedlaethol adrodd a chymorth.",
            ["Welsh Government"],
        ),
    ]
    # The same title and period again is the same plan.
    report = import_delivery_plan(text=load("cynllun-cyflawni-2016-17.txt"))
    assert "nothing changed" in report.summary()
    assert DeliveryPlan.objects.count() == 2


@pytest.mark.django_db
def test_a_document_lacking_part_of_the_stored_plan_is_refused():
    text = load("cynllun-cyflawni-2016-17.txt")
    import_delivery_plan(text=text)
    shorter = text.split("Amcan 2")[0]
    with pytest.raises(ImportFormatError, match=r'objective 2 "Cefnogi dioddefwyr"'):
        import_delivery_plan(text=shorter)
    without_area = text.replace("Maes Cyflawni 2 – Hyfforddiant\t\t\n", "").replace(
        "2.1\tByddwn yn hyfforddi", "1.3\tByddwn yn hyfforddi"
    )
    with pytest.raises(ImportFormatError, match=r'delivery area 2 "Hyfforddiant"'):
        import_delivery_plan(text=without_area)
    assert PlanAction.objects.count() == 4
    seed = SEED.read_text(encoding="utf-8")
    import_delivery_plan(text=seed)
    # Every heading, but only the first action of each area.
    lines = seed.splitlines()
    start = lines.index(next(line for line in lines if line.startswith("Objective 1")))
    kept = lines[:start] + [
        line
        for line in lines[start:]
        if re.match(r"^(?:Objective|Delivery Area) \d|^\d+\.1\t", line)
    ]
    with pytest.raises(ImportFormatError, match=r"79 of its 87 actions \(1\.2, 1\.3, "):
        import_delivery_plan(text="\n".join(kept))
    assert PlanAction.objects.filter(plan__title_en__startswith="Tackling").count() == 87


def word_plan() -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("Hate Crime Action Plan 2023 to 2024", level=0)
    document.add_paragraph("North Wales Community Safety Partnership")
    sections = [
        (
            "Priority 1 – Prevention",
            [
                ("1", "Deliver hate crime awareness sessions in secondary schools.",
                 ["North Wales Police"], "Termly", "On track", "Sessions held", "£5,000"),
                ("2", "Train licensed taxi drivers to recognise and report hate crime.",
                 ["Gwynedd Council", "Conwy County Borough Council"], "March 2024",
                 "Not started", "Drivers trained", ""),
            ],
        ),
        (
            "Priority 2 – Supporting victims",
            [
                ("3", "Refer every victim who consents to the advocacy service.",
                 ["Victim Support Cymru"], "Ongoing", "Complete", "Referral rate", ""),
            ],
        ),
    ]  # fmt: skip
    for heading, actions in sections:
        document.add_heading(heading, level=2)
        table = document.add_table(rows=1, cols=7)
        for cell, text in zip(
            table.rows[0].cells,
            ["No.", "Action", "Owner", "Timescale", "Status", "Outcome", "Funding"],
            strict=True,
        ):
            cell.text = text
        for number, action, owners, when, status, outcome, funding in actions:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = number, action
            cells[2].text = owners[0]
            for owner in owners[1:]:
                cells[2].add_paragraph(owner)  # one paragraph per organisation
            cells[3].text, cells[4].text, cells[5].text, cells[6].text = (
                when,
                status,
                outcome,
                funding,
            )
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.django_db
def test_a_word_plan_with_a_real_table():
    documents = pytest.importorskip("wrc.lib.documents")
    text = documents.read_document_bytes(word_plan(), "action-plan.docx").text
    import_delivery_plan(text=text, source_name="action-plan.docx")
    plan = DeliveryPlan.objects.get()
    assert (plan.title_en, plan.period) == ("Hate Crime Action Plan", "2023-24")
    assert [(a.label, a.title_en) for a in plan.objectives.get().areas.all()] == [
        ("Priority 1", "Prevention"),
        ("Priority 2", "Supporting victims"),
    ]
    assert rows(plan) == [
        (
            "Priority 1",
            "1",
            "Deliver hate crime awareness sessions in secondary schools.",
            ["North Wales Police"],
            "Termly",
            "Sessions held",
            {"Funding": "£5,000"},
        ),
        (
            "Priority 1",
            "2",
            "Train licensed taxi drivers to recognise and report hate crime.",
            ["Gwynedd Council", "Conwy County Borough Council"],
            "March 2024",
            "Drivers trained",
            {},
        ),
        (
            "Priority 2",
            "3",
            "Refer every victim who consents to the advocacy service.",
            ["Victim Support Cymru"],
            "Ongoing",
            "Referral rate",
            {},
        ),
    ]
    assert list(plan.actions.values_list("status", flat=True)) == [
        "in_progress",
        "not_started",
        "complete",
    ]


@pytest.mark.parametrize(
    ("text", "names", "roles"),
    [
        (
            "Ministry of Housing, Communities & Local Government",
            ["Ministry of Housing, Communities & Local Government"],
            [],
        ),
        (
            "Welsh Government, WLGA and Police",
            ["Welsh Government", "Welsh Local Government Association", "Police"],
            [],
        ),
        ("Welsh Government (Equality Team)", ["Welsh Government (Equality Team)"], []),
        ("Head of Community Cohesion", [], ["Head of Community Cohesion"]),
        (
            "Department for Culture, Media and Sport",
            ["Department for Culture, Media and Sport"],
            [],
        ),
        ("Acme Trust and Foo Group", ["Acme Trust", "Foo Group"], []),
        ("Welsh Government SportWales", ["Welsh Government", "Sport Wales"], []),
    ],
)
@pytest.mark.django_db
def test_a_lead_is_one_organisation_unless_the_text_shows_a_list(text, names, roles):
    reading = read_leads(text)
    assert (reading.names, reading.roles) == (names, roles)


@pytest.mark.django_db
def test_the_directory_decides_an_ambiguous_lead():
    assert read_leads("Race, Faith and Belief Unit").names == ["Race, Faith and Belief Unit"]
    Organisation.objects.create(name="Black, Asian and Minority Ethnic Network")
    reading = read_leads("Black, Asian and Minority Ethnic Network and Welsh Government")
    assert reading.names == ["Black, Asian and Minority Ethnic Network", "Welsh Government"]


def plan_text(body: str) -> str:
    return "Community Cohesion Action Plan 2025\n\n" + body


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("| Ref | Action | Lead |\n| --- | --- | --- |\n\nEnd of plan.\n", 3, "no rows"),
        (
            "| Ref | Action | Lead |\n| --- | --- | --- |\n| 1 | Act. | WG |\n| 2 | Act. |\n"
            "| 3 | Act. | WG |\n",
            6,
            "a row of 2 cells in a table of 3 columns",
        ),
    ],
)
@pytest.mark.django_db
def test_a_table_cut_short_is_refused_naming_the_line(body, line, message):
    with pytest.raises(ImportFormatError) as error:
        parse_delivery_plan(plan_text(body))
    assert error.value.line == line and message in error.value.message


@pytest.mark.django_db
def test_a_document_that_is_not_a_plan_is_refused():
    with pytest.raises(ImportFormatError, match="not a delivery plan"):
        parse_delivery_plan("Dear Minister,\n\nThank you for your letter.\n")


def test_two_plans_of_one_period_each_have_their_own_pages(client, official):
    from tests import factories

    first = factories.DeliveryPlanFactory()
    second = DeliveryPlan.objects.create(
        forum=first.forum, title_en="Anti-racist Wales Action Plan", period=first.period
    )
    assert first.slug == "2016-17" and second.slug != first.slug
    client.force_login(official)
    for plan in (first, second):
        page = client.get(plan.get_absolute_url())
        assert page.status_code == 200
        assert plan.title_en in page.content.decode()
        structure = client.get(f"/plan/manage/{plan.slug}/structure/")
        assert structure.status_code == 200
