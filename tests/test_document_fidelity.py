"""The downloadable documents as files, read by independent readers: every Word export (notes,
plan, progress report) is A4, in British English or Welsh, carries the product's own metadata and
lays its tables on a grid equal to the cells' widths, with rows kept whole and the heading row
repeated; every PDF is tagged (a structure tree with headings and tables) and names its
language; the spreadsheet downloads keep references such as 1.10 apart from 1.1."""

import csv
import datetime
import io
import logging
import re
import zipfile

import docx
import openpyxl
import pypdf
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from docx.oxml.ns import qn
from docx.shared import Mm

from actions.models import ActionItem
from exports import meeting_notes
from exports.make_docx_template import TARGET as NOTES_TEMPLATE
from hatecrime import reports as plan_reports
from hatecrime.models import DeliveryPlan, PlanAction
from meetings.models import Meeting
from progress import reports as progress_reports
from tests import factories
from wrc.lib import word_documents

PLAN_TEMPLATE = plan_reports.DOCX_TEMPLATE
TWIPS_PER_MM = 1440 / 25.4
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture
def seeds(db):
    """The seed documents as ``make run`` loads them: the plan, the meeting and the letter."""
    call_command("load_seed_documents", stdout=io.StringIO())
    meeting = meeting_notes.meetings_for_export().get()
    plan = DeliveryPlan.objects.select_related("forum").get(period="2016-17")
    return meeting, plan


# Word -------------------------------------------------------------------------------------


def notes_docx(meeting, plan, language):
    return meeting_notes.export_meeting_notes(meeting, language=language, fmt="docx").content


def plan_docx(meeting, plan, language):
    return plan_reports.export_plan(plan, fmt="docx").content


def progress_docx(meeting, plan, language):
    return progress_reports.export_progress_report(plan, fmt="docx", language=language)


WORD_EXPORTS = [
    pytest.param(notes_docx, "en", id="notes-en"),
    pytest.param(notes_docx, "cy", id="notes-cy"),
    pytest.param(notes_docx, "both", id="notes-both"),
    pytest.param(plan_docx, "en", id="plan"),
    pytest.param(progress_docx, "en", id="progress-en"),
    pytest.param(progress_docx, "cy", id="progress-cy"),
]
EXPECTED_LANG = {"en": "en-GB", "cy": "cy-GB", "both": "en-GB"}


def styles_languages(document) -> set[str]:
    return {lang.get(qn("w:val")) for lang in document.styles.element.iter(qn("w:lang"))}


def default_run_language(document) -> str:
    lang = document.styles.element.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert lang is not None, "no language on the default run properties"
    return lang.get(qn("w:val"))


def text_width_twips(document) -> int:
    section = document.sections[0]
    return int((section.page_width - section.left_margin - section.right_margin) / 635)


def assert_a4(document):
    for section in document.sections:
        assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


def assert_table_laid_out_on_its_grid(table, text_width):
    tbl = table._tbl
    grid = [int(col.get(qn("w:w"))) for col in tbl.tblGrid.findall(qn("w:gridCol"))]
    assert grid and all(width > 0 for width in grid)
    assert sum(grid) <= text_width + len(grid)  # within the margins, give or take rounding
    assert tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    for position, tr in enumerate(tbl.tr_lst):
        column = 0
        for tc in tr.tc_lst:
            span = tc.grid_span
            width = tc.tcPr.find(qn("w:tcW"))
            assert width.get(qn("w:type")) == "dxa"
            assert int(width.get(qn("w:w"))) == sum(grid[column : column + span])
            column += span
        assert column == len(grid)
        assert tr.trPr is not None and tr.trPr.find(qn("w:cantSplit")) is not None
        if position == 0:
            assert tr.trPr.find(qn("w:tblHeader")) is not None


