"""Importing a delivery plan from its plain-text export.

The export is a tab-separated table under a free-text introduction: "Objective N – title" and
"Delivery Area N – title" rows, then one row per action ("4.12<TAB>text<TAB>leads"). A row split
by a page break continues on a row with an empty first cell; cells may hold HTML fragments.
"""

import re
from dataclasses import dataclass, field

from directory.models import Forum
from directory.services import organisations_from_text
from hatecrime.models import DeliveryArea, DeliveryPlan, Objective, PlanAction, PlanActionLead
from wrc.lib.importing import (
    ImportFormatError,
    ImportReport,
    Piece,
    html_to_pieces,
    join_fragments,
    refuse_other_forum,
    render_pieces,
    run_import,
    squash,
    sync_object,
)

OBJECTIVE = re.compile(r"^Objective\s+(?P<number>\d+)\s*[–—-]\s*(?P<title>.+)$")
AREA = re.compile(r"^Delivery Area\s+(?P<number>\d+)\s*[–—-]\s*(?P<title>.+)$")
REFERENCE = re.compile(r"^(?P<major>\d+)\.(?P<minor>\d+)$")
PERIOD = re.compile(r"\bDelivery Plan\s+(?P<period>\d{4}-\d{2})\b")
INTRODUCTION_HEADING = "Delivery Plan Approach"


@dataclass
class ParsedAction:
    reference: str
    line: int
    fragments: list = field(default_factory=list)
    lead_parts: list = field(default_factory=list)

    @property
    def text(self) -> str:
        pieces: list[Piece] = []
        for fragment in self.fragments:
            more = html_to_pieces(fragment)
            # A page break splits a paragraph (or bullet) in two: the halves are one.
            if pieces and more and pieces[-1].kind == more[0].kind:
                pieces[-1] = Piece(pieces[-1].kind, join_fragments(pieces[-1].text, more[0].text))
                more = more[1:]
            pieces.extend(more)
        return render_pieces(pieces)

    @property
    def leads_text(self) -> str:
        joined = ""
        for part in self.lead_parts:
            joined = join_fragments(joined, part)
        return squash(joined)


@dataclass
class ParsedArea:
    number: int
    title: str
    actions: list = field(default_factory=list)


@dataclass
class ParsedObjective:
    number: int
    title: str
    areas: list = field(default_factory=list)


@dataclass
class ParsedPlan:
    title: str = ""
    period: str = ""
    introduction: str = ""
    objectives: list = field(default_factory=list)

    def actions(self):
        return [a for o in self.objectives for area in o.areas for a in area.actions]


def _is_heading(line: str) -> bool:
    return len(line) < 60 and not line.startswith("-") and not re.search(r"[.:;,]$", line)


def _introduction(lines: list[str]) -> str:
    """The text under "Delivery Plan Approach" up to the next heading."""
    pieces, inside = [], False
    for line in (raw.strip() for raw in lines):
        if line == INTRODUCTION_HEADING:
            inside = True
        elif inside and line and _is_heading(line):
            break
        elif inside and line.startswith("- "):
            pieces.append(Piece("li", squash(line[2:])))
        elif inside and line:
            pieces.append(Piece("p", squash(line)))
    return render_pieces(pieces)


def _parse_header(lines: list[str], plan: ParsedPlan) -> None:
    plan.title = next((line.strip() for line in lines if line.strip()), "")
    period = next((m for line in lines if (m := PERIOD.search(line))), None)
    if period is None:
        raise ImportFormatError(None, 'no "Delivery Plan YYYY-YY" line before the first objective')
    plan.period = period["period"]
    plan.introduction = _introduction(lines)


