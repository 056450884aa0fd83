"""A delivery plan as rows of plain data, for the exports (command line and web)."""

from hatecrime.models import DeliveryPlan, PlanAction

PLAN_COLUMNS = [
    "reference",
    "objective_number",
    "objective",
    "area_number",
    "area",
    "text",
    "leads_as_written",
    "leads",
    "status",
    "progress_note",
]


def plan_actions_queryset(plan: DeliveryPlan):
    # One query for the actions with their area and objective, one for all their leads.
    return (
        PlanAction.objects.filter(plan=plan)
        .select_related("area__objective")
        .prefetch_related("lead_links__organisation")
        .order_by("sort_major", "sort_minor")
    )


def plan_action_row(action: PlanAction) -> dict:
    """One plan action; ``leads`` is the list of lead organisations' names, in the plan's order."""
    area = action.area
    return {
        "reference": action.reference,
        "objective_number": area.objective.number,
        "objective": area.objective.title_en,
        "area_number": area.number,
        "area": area.title_en,
        "text": action.text,
        "leads_as_written": action.leads_text,
        "leads": [link.organisation.name for link in action.lead_links.all()],
        "status": action.status,
        "progress_note": action.progress_note,
    }


def plan_rows(plan: DeliveryPlan) -> list[dict]:
    return [plan_action_row(action) for action in plan_actions_queryset(plan)]


def plan_action_details(action: PlanAction) -> dict:
    """What the plan records beyond the table's columns (JSON only: the CSV and spreadsheet
    keep ``PLAN_COLUMNS``): labels as the plan writes them, timescale, measure, other columns."""
    return {
        "objective_label": action.area.objective.label,
        "area_label": action.area.label,
        "timescale": action.timescale,
        "measure": action.measure,
        "extra": action.extra,
    }


def plan_sections(plan: DeliveryPlan) -> list[dict]:
    """The introduction's sections in the plan's order; text as stored (paragraphs parted by a
    blank line, list items as "- " lines)."""
    return [
        {
            "heading": section.heading_en,
            "heading_cy": section.heading_cy,
            "text": section.text_en,
            "text_cy": section.text_cy,
        }
        for section in plan.sections.all()
    ]


def plan_data(plan: DeliveryPlan) -> dict:
    """The plan and all its actions, ready for JSON."""
    return {
        "plan": {
            "forum": plan.forum.name,
            "title": plan.title_en,
            "title_cy": plan.title_cy,
            "period": plan.period,
        },
        "introduction": plan_sections(plan),
        "actions": [
            {**plan_action_row(action), **plan_action_details(action)}
            for action in plan_actions_queryset(plan)
        ],
    }


def csv_row(row: dict) -> dict:
    """A row for a CSV file, in ``PLAN_COLUMNS``: the leads joined with "; " (names may contain
    commas)."""
    return {**{column: row[column] for column in PLAN_COLUMNS}, "leads": "; ".join(row["leads"])}
