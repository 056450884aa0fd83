"""The annual update report on progress: the plan in its own layout (objective → delivery area
→ action, with its leads), each action with the status and narrative of its latest return.

Every format comes from one language-aware structure (``report_parts``) so that the Word, PDF,
CSV and JSON exports agree. A return still in draft belongs to its authors and is never
reported; the latest reported return is the one of the latest period that has left draft.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.template.loader import render_to_string

from hatecrime.models import DeliveryArea, DeliveryPlan, Objective, PlanAction, PlanActionLead
from progress.models import ProgressReturn
from progress.services import SHARED_STATES, level_number
from wrc.lib.exporting import PdfUnavailable, html_to_pdf, spreadsheet_safe  # noqa: F401 (PdfUnavailable: callers catch it here)

LANGUAGES = ("en", "cy", "both")
FORMATS = ("docx", "pdf", "csv", "json")

# The report's own wording, in the language of the report rather than of whoever runs the
# export: these are document headings (as in exports.meeting_notes), not interface strings.
LABELS = {
    "en": {
        "report": "Annual update report on progress",
        "objective": "Objective",
        "area": "Delivery Area",
        "action": "Action",
        "leads": "Lead organisations",
        "status": "Status",
        "progress": "Progress",
        "period": "Reporting period",
        "no_return": "No progress reported",
        "not_accepted": "Not yet accepted",
    },
    "cy": {
        "report": "Adroddiad blynyddol ar y cynnydd",
        "objective": "Amcan",
        "area": "Maes Cyflawni",
        "action": "Cam gweithredu",
        "leads": "Sefydliadau arweiniol",
        "status": "Statws",
        "progress": "Cynnydd",
        "period": "Cyfnod adrodd",
        "no_return": "Dim cynnydd wedi'i adrodd",
        "not_accepted": "Heb ei dderbyn eto",
    },
}
STATUS_WORDS = {
    "en": {
        "on_track": "On track",
        "some_risk": "Some risk",
        "off_track": "Off track",
        "complete": "Complete",
        "discontinued": "Discontinued",
    },
    "cy": {
        "on_track": "Ar y trywydd iawn",
        "some_risk": "Rhywfaint o risg",
        "off_track": "Oddi ar y trywydd",
        "complete": "Wedi'i gwblhau",
        "discontinued": "Wedi dod i ben",
    },
}


class PlanNotFound(LookupError):
    pass


class PlanAmbiguous(LookupError):
    def __init__(self, plans):
        self.plans = list(plans)
        super().__init__(", ".join(plan.slug for plan in self.plans))


def find_plan(value: str) -> DeliveryPlan:
    """The plan whose period or slug is ``value``. Several plans of one period cannot be told
    apart by it: refuse and name them (by their slugs)."""
    by_period = list(DeliveryPlan.objects.filter(period=value).order_by("slug"))
    if len(by_period) > 1:
        raise PlanAmbiguous(by_period)
    plan = DeliveryPlan.objects.filter(slug=value).first()
    if plan is not None:
        return plan
    if by_period:
        return by_period[0]
    raise PlanNotFound(value)


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"Unknown language {language!r}: use one of {', '.join(LANGUAGES)}.")
    return language


def in_language(english: str, welsh: str, language: str) -> str:
    return welsh if language == "cy" and welsh else english


# What is reported ------------------------------------------------------------------------


def plan_for_report(plan: DeliveryPlan) -> DeliveryPlan:
    """The plan with every level and every reported return, in a fixed number of queries."""
    returns = (
        ProgressReturn.objects.filter(state__in=SHARED_STATES)
        .select_related("period", "submitted_by__person", "reviewed_by__person")
        .order_by("period__ends_on", "period__starts_on", "pk")
    )
    links = PlanActionLead.objects.select_related("organisation").order_by("order")
    actions = PlanAction.objects.prefetch_related(
        Prefetch("lead_links", queryset=links), Prefetch("progress_returns", queryset=returns)
    )
    areas = DeliveryArea.objects.order_by("number").prefetch_related(
        Prefetch("actions", queryset=actions)
    )
    objectives = Objective.objects.order_by("number").prefetch_related(
        Prefetch("areas", queryset=areas)
    )
    return DeliveryPlan.objects.prefetch_related(Prefetch("objectives", queryset=objectives)).get(
        pk=plan.pk
    )


def lead_names(action: PlanAction) -> list[str]:
    names = [link.organisation.name for link in action.lead_links.all()]
    return names or ([action.leads_text] if action.leads_text else [])


@dataclass
class ActionPart:
    reference: str
    text: str
    leads: list[str]
    latest: ProgressReturn | None
    status_words: str = ""
    narrative: str = ""
    narrative_language: str = ""
    note: str = ""


@dataclass
class AreaPart:
    heading: str
    actions: list[ActionPart] = field(default_factory=list)


@dataclass
class ObjectivePart:
    heading: str
    areas: list[AreaPart] = field(default_factory=list)


@dataclass
class ReportPart:
    """The report in one language, already worded."""

    language: str
    labels: dict
    title: str
    objectives: list[ObjectivePart] = field(default_factory=list)


def numbered(label: str, number_label: str, title: str) -> str:
    return f"{label} {number_label} – {title}" if title else f"{label} {number_label}"


def action_part(action: PlanAction, language: str) -> ActionPart:
    returns = list(action.progress_returns.all())
    latest = returns[-1] if returns else None
    part = ActionPart(
        reference=action.reference,
        text=in_language(action.text, action.text_cy, language),
        leads=lead_names(action),
        latest=latest,
    )
    if latest is not None:
        part.status_words = STATUS_WORDS[language][latest.status]
        part.narrative = latest.narrative_in(language)
        part.narrative_language = latest.narrative_language(language)
        accepted = latest.state == ProgressReturn.State.ACCEPTED
        part.note = "" if accepted else LABELS[language]["not_accepted"]
    return part


def report_part(plan: DeliveryPlan, language: str) -> ReportPart:
    labels = LABELS[language]
    title = in_language(plan.title_en, plan.title_cy, language)
    part = ReportPart(language, labels, f"{title} {plan.period}")
    for objective in plan.objectives.all():
        objective_part = ObjectivePart(
            numbered(
                labels["objective"],
                level_number(objective.label, objective.number),
                in_language(objective.title_en, objective.title_cy, language),
            )
        )
        for area in objective.areas.all():
            area_part = AreaPart(
                numbered(
                    labels["area"],
                    level_number(area.label, area.number),
                    in_language(area.title_en, area.title_cy, language),
                )
            )
            area_part.actions = [action_part(action, language) for action in area.actions.all()]
            objective_part.areas.append(area_part)
        part.objectives.append(objective_part)
    return part


def report_parts(plan: DeliveryPlan, language: str) -> list[ReportPart]:
    languages = ["en", "cy"] if check_language(language) == "both" else [language]
    loaded = plan_for_report(plan)
    return [report_part(loaded, lang) for lang in languages]


# JSON and CSV ----------------------------------------------------------------------------


def all_actions(plan: DeliveryPlan):
    for objective in plan.objectives.all():
        for area in objective.areas.all():
            for action in area.actions.all():
                yield objective, area, action


def return_json(progress_return: ProgressReturn | None, language: str) -> dict | None:
    if progress_return is None:
        return None
    status_language = "en" if language == "both" else language
    return {
        "period": progress_return.period.label,
        "status": progress_return.status,
        "status_words": STATUS_WORDS[status_language][progress_return.status],
        "state": progress_return.state,
        "narrative": progress_return.narrative_in(status_language),
        "narrative_en": progress_return.narrative_en,
        "narrative_cy": progress_return.narrative_cy,
        "evidence_links": progress_return.evidence_urls,
        "submitted_at": _iso(progress_return.submitted_at),
        "reviewed_at": _iso(progress_return.reviewed_at),
    }


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def render_json(plan: DeliveryPlan, language: str) -> str:
    check_language(language)
    loaded = plan_for_report(plan)
    actions = []
    for objective, area, action in all_actions(loaded):
        returns = list(action.progress_returns.all())
        latest = returns[-1] if returns else None
        actions.append(
            {
                "reference": action.reference,
                "text": action.text,
                "text_cy": action.text_cy,
                "objective": {
                    "number": objective.number,
                    "label": objective.label,
                    "title": objective.title_en,
                    "title_cy": objective.title_cy,
                },
                "area": {
                    "number": area.number,
                    "label": area.label,
                    "title": area.title_en,
                    "title_cy": area.title_cy,
                },
                "leads": lead_names(action),
                "latest_return": return_json(latest, language),
                "status": latest.status if latest else None,
                "narrative": return_json(latest, language)["narrative"] if latest else None,
            }
        )
    document = {
        "plan": {
            "title": plan.title_en,
            "title_cy": plan.title_cy,
            "period": plan.period,
            "slug": plan.slug,
        },
        "language": language,
        "actions": actions,
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


CSV_COLUMNS = [
    "plan",
    "objective",
    "delivery_area",
    "reference",
    "action",
    "leads",
    "period",
    "status",
    "status_words",
    "state",
    "narrative_en",
    "narrative_cy",
    "evidence_links",
    "submitted_by",
    "submitted_at",
    "reviewed_by",
    "reviewed_at",
    "review_note",
]


def _name(user) -> str:
    if user is None:
        return ""
    person = getattr(user, "person", None)
    return person.full_name if person is not None else user.get_username()


def render_csv(plan: DeliveryPlan, language: str) -> str:
    """One row per reported return, in the plan's order and then by period. Values are written
    as they are (a reference stays "1.10"; why: ``hatecrime.reports.render_csv``), with the same
    guard against formulas as every CSV the product writes: narratives come from outside."""
    words = STATUS_WORDS["cy" if check_language(language) == "cy" else "en"]
    loaded = plan_for_report(plan)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for objective, area, action in all_actions(loaded):
        for r in action.progress_returns.all():
            cells = [
                plan.period,
                objective.label or objective.number,
                area.label or area.number,
                action.reference,
                in_language(action.text, action.text_cy, language),
                "; ".join(lead_names(action)),
                r.period.label,
                r.status,
                words[r.status],
                r.state,
                r.narrative_en,
                r.narrative_cy,
                " ".join(r.evidence_urls),
                _name(r.submitted_by),
                _iso(r.submitted_at) or "",
                _name(r.reviewed_by),
                _iso(r.reviewed_at) or "",
                r.review_note,
            ]
            writer.writerow([spreadsheet_safe(cell) for cell in cells])
    return out.getvalue()


# Word ------------------------------------------------------------------------------------


def render_docx(plan: DeliveryPlan, language: str) -> bytes:
    # Imported here: python-docx pulls in lxml, which most requests never need.
    from docx import Document
    from docx.enum.text import WD_BREAK

    from wrc.lib.word_documents import finish_document

    parts = report_parts(plan, language)
    document = Document()
    for position, part in enumerate(parts):
        if position:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        labels = part.labels
        document.add_heading(part.title, level=0)
        document.add_paragraph(labels["report"])
        for objective in part.objectives:
            document.add_heading(objective.heading, level=1)
            for area in objective.areas:
                document.add_heading(area.heading, level=2)
                for action in area.actions:
                    heading = document.add_paragraph()
                    heading.add_run(f"{labels['action']} {action.reference}").bold = True
                    document.add_paragraph(action.text)
                    leads = document.add_paragraph()
                    leads.add_run(f"{labels['leads']}: ").bold = True
                    leads.add_run(", ".join(action.leads) or "—")
                    status = document.add_paragraph()
                    status.add_run(f"{labels['status']}: ").bold = True
                    if action.latest is None:
                        status.add_run(labels["no_return"])
                        continue
                    status.add_run(action.status_words)
                    status.add_run(f" ({labels['period']}: {action.latest.period.label})")
                    if action.note:
                        status.add_run(f" – {action.note}")
                    if action.narrative:
                        progress = document.add_paragraph()
                        progress.add_run(f"{labels['progress']}: ").bold = True
                        progress.add_run(action.narrative)
    first = parts[0]
    finish_document(
        document,
        title=f"{first.title} – {first.labels['report']}",
        author=plan.forum.name_in(first.language),
        language=language,
        subject=first.labels["report"],
        part_languages=[part.language for part in parts],
    )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# PDF -------------------------------------------------------------------------------------


def render_html(plan: DeliveryPlan, language: str) -> str:
    parts = report_parts(plan, language)
    lang = parts[0].language
    context = {"parts": parts, "lang": lang, "author": plan.forum.name_in(lang)}
    return render_to_string("progress/report_pdf.html", context)


def render_pdf(plan: DeliveryPlan, language: str) -> bytes:
    return html_to_pdf(render_html(plan, language))


RENDERERS = {
    "csv": lambda plan, language: render_csv(plan, language).encode("utf-8"),
    "json": lambda plan, language: render_json(plan, language).encode("utf-8"),
    "docx": render_docx,
    "pdf": render_pdf,
}


def export_progress_report(plan: DeliveryPlan, *, fmt: str, language: str) -> bytes:
    check_language(language)
    if fmt not in RENDERERS:
        raise ValueError(f"Unknown format {fmt!r}: use one of {', '.join(FORMATS)}.")
    return RENDERERS[fmt](plan, language)
