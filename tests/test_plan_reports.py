"""Delivery plan downloads: every file is opened with an independent reader (csv, openpyxl,
python-docx, pypdf, json) and checked against the seed plan text itself."""

import csv
import io
import json
import re
from pathlib import Path

import docx
import openpyxl
import pypdf
import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from directory.models import Organisation
from hatecrime import reports
from hatecrime.models import DeliveryPlan
from tests import factories

pytestmark = pytest.mark.django_db

SEED = Path(settings.BASE_DIR) / "data" / "seeds" / "delivery-plan-2016-17.txt"
SEED_ROW = re.compile(r"^(?P<ref>\d+\.\d+)\t(?P<text>[^\t]*)\t?(?P<leads>.*)$")
REFERENCE_TOKEN = re.compile(r"(?<![\d.])\d+\.\d+(?![\d.])")


def seed_rows() -> dict[str, str]:
    """Reference → lead column, read straight from the seed document (not via the importer)."""
    rows = {}
    for line in SEED.read_text(encoding="utf-8").splitlines():
        if match := SEED_ROW.match(line):
            rows[match["ref"]] = match["leads"]
    return rows


SEED_REFERENCES = set(seed_rows())
GWENT_REFERENCES = {ref for ref, leads in seed_rows().items() if "Gwent Police" in leads}


@pytest.fixture
def plan(db):
    call_command("import_delivery_plan", str(SEED), stdout=io.StringIO())
    return DeliveryPlan.objects.get(period="2016-17")


@pytest.fixture
def gwent(plan):
    return Organisation.objects.resolve("Gwent Police")


def download(client, user, plan, fmt, lead=None):
    client.force_login(user)
    url = reverse("hatecrime:plan_export", args=[plan.slug, fmt])
    response = client.get(url, {"lead": lead.slug} if lead else {})
    assert response.status_code == 200, response.content[:300]
    return response


def test_the_seed_has_what_the_tests_rely_on():
    assert len(SEED_REFERENCES) == 87
    assert GWENT_REFERENCES == {"4.14", "4.15", "4.22"}


# Data formats ------------------------------------------------------------------------------


def csv_rows(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_csv_has_every_plan_action_and_filters_by_lead(client, member, plan, gwent):
    response = download(client, member, plan, "csv")
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="delivery-plan-2016-17.csv"' in response["Content-Disposition"]
    rows = csv_rows(response.content)
    assert [row["reference"] for row in rows].count("1.1") == 1
    assert {row["reference"] for row in rows} == SEED_REFERENCES
    assert len(rows) == len(SEED_REFERENCES)
    first = next(row for row in rows if row["reference"] == "1.1")
    assert first["objective"] == "Prevention"
    assert first["area"] == "Tackling Hate-Related Bullying and Promoting Respect"
    assert first["text"].startswith("We will continue to fund the All Wales Schools Liaison")
    assert first["leads"] == "Welsh Government; Welsh Police Forces"
    assert first["status"] == "not_started"

    response = download(client, member, plan, "csv", lead=gwent)
    assert 'filename="delivery-plan-2016-17-gwent-police.csv"' in response["Content-Disposition"]
    assert {row["reference"] for row in csv_rows(response.content)} == GWENT_REFERENCES


def xlsx_references(content: bytes) -> set[str]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}


