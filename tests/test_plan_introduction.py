"""The plan's introduction: every prose section before the objectives, heading and paragraphs in
the plan's order, read from plans of several shapes, kept on re-import without duplicates, shown
on the plan page and carried into the JSON, Word and PDF files; the introduction stored before
sections existed becomes the first section."""

import io
import json
import re
from pathlib import Path

import docx
import pypdf
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from hatecrime import services
from hatecrime.importers import import_delivery_plan, parse_delivery_plan
from hatecrime.models import DeliveryPlan, PlanSection
from tests.test_editing_locking import form_data

SEED = Path(settings.BASE_DIR) / "data" / "seeds" / "delivery-plan-2016-17.txt"
PLANS = Path(__file__).parent / "documents" / "plans"
SEED_HEADINGS = ["", "Delivery Plan Approach", "Independent Advisory Group", "Annual Update"]


def seed_paragraph(after: str) -> str:
    """The seed's first paragraph under the line ``after``, read from the seed itself."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    start = lines.index(after) + 1
    return next(line for line in lines[start:] if line.strip())


def sections(plan):
    return list(plan.sections.values_list("heading_en", "text_en", "text_cy"))


def table(body: str) -> str:
    """A plan's heading and a small table of actions below ``body``."""
    return (
        body
        + "\n\nObjective 1 – Prevention\t\t\nDelivery Area 1 – Schools\t\t\n"
        + "1.1\tWe will fund the schools programme.\tWelsh Government\n"
        + "1.2\tWe will train teachers.\tWelsh Government\n"
    )


@pytest.fixture
def plan(db):
    call_command("import_delivery_plan", str(SEED), stdout=io.StringIO())
    return DeliveryPlan.objects.get(period="2016-17")


# The seed ----------------------------------------------------------------------------------


def test_the_seed_keeps_every_introductory_section_in_order(plan):
    kept = sections(plan)
    assert [heading for heading, _text, _cy in kept] == SEED_HEADINGS
    note, approach, advisory, update = kept
    assert note == (
        "",
        "This document is also available in Welsh.",
        "Mae'r ddogfen yma hefyd ar gael yn Gymraeg.",
    )
    assert approach[1].startswith(seed_paragraph("Delivery Plan Approach"))
    assert approach[1].endswith(
        "\n\n- Cross departmental actions across Welsh Government Departments"
        "\n- Actions from the Hate Crime Criminal Justice Board Cymru"
        "\n- Recommendations from the Independent Advisory Group"
    )
    assert advisory[1] == seed_paragraph("Independent Advisory Group")
    assert update[1] == seed_paragraph("Annual Update")
    # The title, the period and the publisher are not sections of the introduction.
    lines = {line for _h, body, _cy in kept for line in body.split("\n")} | set(SEED_HEADINGS)
    for left_out in (
        "Tackling Hate Crimes and Incidents: Framework for Action",
        "Tackling Hate Crimes and Incidents - Framework for Action",
        "Delivery Plan 2016-17",
        "Llywodraeth Cymru",
        "Welsh Government",
    ):
        assert left_out not in lines
    assert not any(line.startswith("Objective 1") for line in lines)


def test_a_second_import_changes_nothing_and_keeps_an_officials_welsh(plan):
    advisory = plan.sections.get(heading_en="Independent Advisory Group")
    advisory.heading_cy = "Grŵp Cynghori Annibynnol"
    advisory.save()
    before = list(PlanSection.objects.values_list("pk", "position", "heading_en", "text_en"))
    history = PlanSection.history.count()

    call_command("import_delivery_plan", str(SEED), stdout=io.StringIO())

    assert list(PlanSection.objects.values_list("pk", "position", "heading_en", "text_en")) == (
        before
    )
    assert PlanSection.history.count() == history
    assert plan.sections.get(pk=advisory.pk).heading_cy == "Grŵp Cynghori Annibynnol"


def test_a_reimport_follows_the_documents_sections_and_says_what_it_removed(db):
    first = table(
        "Community Plan 2024-25\n\nIntroduction\n\nWe will work together.\n\n"
        "Funding\n\nThe plan is funded by the grant."
    )
    import_delivery_plan(text=first)
    plan = DeliveryPlan.objects.get()
    introduction = plan.sections.get(heading_en="Introduction")

    second = table(
        "Community Plan 2024-25\n\nGovernance\n\nThe board meets each quarter.\n\n"
        "Introduction\n\nWe will work together."
    )
    report = import_delivery_plan(text=second)

    assert [(h, t) for h, t, _cy in sections(plan)] == [
        ("Governance", "The board meets each quarter."),
        ("Introduction", "We will work together."),
    ]
    assert plan.sections.get(heading_en="Introduction").pk == introduction.pk
    assert any("Funding" in str(notice) and "removed" in str(notice) for notice in report.notices)
    assert PlanSection.history.filter(heading_en="Funding", history_type="-").exists()


