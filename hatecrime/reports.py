"""The delivery plan as files: CSV, XLSX and JSON of every action, and Word and PDF in the plan
document's own layout (objective and delivery area headings, then a table of reference, action and
lead organisations). Every format can be limited to the actions one organisation leads.

The data formats use the rows of ``hatecrime.serializers`` (as the ``export_delivery_plan`` command
does), and the documents an outline of the same queryset, so every format agrees.
The document text is the plan's own English text, not UI wording.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.template.loader import render_to_string

from directory.models import Organisation
from hatecrime.models import DeliveryPlan, PlanAction
from hatecrime.serializers import (
    PLAN_COLUMNS,
    csv_row,
    plan_action_row,
    plan_actions_queryset,
    plan_sections,
)
from wrc.lib.exporting import TEXT_FORMAT, PdfUnavailable, html_to_pdf, spreadsheet_safe  # noqa: F401 (callers catch PdfUnavailable here)

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "hatecrime" / "reports"
DOCX_TEMPLATE = TEMPLATE_DIR / "delivery_plan.docx"
# Spreadsheet headings for the columns of ``hatecrime.serializers.PLAN_COLUMNS``.
XLSX_HEADINGS = {
    "reference": ("Ref", 7),
    "objective_number": ("Objective no.", 10),
    "objective": ("Objective", 24),
    "area_number": ("Delivery area no.", 10),
    "area": ("Delivery area", 30),
    "text": ("Action", 80),
    "leads_as_written": ("Leads as written in the plan", 34),
    "leads": ("Lead organisations", 34),
    "status": ("Progress", 14),
    "progress_note": ("Progress note", 40),
}


@dataclass(frozen=True)
class Format:
    extension: str
    content_type: str


FORMATS = {
    "csv": Format("csv", "text/csv; charset=utf-8"),
    "xlsx": Format("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "json": Format("json", "application/json"),
    "docx": Format(
        "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ),
    "pdf": Format("pdf", "application/pdf"),
}


@dataclass(frozen=True)
class Report:
    filename: str
    content_type: str
    content: bytes


class UnknownFormat(ValueError):
    pass


def plan_actions(plan: DeliveryPlan, lead: Organisation | None = None):
    """The plan's actions in document order, with what every format shows of them."""
    # Area first, so the headings of the documents follow the plan even for an odd reference.
    actions = plan_actions_queryset(plan).order_by(
        "area__objective__number", "area__number", "sort_major", "sort_minor", "pk"
    )
    if lead is not None:
        actions = actions.filter(lead_links__organisation=lead)
    return actions


def objective_heading(objective) -> str:
    return f"Objective {objective.number} – {objective.title_en}"


def area_heading(area) -> str:
    return f"Delivery Area {area.number} – {area.title_en}"


def lead_names(action: PlanAction) -> list[str]:
    return [link.organisation.name for link in action.lead_links.all()]


def leads_display(action: PlanAction) -> str:
    """As the plan writes them; the resolved names when the plan gave no wording."""
    return action.leads_text or ", ".join(lead_names(action))


def text_paragraphs(text: str) -> list[str]:
    """The action's paragraphs, its "- " list items shown with bullets."""
    lines = (line.strip() for line in text.splitlines())
    paragraphs = ["• " + line[2:] if line.startswith("- ") else line for line in lines if line]
    # A Word table cell must hold at least one paragraph, even for an empty action.
    return paragraphs or [""]


@dataclass
class AreaBlock:
    heading: str
    actions: list[dict] = field(default_factory=list)


@dataclass
class ObjectiveBlock:
    heading: str
    areas: list[AreaBlock] = field(default_factory=list)


def plan_outline(actions) -> list[ObjectiveBlock]:
    """Objectives → delivery areas → actions, as the plan document is laid out."""
    objectives: list[ObjectiveBlock] = []
    for action in actions:
        objective, area = action.area.objective, action.area
        if not objectives or objectives[-1].heading != objective_heading(objective):
            objectives.append(ObjectiveBlock(objective_heading(objective)))
        areas = objectives[-1].areas
        if not areas or areas[-1].heading != area_heading(area):
            areas.append(AreaBlock(area_heading(area)))
        areas[-1].actions.append(
            {
                "ref": action.reference,
                "paragraphs": text_paragraphs(action.text),
                "leads": leads_display(action),
            }
        )
    return objectives