@pytest.mark.parametrize(("make", "language"), WORD_EXPORTS)
def test_every_word_export_is_a4_in_its_language_with_its_own_metadata(seeds, make, language):
    meeting, plan = seeds
    before = timezone.now().replace(microsecond=0) - datetime.timedelta(seconds=1)
    content = make(meeting, plan, language)
    document = docx.Document(io.BytesIO(content))

    assert_a4(document)
    expected = EXPECTED_LANG[language]
    assert default_run_language(document) == expected
    assert styles_languages(document) == {expected}
    settings_lang = document.settings.element.find(qn("w:themeFontLang"))
    assert settings_lang is None or settings_lang.get(qn("w:val")) == expected

    properties = document.core_properties
    forum = meeting.forum if make is notes_docx else plan.forum
    author = forum.name_in("cy" if language == "cy" else "en")
    assert properties.title and "python-docx" not in properties.title
    assert properties.author == properties.last_modified_by == author
    assert properties.comments == ""  # not "generated by python-docx"
    assert properties.language == expected
    assert properties.revision == 1
    assert properties.created == properties.modified
    assert properties.created >= before  # made now, not the template's 23 December 2013
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        app = package.read("docProps/app.xml").decode()
        assert (
            "Macintosh" not in app
            and "docProps/thumbnail.jpeg" not in package.read("_rels/.rels").decode()
        )

    for table in document.tables:
        assert_table_laid_out_on_its_grid(table, text_width_twips(document))


def test_notes_and_plan_titles_and_authors_are_the_documents_own(seeds):
    meeting, plan = seeds
    notes = docx.Document(io.BytesIO(notes_docx(meeting, plan, "cy"))).core_properties
    assert notes.title.startswith(meeting.forum.name_in("cy"))
    assert "Ionawr" in notes.title or "Mawrth" in notes.title  # the Welsh date line
    assert notes.author == meeting.forum.name_in("cy") != meeting.forum.name
    assert notes.subject == "Nodiadau'r cyfarfod"
    plan_doc = docx.Document(io.BytesIO(plan_docx(meeting, plan, "en"))).core_properties
    assert plan_doc.title == f"{plan.title_en} – Delivery Plan {plan.period}"
    assert plan_doc.author == plan.forum.name