# Other shapes ------------------------------------------------------------------------------


def test_a_markdown_plan_with_a_foreword_contents_and_wrapped_lines(db):
    text = table(
        "# Race Equality Action Plan 2023-24\n\n"
        "Welsh Government\n\n"
        "## Contents\n\n"
        "Ministerial foreword 2\n"
        "How we made the plan 3\n\n"
        "## Ministerial foreword\n\n"
        "Wales must be a nation free of racism. This plan\n"
        "sets out what each of us will do.\n\n"
        "Jane Hutt MS\n"
        "Cabinet Secretary for Social Justice\n\n"
        "## How we made the plan\n\n"
        "We listened to people across Wales:\n\n"
        "* at community events;\n"
        "* through the online survey.\n\n"
        "© Crown copyright 2023 WG12345"
    )
    parsed = parse_delivery_plan(text)
    assert [(s.heading, s.text) for s in parsed.sections] == [
        (
            "Ministerial foreword",
            "Wales must be a nation free of racism. This plan sets out what each of us will "
            "do.\n\nJane Hutt MS\n\nCabinet Secretary for Social Justice",
        ),
        (
            "How we made the plan",
            "We listened to people across Wales:\n\n"
            "- at community events;\n- through the online survey.",
        ),
    ]
    assert any("Crown copyright" in str(notice) for notice in parsed.notices)


def test_a_pdf_export_with_the_note_glued_to_the_cover_date(db):
    parsed = parse_delivery_plan(
        (PLANS / "real-shape-hate-crime-delivery-plan-2016-17-pdf.txt").read_text()
    )
    (note,) = parsed.sections
    assert (note.heading, note.text, note.text_cy) == (
        "",
        "This document is also available in Welsh.",
        "Mae’r ddogfen yma hefyd ar gael yn Gymraeg.",
    )
    left_out = " ".join(str(notice) for notice in parsed.notices)
    assert "July 2016" in left_out and "ISBN" in left_out


def test_a_web_page_whose_introduction_has_no_heading(db):
    parsed = parse_delivery_plan(
        (PLANS / "real-shape-disabled-peoples-rights-plan-short-term-actions.txt").read_text()
    )
    (section,) = parsed.sections
    assert section.heading == ""
    paragraphs = section.text.split("\n\n")
    assert len(paragraphs) == 2
    assert paragraphs[0].startswith("Many of these actions are cross-cutting")
    assert "Skip to main content" not in section.text


def test_a_welsh_plan_keeps_its_sections_in_welsh_too(client, member):
    import_delivery_plan(
        text=table(
            "Cynllun Cyflawni 2016-17\n\nCyflwyniad\n\n"
            "Mae'r cynllun hwn yn nodi'r camau ar gyfer y flwyddyn."
        )
    )
    (section,) = DeliveryPlan.objects.get().sections.all()
    assert (section.heading_cy, section.text_cy) == (
        "Cyflwyniad",
        "Mae'r cynllun hwn yn nodi'r camau ar gyfer y flwyddyn.",
    )
    client.force_login(member)
    html = client.get(section.plan.get_absolute_url()).content.decode()
    assert 'lang="cy">Cyflwyniad</h2>' in html
    assert html.count("Mae&#x27;r cynllun hwn") == 1


def test_a_plan_with_no_introduction_has_no_sections(db):
    import_delivery_plan(text=table("Community Plan 2024-25"))
    assert not PlanSection.objects.exists()


# Where the sections are shown --------------------------------------------------------------


def test_the_plan_page_shows_every_section_in_order(client, member, plan):
    client.force_login(member)
    response = client.get(plan.get_absolute_url())
    html = response.content.decode()
    positions = [html.index(f">{heading}</h2>") for heading in SEED_HEADINGS[1:]]
    assert positions == sorted(positions)
    assert html.index("This document is also available in Welsh.") < positions[0]
    assert re.search(r'lang="cy">\s*<div class="wrc-discussion"><p>Mae&#x27;r ddogfen', html)
    assert html.index(seed_paragraph("Annual Update")[:60]) < html.index("Objective 1")
    assert "<li>Recommendations from the Independent Advisory Group</li>" in html
    # The plan's own English is marked as such, for a reader whose interface is Welsh.
    assert 'lang="en">Delivery Plan Approach</h2>' in html


