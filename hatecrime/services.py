"""Workflows on the delivery plan that span several records."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from hatecrime.models import (
    DeliveryArea,
    DeliveryPlan,
    Objective,
    PlanAction,
    PlanActionLead,
    PlanSection,
)

COPIED_REASON = "Copied from the %s plan"


def plan_copy_year(
    *, source: DeliveryPlan, period: str, title_en: str = "", title_cy: str = "", copied_by=None
) -> DeliveryPlan:
    """A new plan year made from ``source``: its objectives, delivery areas and actions with their
    lead organisations. Each copied action's ``origin`` is the action it was copied from, and
    keeps the status it had; the progress note starts empty for the new year.

    Raises ValidationError (and creates nothing) if a plan for ``period`` already exists.
    """
    if DeliveryPlan.objects.filter(period=period).exists():
        raise period_taken(period)
    try:
        with transaction.atomic():
            plan = DeliveryPlan.objects.create(
                forum=source.forum,
                title_en=title_en or source.title_en,
                title_cy=title_cy or source.title_cy,
                period=period,
                copied_from=source,
            )
            copy_contents(source=source, plan=plan, copied_by=copied_by)
    except IntegrityError as error:
        # Another official created the same period in the meantime.
        if DeliveryPlan.objects.filter(period=period).exists():
            raise period_taken(period) from error
        raise
    return plan


def period_taken(period):
    return ValidationError(
        _("A delivery plan for %(period)s already exists. Choose another period."),
        params={"period": period},
        code="exists",
    )


def copy_contents(*, source, plan, copied_by=None):
    """The introduction's sections, then objectives → areas → actions → leads, one bulk insert
    per level (the plan has ~100 actions; saving them one by one would be hundreds of queries)."""
    history = {"default_user": copied_by, "default_change_reason": COPIED_REASON % source.period}
    bulk_create_with_history(
        [
            PlanSection(
                plan=plan,
                position=s.position,
                heading_en=s.heading_en,
                heading_cy=s.heading_cy,
                text_en=s.text_en,
                text_cy=s.text_cy,
            )
            for s in PlanSection.objects.filter(plan=source)
        ],
        PlanSection,
        **history,
    )
    objectives = list(Objective.objects.filter(plan=source).order_by("number"))
    new_objectives = bulk_create_with_history(
        [
            Objective(plan=plan, number=o.number, title_en=o.title_en, title_cy=o.title_cy)
            for o in objectives
        ],
        Objective,
        **history,
    )
    objective_map = {old.pk: new for old, new in zip(objectives, new_objectives, strict=True)}

    areas = list(DeliveryArea.objects.filter(objective__plan=source).order_by("number"))
    new_areas = bulk_create_with_history(
        [
            DeliveryArea(
                objective=objective_map[a.objective_id],
                number=a.number,
                title_en=a.title_en,
                title_cy=a.title_cy,
            )
            for a in areas
        ],
        DeliveryArea,
        **history,
    )
    area_map = {old.pk: new for old, new in zip(areas, new_areas, strict=True)}

    actions = list(PlanAction.objects.filter(plan=source))
    new_actions = bulk_create_with_history(
        [copied_action(action, plan=plan, area=area_map[action.area_id]) for action in actions],
        PlanAction,
        **history,
    )
    action_map = {old.pk: new for old, new in zip(actions, new_actions, strict=True)}

    PlanActionLead.objects.bulk_create(
        PlanActionLead(
            action=action_map[link.action_id],
            organisation_id=link.organisation_id,
            order=link.order,
        )
        for link in PlanActionLead.objects.filter(action__plan=source)
    )


def copied_action(action, *, plan, area):
    # bulk_create skips PlanAction.save(), so the sort keys are copied, not recomputed.
    return PlanAction(
        plan=plan,
        area=area,
        reference=action.reference,
        sort_major=action.sort_major,
        sort_minor=action.sort_minor,
        text=action.text,
        text_cy=action.text_cy,
        leads_text=action.leads_text,
        status=action.status,
        origin=action,
    )