def test_the_tables_columns_keep_their_widths_for_libreoffice(seeds):
    """The grid is what LibreOffice lays out: it must hold the columns' own widths, not equal
    shares, or the Action column shrinks and the plan runs to many more pages."""
    meeting, plan = seeds
    document = docx.Document(io.BytesIO(plan_docx(meeting, plan, "en")))
    assert len(document.tables) == 8  # one per delivery area
    for table in document.tables:
        grid = [int(col.get(qn("w:w"))) for col in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        assert [round(width / TWIPS_PER_MM) for width in grid] == [15, 105, 46]
    notes = docx.Document(io.BytesIO(notes_docx(meeting, plan, "en")))
    (summary,) = notes.tables
    grid = [int(col.get(qn("w:w"))) for col in summary._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert grid[1] == max(grid) and grid[0] == min(grid)
    assert len(summary.rows) == 1 + ActionItem.objects.filter(meeting=meeting).count()


def run_languages(paragraph) -> set[str]:
    return {
        run._r.rPr.find(qn("w:lang")).get(qn("w:val"))
        for run in paragraph.runs
        if run._r.rPr is not None and run._r.rPr.find(qn("w:lang")) is not None
    }


def test_a_bilingual_document_marks_the_welsh_part_as_welsh(seeds):
    meeting, plan = seeds
    for content, english, welsh in (
        (notes_docx(meeting, plan, "both"), "Attendance", "Presenoldeb"),
        (progress_docx(meeting, plan, "both"), "Annual update report on progress",
         "Adroddiad blynyddol ar y cynnydd"),
    ):  # fmt: skip
        paragraphs = docx.Document(io.BytesIO(content)).paragraphs
        (english_heading,) = [p for p in paragraphs if p.text == english]
        (welsh_heading,) = [p for p in paragraphs if p.text == welsh]
        assert run_languages(english_heading) == {"en-GB"}
        assert run_languages(welsh_heading) == {"cy-GB"}


@pytest.mark.parametrize("template", [NOTES_TEMPLATE, PLAN_TEMPLATE], ids=["notes", "plan"])
def test_the_committed_templates_are_a4_british_english_on_their_grid(template):
    document = docx.Document(template)
    assert_a4(document)
    assert default_run_language(document) == "en-GB"
    for table in document.tables:
        assert_table_laid_out_on_its_grid(table, text_width_twips(document))


def letter_document_with_a_table(widths_cm, *, merged=False):
    """A document as python-docx makes one: US Letter, US English, equal grid columns."""
    document = docx.Document()
    table = document.add_table(rows=3, cols=len(widths_cm))
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Mm(width * 10)
    if merged:
        table.cell(2, 0).merge(table.cell(2, 1))
    return document, table


@pytest.mark.django_db
def test_a_document_from_any_template_is_finished_the_same_way(settings):
    settings.SITE_NAME = ""
    document, table = letter_document_with_a_table([2, 9, 4], merged=True)
    assert round(document.sections[0].page_width.mm) == 216  # US Letter to begin with
    word_documents.finish_document(document, title="T", author="Fforwm Hil Cymru", language="cy")
    document = docx.Document(io.BytesIO(save(document)))
    assert_a4(document)
    assert round(document.sections[0].left_margin.mm) == 22
    assert default_run_language(document) == "cy-GB"
    assert styles_languages(document) == {"cy-GB"}
    (table,) = document.tables
    assert_table_laid_out_on_its_grid(table, text_width_twips(document))
    grid = [int(col.get(qn("w:w"))) for col in table._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert [round(width / TWIPS_PER_MM) for width in grid] == [20, 90, 40]
    assert table.rows[2]._tr.tc_lst[0].grid_span == 2


@pytest.mark.django_db
def test_an_a4_template_keeps_its_own_margins():
    """A restyle in Word (wider margins, say) survives; only another paper size is replaced."""
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = word_documents.A4
    section.left_margin = Mm(30)
    document = docx.Document(io.BytesIO(save(document)))  # as Word stores it, in twips
    word_documents.finish_document(document, title="T", author="A", language="en")
    assert round(document.sections[0].left_margin.mm) == 30
    assert_a4(document)


@pytest.mark.django_db
def test_a_table_wider_than_the_page_is_fitted_between_the_margins():
    document, _table = letter_document_with_a_table([5, 12, 6])
    word_documents.finish_document(document, title="T", author="A", language="en")
    (table,) = docx.Document(io.BytesIO(save(document))).tables
    grid = [int(col.get(qn("w:w"))) for col in table._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert sum(grid) <= text_width_twips(document)
    assert grid[1] > grid[2] > grid[0]  # in proportion


def save(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# PDF --------------------------------------------------------------------------------------


def structure_types(reader) -> list[str]:
    """The types of every element of the PDF's structure tree (H1, Table, TH, TD, …)."""
    found, stack = [], [reader.trailer["/Root"]["/StructTreeRoot"]]
    while stack:
        node = stack.pop()
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not hasattr(node, "get"):
            continue  # a marked-content id: a leaf
        if "/S" in node:
            found.append(str(node["/S"]).lstrip("/"))
        if "/K" in node:
            stack.append(node["/K"])
    return found


PDF_EXPORTS = [
    pytest.param(
        lambda meeting, plan, language: (
            meeting_notes.export_meeting_notes(meeting, language=language, fmt="pdf").content
        ),
        language,
        id=f"notes-{language}",
    )
    for language in ("en", "cy")
] + [
    pytest.param(
        lambda meeting, plan, language: plan_reports.export_plan(plan, fmt="pdf").content,
        "en",
        id="plan",
    ),
    pytest.param(
        lambda meeting, plan, language: progress_reports.export_progress_report(
            plan, fmt="pdf", language=language
        ),
        "cy",
        id="progress-cy",
    ),
]


@pytest.mark.parametrize(("make", "language"), PDF_EXPORTS)
def test_every_pdf_is_tagged_with_its_language_and_title(seeds, make, language, caplog):
    meeting, plan = seeds
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        content = make(meeting, plan, language)
    # WeasyPrint reports what PDF/UA lacks (a language, a title, alternative text) as errors.
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    reader = pypdf.PdfReader(io.BytesIO(content))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert str(root["/Lang"]) == language
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert "pdfuaid" in reader.xmp_metadata.stream.get_data().decode()
    types = structure_types(reader)
    assert "H1" in types and "H2" in types
    assert "P" in types
    title = reader.metadata.title
    assert title and title == reader.metadata["/Title"]
    assert reader.metadata.author in (plan.forum.name_in(language), meeting.forum.name_in(language))


def test_the_pdf_tables_are_tables_with_heading_cells(seeds):
    meeting, plan = seeds
    for content in (
        plan_reports.export_plan(plan, fmt="pdf").content,
        meeting_notes.export_meeting_notes(meeting, language="cy", fmt="pdf").content,
    ):
        types = structure_types(pypdf.PdfReader(io.BytesIO(content)))
        assert {"Table", "TR", "TH", "TD"} <= set(types)


# Spreadsheets -----------------------------------------------------------------------------

DOTTED = re.compile(r"^\d+\.\d+$")


def test_the_seed_plan_has_references_a_spreadsheet_would_confuse(seeds):
    references = set(PlanAction.objects.values_list("reference", flat=True))
    as_numbers = [float(reference) for reference in references if DOTTED.match(reference)]
    assert {"1.1", "1.10"} <= references
    assert len(as_numbers) - len(set(as_numbers)) >= 5


def test_the_plan_csv_keeps_each_reference_as_written(client, official, seeds):
    client.force_login(official)
    response = client.get(reverse("hatecrime:plan_export", args=[seeds[1].slug, "csv"]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    references = [row["reference"] for row in rows]
    assert len(references) == len(set(references)) == PlanAction.objects.count()
    assert "1.1" in references and "1.10" in references
    # Written as they are: no quote, no formula, so other systems read the same text.
    assert b'="1.10"' not in response.content and b"'1.10" not in response.content


def test_the_plan_spreadsheet_holds_references_as_text_cells(client, official, seeds):
    client.force_login(official)
    response = client.get(reverse("hatecrime:plan_export", args=[seeds[1].slug, "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    values = [cell.value for cell in cells]
    assert all(cell.data_type == "s" and cell.number_format == "@" for cell in cells)
    assert "1.1" in values and "1.10" in values
    assert len(values) == len(set(values)) == PlanAction.objects.count()


def test_the_formula_guard_still_applies_with_text_cells(client, official):
    action = factories.PlanActionFactory(reference="=1+1", text="@SUM(A1:A2)")
    client.force_login(official)
    url = reverse("hatecrime:plan_export", args=[action.plan.slug, "xlsx"])
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(url).content)).active
    row = next(sheet.iter_rows(min_row=2))
    assert row[0].value == "=1+1" and row[0].data_type == "s" and row[0].number_format == "@"
    csv_content = client.get(url.replace("xlsx", "csv")).content.decode("utf-8-sig")
    assert "'=1+1" in csv_content and "'@SUM(A1:A2)" in csv_content


def test_the_actions_spreadsheet_writes_text_as_text_and_numbers_as_numbers(client, official):
    meeting = factories.MeetingFactory()
    factories.ActionItemFactory(meeting=meeting, number=10, text="1.10", owner_text="=cmd")
    client.force_login(official)
    response = client.get(reverse("actions:export", args=["xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    (row,) = sheet.iter_rows(min_row=2)
    cells = dict(zip(header, row, strict=True))
    assert cells["Action"].value == "1.10" and cells["Action"].number_format == "@"
    assert cells["Owner (as written)"].value == "=cmd"
    assert cells["Owner (as written)"].data_type == "s"
    assert cells["Number"].value == 10 and cells["Number"].number_format == "General"


def test_the_progress_csv_keeps_each_reference_as_written(seeds):
    meeting, plan = seeds
    period = factories.ReportingPeriodFactory(plan=plan, label="2016-17")
    narratives = {"1.1": "Done.", "1.10": '=HYPERLINK("https://example.org")'}
    for reference, narrative in narratives.items():
        action = PlanAction.objects.get(plan=plan, reference=reference)
        factories.ProgressReturnFactory(action=action, period=period, narrative_en=narrative)
    content = progress_reports.export_progress_report(plan, fmt="csv", language="en")
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8"))))
    assert {row["reference"]: row["narrative_en"] for row in rows} == {
        "1.1": "Done.",
        "1.10": "'" + narratives["1.10"],  # written by a lead organisation: never a formula
    }


def test_meeting_notes_exports_are_unaffected_by_a_missing_welsh_forum_name(db):
    """A forum with no Welsh name still gives a Welsh document an author."""
    meeting = factories.MeetingFactory(forum__name_cy="")
    meeting = meeting_notes.meetings_for_export(Meeting.objects.filter(pk=meeting.pk)).get()
    content = meeting_notes.export_meeting_notes(meeting, language="cy", fmt="docx").content
    assert docx.Document(io.BytesIO(content)).core_properties.author == meeting.forum.name