def introduction_outline(plan: DeliveryPlan) -> list[dict]:
    """The introduction's sections as the documents lay them out: a heading (none for a note
    such as "This document is also available in Welsh") over paragraphs and bullets."""
    return [
        {
            "heading": section.heading_en,
            "text": section.text_en,
            "paragraphs": text_paragraphs(section.text_en),
        }
        for section in plan.sections.all()
        if section.heading_en or section.text_en
    ]


def document_context(plan: DeliveryPlan, lead: Organisation | None, actions) -> dict:
    return {
        "title": plan.title_en,
        "subtitle": f"Delivery Plan {plan.period}",
        "author": plan.forum.name,
        "lead": lead.name if lead else "",
        "introduction": introduction_outline(plan),
        "objectives": plan_outline(actions),
    }


# Data formats ----------------------------------------------------------------------------


def render_csv(plan, lead, actions) -> bytes:
    """The actions as plain data: a reference is written as it is ("1.10"), for the systems that
    read it and for a round trip. A spreadsheet that opens a CSV guesses each cell's type and
    turns 1.10 into the number 1.1 (the same as 1.1); writing ="1.10" would keep it text there
    but hand every other reader a formula, the very thing ``spreadsheet_safe`` keeps out. So the
    CSV stays data, and the spreadsheet download (``render_xlsx``) holds references as text."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=PLAN_COLUMNS)
    writer.writeheader()
    for action in actions:
        row = csv_row(plan_action_row(action))
        writer.writerow({key: spreadsheet_safe(value) for key, value in row.items()})
    # The byte-order mark makes Excel read the file as UTF-8 (ŵ, ŷ, curly quotes).
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_cells(action) -> list:
    row = csv_row(plan_action_row(action))
    row["status"] = action.get_status_display()
    return [row[column] for column in PLAN_COLUMNS]


def render_xlsx(plan, lead, actions) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Delivery plan {plan.period}"[:31]
    sheet.append([XLSX_HEADINGS[column][0] for column in PLAN_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for action in actions:
        sheet.append(xlsx_cells(action))
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                # Text is text: a value starting with "=" must never become a formula, and a
                # reference "1.10" must never become the number 1.1, even once edited ("@").
                cell.data_type = "s"
                cell.number_format = TEXT_FORMAT
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, column in enumerate(PLAN_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = XLSX_HEADINGS[column][1]
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render_json(plan, lead, actions) -> bytes:
    document = {
        "plan": {"title": plan.title_en, "title_cy": plan.title_cy, "period": plan.period},
        "introduction": plan_sections(plan),
        "lead": {"name": lead.name, "slug": lead.slug} if lead else None,
        "actions": [plan_action_row(action) for action in actions],
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


# Documents -------------------------------------------------------------------------------


def render_docx(plan, lead, actions) -> bytes:
    # Imported here: docxtpl pulls in lxml and jinja2, which most requests never need.
    from docxtpl import DocxTemplate

    from wrc.lib.word_documents import finish_document

    template = DocxTemplate(DOCX_TEMPLATE)
    context = document_context(plan, lead, actions)
    template.render(context, autoescape=True)
    finish_document(
        template.docx,
        title=f"{context['title']} – {context['subtitle']}",
        author=plan.forum.name,
        language="en",
        subject=context["subtitle"],
    )
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()


def render_html(plan, lead, actions) -> str:
    return render_to_string(
        "hatecrime/reports/delivery_plan_pdf.html", document_context(plan, lead, actions)
    )


def render_pdf(plan, lead, actions) -> bytes:
    return html_to_pdf(render_html(plan, lead, actions))


RENDERERS = {
    "csv": render_csv,
    "xlsx": render_xlsx,
    "json": render_json,
    "docx": render_docx,
    "pdf": render_pdf,
}


def report_filename(plan: DeliveryPlan, lead: Organisation | None, extension: str) -> str:
    led_by = f"-{lead.slug}" if lead else ""
    return f"delivery-plan-{plan.period}{led_by}.{extension}"


def export_plan(plan: DeliveryPlan, *, fmt: str, lead: Organisation | None = None) -> Report:
    """The plan (or the part ``lead`` leads) as a file: its name, content type and bytes."""
    if fmt not in FORMATS:
        raise UnknownFormat(fmt)
    actions = list(plan_actions(plan, lead))
    content = RENDERERS[fmt](plan, lead, actions)
    spec = FORMATS[fmt]
    return Report(report_filename(plan, lead, spec.extension), spec.content_type, content)