class _PlanParser:
    def __init__(self):
        self.plan = ParsedPlan()
        self.objective = self.area = self.action = None
        self.references = set()

    def row(self, number: int, cells: list[str]) -> None:
        first = cells[0].strip()
        rest = [c for c in cells[1:] if c.strip()]
        if match := OBJECTIVE.match(first):
            self.objective = ParsedObjective(int(match["number"]), squash(match["title"]))
            self.plan.objectives.append(self.objective)
            self.area = self.action = None
        elif match := AREA.match(first):
            if self.objective is None:
                raise ImportFormatError(number, f'delivery area "{first}" before any objective')
            self.area = ParsedArea(int(match["number"]), squash(match["title"]))
            self.objective.areas.append(self.area)
            self.action = None
        elif match := REFERENCE.match(first):
            self.new_action(number, match, cells)
        elif not first and rest:
            if self.action is None:
                raise ImportFormatError(number, "a continuation row with no action before it")
            self.action.fragments.append(cells[1] if len(cells) > 1 else "")
            self.action.lead_parts.append(cells[2] if len(cells) > 2 else "")
        else:
            raise ImportFormatError(
                number,
                f'unrecognised row "{squash(" ".join(cells))[:60]}" (expected an '
                'objective, a delivery area or an action such as "4.12<TAB>text<TAB>leads")',
            )

    def new_action(self, number: int, match, cells: list[str]) -> None:
        reference = cells[0].strip()
        if self.area is None:
            raise ImportFormatError(number, f"action {reference} before any delivery area")
        if int(match["major"]) != self.area.number:
            raise ImportFormatError(
                number, f"action {reference} is listed under delivery area {self.area.number}"
            )
        if reference in self.references:
            raise ImportFormatError(number, f"action {reference} appears twice")
        if len(cells) < 2 or not cells[1].strip():
            raise ImportFormatError(number, f"action {reference} has no text")
        self.references.add(reference)
        self.action = ParsedAction(
            reference, number, [cells[1]], [cells[2] if len(cells) > 2 else ""]
        )
        self.area.actions.append(self.action)


def _starts_table(line: str) -> bool:
    first = line.split("\t")[0].strip()
    return bool(OBJECTIVE.match(first) or AREA.match(first) or REFERENCE.match(first))


def parse_delivery_plan(text: str) -> ParsedPlan:
    """The plan's structure; raises ``ImportFormatError`` naming the line of the first problem."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if _starts_table(line)), None)
    if start is None:
        raise ImportFormatError(None, 'no "Objective 1 – …" row: this is not a delivery plan')
    parser = _PlanParser()
    _parse_header(lines[:start], parser.plan)
    for index in range(start, len(lines)):
        if lines[index].strip():
            parser.row(index + 1, lines[index].split("\t"))
    if not parser.plan.actions():
        raise ImportFormatError(None, "the plan has no numbered actions")
    return parser.plan


def _sync_leads(action: PlanAction, organisations: list, report: ImportReport) -> None:
    wanted = [organisation.pk for organisation in organisations]
    current = list(action.lead_links.order_by("order").values_list("organisation_id", flat=True))
    if current == wanted:
        return
    action.lead_links.all().delete()
    PlanActionLead.objects.bulk_create(
        PlanActionLead(action=action, organisation_id=pk, order=i) for i, pk in enumerate(wanted)
    )
    counter = report.updated if current else report.created
    counter["plan action leads"] += len(wanted) if not current else 1


def save_delivery_plan(parsed: ParsedPlan, *, source_name: str, report: ImportReport, forum=None):
    forum = forum or Forum.default()
    lookup = {"period": parsed.period}
    refuse_other_forum(
        DeliveryPlan, lookup=lookup, forum=forum, what=f"The delivery plan {parsed.period}"
    )
    plan = sync_object(
        DeliveryPlan,
        lookup=lookup,
        values={
            "forum": forum,
            "title_en": parsed.title,
            "introduction_en": parsed.introduction,
            "source_document": source_name,
        },
        report=report,
    )
    for objective in parsed.objectives:
        saved_objective = sync_object(
            Objective,
            lookup={"plan": plan, "number": objective.number},
            values={"title_en": objective.title},
            report=report,
        )
        for area in objective.areas:
            saved_area = sync_object(
                DeliveryArea,
                lookup={"objective": saved_objective, "number": area.number},
                values={"title_en": area.title},
                report=report,
            )
            for action in area.actions:
                saved = sync_object(
                    PlanAction,
                    lookup={"plan": plan, "reference": action.reference},
                    values={
                        "area": saved_area,
                        "text": action.text,
                        "leads_text": action.leads_text,
                    },
                    report=report,
                )
                leads = organisations_from_text(text=action.leads_text, report=report)
                _sync_leads(saved, leads, report)
    return plan


def import_delivery_plan(
    *, text: str, source_name: str = "", dry_run: bool = False, forum=None
) -> ImportReport:
    """Parse, then save in one transaction (rolled back on a dry run). The plan belongs to
    ``forum``, the forum that monitors it (the first forum by default)."""
    parsed = parse_delivery_plan(text)
    label = f"Delivery plan {parsed.period} ({len(parsed.actions())} actions)"

    def write():
        report = ImportReport(label)
        save_delivery_plan(parsed, source_name=source_name, report=report, forum=forum)
        return report

    return run_import(write, dry_run=dry_run)