def test_xlsx_has_every_plan_action_and_filters_by_lead(client, official, plan, gwent):
    response = download(client, official, plan, "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["Ref", "Objective no.", "Objective"]
    assert "Lead organisations" in header and "Progress" in header
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert {row[0] for row in rows} == SEED_REFERENCES
    leads = header.index("Lead organisations")
    by_ref = {row[0]: row for row in rows}
    assert by_ref["4.14"][leads] == "Gwent Police; Hate Crime Criminal Justice Board Cymru"
    assert by_ref["4.14"][header.index("Progress")] == "Not started"

    filtered = download(client, official, plan, "xlsx", lead=gwent).content
    assert xlsx_references(filtered) == GWENT_REFERENCES


def test_json_has_every_plan_action_and_filters_by_lead(client, member, plan, gwent):
    response = download(client, member, plan, "json")
    data = json.loads(response.content)
    assert data["plan"]["period"] == "2016-17"
    assert data["lead"] is None
    assert {row["reference"] for row in data["actions"]} == SEED_REFERENCES
    row = next(row for row in data["actions"] if row["reference"] == "1.1")
    assert row["leads"] == ["Welsh Government", "Welsh Police Forces"]
    assert row["objective"] == "Prevention" and row["status"] == "not_started"

    data = json.loads(download(client, member, plan, "json", lead=gwent).content)
    assert data["lead"] == {"name": "Gwent Police", "slug": gwent.slug}
    assert {row["reference"] for row in data["actions"]} == GWENT_REFERENCES


def test_text_that_looks_like_a_formula_stays_text(client, member):
    action = factories.PlanActionFactory(text='=HYPERLINK("http://evil.example","Click")')
    plan = action.plan
    rows = csv_rows(download(client, member, plan, "csv").content)
    assert rows[0]["text"] == "'" + action.text
    sheet = openpyxl.load_workbook(io.BytesIO(download(client, member, plan, "xlsx").content))
    cell = sheet.active.cell(row=2, column=6)
    assert cell.value == action.text
    assert cell.data_type == "s"


# Documents ----------------------------------------------------------------------------------


def docx_of(content: bytes):
    return docx.Document(io.BytesIO(content))


def docx_table_rows(document) -> dict[str, list[str]]:
    """Reference → the row's cell texts, over every table but its header rows."""
    rows = {}
    for table in document.tables:
        for row in table.rows[1:]:
            cells = [cell.text.strip() for cell in row.cells]
            rows[cells[0]] = cells
    return rows


def test_docx_is_laid_out_as_the_plan_and_filters_by_lead(client, member, plan, gwent):
    response = download(client, member, plan, "docx")
    document = docx_of(response.content)
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    # The introduction's headed sections, then the plan's structure.
    assert headings[:4] == [
        "Delivery Plan Approach",
        "Independent Advisory Group",
        "Annual Update",
        "Objective 1 – Prevention",
    ]
    assert "Delivery Area 1 – Tackling Hate-Related Bullying and Promoting Respect" in headings
    assert "Objective 3 – Improving the Multi-agency Response" in headings
    assert len([h for h in headings if h.startswith("Delivery Area")]) == 8
    assert all(
        [c.text for c in table.rows[0].cells] == ["Ref", "Action", "Lead organisations"]
        for table in document.tables
    )
    rows = docx_table_rows(document)
    assert set(rows) == SEED_REFERENCES
    assert rows["1.1"][1].startswith("We will continue to fund the All Wales Schools Liaison")
    assert rows["1.1"][2] == "Welsh Government and Welsh Police Forces"
    # A list inside an action keeps one paragraph per item.
    assert "• the possible link between" in rows["8.6"][1]

    document = docx_of(download(client, member, plan, "docx", lead=gwent).content)
    assert set(docx_table_rows(document)) == GWENT_REFERENCES
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Actions led by Gwent Police" in text
    assert "Delivery Area 1 –" not in text


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_is_laid_out_as_the_plan_and_filters_by_lead(client, member, plan, gwent):
    response = download(client, member, plan, "pdf")
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Delivery Plan 2016-17" in text
    assert "Objective 2 – Supporting Victims" in text
    assert "Delivery Area 8 – Tackling Perpetrators" in text
    assert SEED_REFERENCES <= set(REFERENCE_TOKEN.findall(text))

    text = pdf_text(download(client, member, plan, "pdf", lead=gwent).content)
    found = set(REFERENCE_TOKEN.findall(text))
    assert GWENT_REFERENCES <= found
    assert not (SEED_REFERENCES - GWENT_REFERENCES) & found
    assert "Delivery Area 1 –" not in text


# Access and bad input ----------------------------------------------------------------------


@pytest.fixture
def small_plan(db):
    """A plan made by factories, for tests about access rather than content."""
    lead = factories.PlanActionLeadFactory(organisation__name="Gwent Police")
    return lead.action.plan


def test_downloads_require_sign_in(client, small_plan):
    plan = small_plan
    response = client.get(reverse("hatecrime:plan_export", args=[plan.slug, "csv"]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_outsiders_are_refused(client, outsider, small_plan):
    plan = small_plan
    client.force_login(outsider)
    assert client.get(reverse("hatecrime:plan_export", args=[plan.slug, "csv"])).status_code == 403
    assert client.get(reverse("hatecrime:plan_downloads", args=[plan.slug])).status_code == 403


def test_unknown_format_plan_or_lead_is_not_found(client, member, small_plan):
    plan = small_plan
    client.force_login(member)
    assert client.get(reverse("hatecrime:plan_export", args=[plan.slug, "exe"])).status_code == 404
    assert client.get(reverse("hatecrime:plan_export", args=["1999-00", "csv"])).status_code == 404
    url = reverse("hatecrime:plan_export", args=[plan.slug, "csv"])
    assert client.get(url, {"lead": "no-such-organisation"}).status_code == 404


def test_downloads_page_links_every_format_for_the_chosen_lead(client, member, small_plan):
    plan = small_plan
    gwent = Organisation.objects.get(name="Gwent Police")
    client.force_login(member)
    response = client.get(
        reverse("hatecrime:plan_downloads", args=[plan.slug]), {"lead": gwent.slug}
    )
    assert response.status_code == 200
    page = response.content.decode()
    for fmt in reports.FORMATS:
        url = reverse("hatecrime:plan_export", args=[plan.slug, fmt])
        assert f"{url}?lead={gwent.slug}" in page
    assert f'<option value="{gwent.slug}" selected>' in page


@pytest.mark.parametrize("count", [1, 10, 50])
def test_export_queries_do_not_grow_with_actions(
    client, member, count, django_assert_max_num_queries
):
    area = factories.DeliveryAreaFactory()
    for action in factories.PlanActionFactory.create_batch(count, area=area):
        factories.PlanActionLeadFactory(action=action)
    client.force_login(member)
    url = reverse("hatecrime:plan_export", args=[area.objective.plan.slug, "docx"])
    # One more than before forums: the member's forum memberships, which decide the plans
    # they may read; one for the second-factor check of every signed-in request; and one for
    # the introduction's sections.
    with django_assert_max_num_queries(11):
        response = client.get(url)
    assert len(docx_table_rows(docx_of(response.content))) == count