def export(client, user, plan, fmt):
    client.force_login(user)
    response = client.get(reverse("hatecrime:plan_export", args=[plan.slug, fmt]))
    assert response.status_code == 200
    return response.content


def test_the_json_export_carries_the_sections(client, member, plan):
    document = json.loads(export(client, member, plan, "json"))
    assert [s["heading"] for s in document["introduction"]] == SEED_HEADINGS
    assert document["introduction"][0]["text_cy"] == "Mae'r ddogfen yma hefyd ar gael yn Gymraeg."
    assert document["introduction"][3]["text"] == seed_paragraph("Annual Update")


def test_the_plan_data_json_carries_the_sections(plan):
    from hatecrime.serializers import plan_data

    data = json.loads(json.dumps(plan_data(plan)))
    assert [s["heading"] for s in data["introduction"]] == SEED_HEADINGS


def test_the_word_document_opens_with_the_introduction(client, member, plan):
    document = docx.Document(io.BytesIO(export(client, member, plan, "docx")))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs if p.text.strip()]
    texts = [text for _style, text in paragraphs]
    first_objective = texts.index("Objective 1 – Prevention")
    headings = [text for style, text in paragraphs[:first_objective] if style == "Heading 1"]
    assert headings == SEED_HEADINGS[1:]
    assert texts.index("This document is also available in Welsh.") < texts.index(
        "Delivery Plan Approach"
    )
    assert seed_paragraph("Independent Advisory Group") in texts[:first_objective]
    assert "• Actions from the Hate Crime Criminal Justice Board Cymru" in texts
    assert not any("{" in text for text in texts)


def test_the_pdf_opens_with_the_introduction(client, member, plan):
    reader = pypdf.PdfReader(io.BytesIO(export(client, member, plan, "pdf")))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    positions = [text.index(heading) for heading in SEED_HEADINGS[1:]]
    assert positions == sorted(positions)
    assert text.index("also available in Welsh") < positions[0]
    assert positions[-1] < text.index("Objective 1 – Prevention")


# Editing and copying -----------------------------------------------------------------------


def test_officials_edit_the_sections_with_the_plan(client, official, plan):
    client.force_login(official)
    url = reverse("hatecrime:plan_edit", args=[plan.slug])
    response = client.get(url)
    data = form_data(response.context["form"])
    for section in response.context["sections"]:
        data |= form_data(section)
    data |= form_data(response.context["sections"].management_form)
    update = plan.sections.get(heading_en="Annual Update")
    index = list(plan.sections.all()).index(update)
    data[f"sections-{index}-heading_cy"] = "Diweddariad Blynyddol"
    new = len(plan.sections.all())
    data |= {f"sections-{new}-position": "9", f"sections-{new}-heading_en": "Contact"}
    data[f"sections-{new}-text_en"] = "Write to the Equality Team."

    response = client.post(url, data)

    assert response.status_code == 302, response.context["sections"].errors
    assert plan.sections.get(pk=update.pk).heading_cy == "Diweddariad Blynyddol"
    assert [h for h, _t, _cy in sections(plan)] == [*SEED_HEADINGS, "Contact"]


def test_a_new_plan_year_starts_with_the_same_introduction(plan):
    copy = services.plan_copy_year(source=plan, period="2017-18")
    assert sections(copy) == sections(plan)


# The introduction stored before sections ---------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_stored_introduction_becomes_the_first_section():
    executor = MigrationExecutor(connection)
    executor.migrate([("hatecrime", "0006_search_vector")])
    try:
        executor.loader.build_graph()
        old = executor.loader.project_state(("hatecrime", "0006_search_vector")).apps
        forum = old.get_model("directory", "Forum").objects.create(
            name="Wales Race Forum", slug="wales-race-forum"
        )
        kept = old.get_model("hatecrime", "DeliveryPlan").objects.create(
            forum=forum,
            title_en="Plan",
            period="2016-17",
            slug="2016-17",
            introduction_en="The plan.\n\n- One\n- Two",
            introduction_cy="Y cynllun.",
        )
        old.get_model("hatecrime", "DeliveryPlan").objects.create(
            forum=forum, title_en="Plan", period="2017-18", slug="2017-18"
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    (section,) = PlanSection.objects.all()
    assert (section.plan_id, section.position, section.heading_en) == (kept.pk, 0, "")
    assert (section.text_en, section.text_cy) == ("The plan.\n\n- One\n- Two", "Y cynllun.")
    assert section.history.get().history_type == "+"
