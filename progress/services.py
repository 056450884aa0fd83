"""Who may write and review progress returns, and what each step does.

A return is written by the contacts of the action's lead organisations: a signed-in person
with a role whose organisation leads the action (PlanActionLead). They see and write the
returns of the actions they lead wherever the plan sits, as members see the actions they own.
The secretariat and officials of the plan's forum review them: accept, or ask for changes
with a note. Anyone who may read the plan reads the returns that have left draft.
"""

import re
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from hatecrime.models import DeliveryArea, DeliveryPlan, Objective, PlanAction, PlanActionLead
from progress.models import ProgressReturn, ReportingPeriod
from wrc import access

State = ProgressReturn.State
Status = ProgressReturn.Status
# The lead organisation may change a return until it is sent for review, and again when the
# secretariat asks for changes.
EDITABLE_STATES = (State.DRAFT, State.CHANGES_REQUESTED)
# Returns anyone who reads the plan sees; drafts stay with their authors and the secretariat.
SHARED_STATES = (State.SUBMITTED, State.CHANGES_REQUESTED, State.ACCEPTED)


# Who -------------------------------------------------------------------------------------


def lead_organisation_id(user):
    """The organisation whose actions ``user`` reports on, or None. Outsiders (no role) have
    none, whatever their person's organisation."""
    if not access.has_any_role(user):
        return None
    person = access.person_of(user)
    return person.organisation_id if person is not None else None


def led_actions(user):
    """Actions led by the organisation of ``user``."""
    organisation_id = lead_organisation_id(user)
    if organisation_id is None:
        return PlanAction.objects.none()
    led = PlanActionLead.objects.filter(organisation_id=organisation_id).values("action_id")
    return PlanAction.objects.filter(pk__in=led)


def leads_action(user, action) -> bool:
    organisation_id = lead_organisation_id(user)
    if organisation_id is None:
        return False
    return action.lead_links.filter(organisation_id=organisation_id).exists()


def can_review(user, plan) -> bool:
    return access.can_manage_forum(user, plan.forum_id)


def visible_actions(user):
    """Actions whose progress ``user`` may see: those of the plans they read, and those their
    organisation leads."""
    plans = DeliveryPlan.objects.visible_to(user).values("pk")
    organisation_id = lead_organisation_id(user)
    seen = Q(plan__in=plans)
    if organisation_id is not None:
        seen |= Q(lead_links__organisation_id=organisation_id)
    return PlanAction.objects.filter(pk__in=PlanAction.objects.filter(seen).values("pk"))


def get_visible_action(user, plan_slug, reference):
    """The action, or 404 if ``user`` may not see it."""
    action = (
        visible_actions(user)
        .select_related("plan__forum", "area__objective")
        .filter(plan__slug=plan_slug, reference=reference)
        .first()
    )
    if action is None:
        raise Http404
    return action


def returns_shown_to(user, action):
    """The returns of ``action`` that ``user`` may read, oldest period first."""
    returns = action.progress_returns.select_related(
        "period", "submitted_by__person", "reviewed_by__person"
    ).order_by("period__starts_on", "period__ends_on")
    if can_review(user, action.plan) or leads_action(user, action):
        return returns
    return returns.filter(state__in=SHARED_STATES)


# When ------------------------------------------------------------------------------------


def open_periods(plan_ids=None, today=None):
    today = today or timezone.localdate()
    periods = ReportingPeriod.objects.filter(starts_on__lte=today, due_on__gte=today)
    if plan_ids is not None:
        periods = periods.filter(plan_id__in=plan_ids)
    return periods


def writable_periods(action, today=None):
    """Periods ``action``'s return may be written in: the open ones, and any whose return
    the secretariat sent back for changes."""
    sent_back = ProgressReturn.objects.filter(action=action, state=State.CHANGES_REQUESTED).values(
        "period_id"
    )
    today = today or timezone.localdate()
    return ReportingPeriod.objects.filter(plan_id=action.plan_id).filter(
        Q(starts_on__lte=today, due_on__gte=today) | Q(pk__in=sent_back)
    )


@dataclass
class DueReturn:
    """One action a lead organisation reports on, in one period, and how far its return got."""

    action: PlanAction
    period: ReportingPeriod
    progress_return: ProgressReturn | None

    @property
    def state_label(self) -> str:
        if self.progress_return is None:
            return _("Not started")
        return self.progress_return.get_state_display()

    @property
    def to_do(self) -> bool:
        return self.progress_return is None or self.progress_return.state in EDITABLE_STATES

    @property
    def overdue(self) -> bool:
        return self.to_do and self.period.due_on < timezone.localdate()


def returns_due(user, today=None) -> list[DueReturn]:
    """The lead organisation's actions × their plans' open periods (and returns sent back)."""
    actions = list(
        led_actions(user).select_related("plan").order_by("plan", "sort_major", "sort_minor")
    )
    if not actions:
        return []
    plan_ids = {action.plan_id for action in actions}
    action_ids = [action.pk for action in actions]
    sent_back = ProgressReturn.objects.filter(
        action_id__in=action_ids, state=State.CHANGES_REQUESTED
    ).values("period_id")
    today = today or timezone.localdate()
    periods = list(
        ReportingPeriod.objects.filter(plan_id__in=plan_ids).filter(
            Q(starts_on__lte=today, due_on__gte=today) | Q(pk__in=sent_back)
        )
    )
    returns = {
        (r.action_id, r.period_id): r
        for r in ProgressReturn.objects.filter(
            action_id__in=action_ids, period__in=[p.pk for p in periods]
        )
    }
    due = []
    for period in periods:
        for action in actions:
            if action.plan_id != period.plan_id:
                continue
            found = returns.get((action.pk, period.pk))
            sent_back_here = found is not None and found.state == State.CHANGES_REQUESTED
            if not period.is_open_on(today) and not sent_back_here:
                continue
            due.append(DueReturn(action, period, found))
    return due


def returns_to_review(user):
    """Submitted returns in the forums ``user`` keeps."""
    if not access.is_staff_role(user):
        return ProgressReturn.objects.none()
    return (
        ProgressReturn.objects.filter(state=State.SUBMITTED)
        .filter(access.managed_forums_q(user, "action__plan__forum"))
        .select_related("action__plan", "period", "submitted_by__person")
        .order_by("submitted_at")
    )


# What ------------------------------------------------------------------------------------


def _locked_return(action, period):
    return ProgressReturn.objects.select_for_update().filter(action=action, period=period).first()


def save_return(*, user, action, period, data: dict, submit: bool) -> ProgressReturn:
    """Saves the lead organisation's return (``data``: status, narratives, evidence links) as a
    draft, or sends it for review when ``submit``."""
    if not leads_action(user, action):
        raise PermissionDenied
    if period.plan_id != action.plan_id:
        raise ValidationError(_("The reporting period belongs to another plan."))
    if not writable_periods(action).filter(pk=period.pk).exists():
        raise ValidationError(_("Returns for %(period)s are closed.") % {"period": period.label})
    with transaction.atomic():
        progress_return = _locked_return(action, period) or ProgressReturn(
            action=action, period=period
        )
        if progress_return.pk and progress_return.state not in EDITABLE_STATES:
            raise ValidationError(
                _("This return has been %(state)s and can no longer be changed.")
                % {"state": progress_return.get_state_display().lower()}
            )
        for name in ("status", "narrative_en", "narrative_cy", "evidence_links"):
            setattr(progress_return, name, data.get(name, ""))
        if submit:
            if not (progress_return.narrative_en or progress_return.narrative_cy):
                raise ValidationError(_("Describe the progress in English or Welsh."))
            progress_return.state = State.SUBMITTED
            progress_return.submitted_by = user
            progress_return.submitted_at = timezone.now()
        progress_return.full_clean()
        progress_return._history_user = user
        progress_return.save()
    return progress_return


def review_return(*, user, progress_return, accept: bool, note: str = "") -> ProgressReturn:
    """The secretariat accepts a submitted return, or sends it back with a note."""
    if not can_review(user, progress_return.action.plan):
        raise PermissionDenied
    note = note.strip()
    if not accept and not note:
        raise ValidationError(_("Say what needs to change."))
    with transaction.atomic():
        current = ProgressReturn.objects.select_for_update().get(pk=progress_return.pk)
        if current.state != State.SUBMITTED:
            raise ValidationError(_("Only a submitted return can be reviewed."))
        current.state = State.ACCEPTED if accept else State.CHANGES_REQUESTED
        current.reviewed_by = user
        current.reviewed_at = timezone.now()
        current.review_note = note
        current._history_user = user
        current.save()
    return current


# The plan as a whole ---------------------------------------------------------------------


def latest_return(state_filter: Q):
    """A subquery: the latest (by period) return of the outer action matching ``state_filter``."""
    return ProgressReturn.objects.filter(state_filter, action=OuterRef("pk")).order_by(
        "-period__ends_on", "-period__starts_on", "-pk"
    )


def actions_with_latest_accepted(plan):
    latest = latest_return(Q(state=State.ACCEPTED))
    return PlanAction.objects.filter(plan=plan).annotate(
        latest_status=Subquery(latest.values("status")[:1])
    )


NO_RETURN = "none"


@dataclass
class RollupRow:
    """Counts for one delivery area (or one objective, summed over its areas)."""

    label: str
    title: str
    counts: Counter = field(default_factory=Counter)
    is_objective: bool = False

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def complete_percent(self) -> int:
        return round(100 * self.counts[Status.COMPLETE] / self.total) if self.total else 0

    def cells(self, statuses) -> list[int]:
        return [self.counts[status] for status in statuses]


# The words plans put before a number ("Objective 1", "Delivery Area 4", "Maes Cyflawni 4"):
# the report and the roll-up write their own word in the page's language.
LEVEL_WORDS = re.compile(
    r"^(?:objective|amcan|delivery\s+area|area|maes\s+cyflawni|maes)\s*", re.IGNORECASE
)


def level_number(label: str, number: int) -> str:
    """What follows "Objective" or "Delivery Area": "1" for "Objective 1" or an empty label,
    "A" for "A"; a label of another kind ("Goal 2") is kept whole."""
    return LEVEL_WORDS.sub("", label or "").strip() or str(number)


def in_language(english: str, welsh: str, language: str) -> str:
    return welsh if language == "cy" and welsh else english


def rollup(plan, *, organisation_id=None, status=None, language="en") -> list[RollupRow]:
    """Per objective, then each of its delivery areas: how many actions have each status by
    their latest accepted return (NO_RETURN for none). Four queries whatever the plan's size."""
    actions = actions_with_latest_accepted(plan)
    if organisation_id:
        actions = actions.filter(
            pk__in=PlanAction.objects.filter(lead_links__organisation_id=organisation_id).values(
                "pk"
            )
        )
    if status == NO_RETURN:
        actions = actions.filter(latest_status__isnull=True)
    elif status:
        actions = actions.filter(latest_status=status)
    counts = {}
    for area_id, latest_status in actions.values_list("area_id", "latest_status"):
        counts.setdefault(area_id, Counter())[latest_status or NO_RETURN] += 1
    objectives = list(Objective.objects.filter(plan=plan).order_by("number"))
    areas = DeliveryArea.objects.filter(objective__plan=plan).order_by("number")
    by_objective = {}
    for area in areas:
        by_objective.setdefault(area.objective_id, []).append(area)
    rows = []
    for objective in objectives:
        heading = RollupRow(
            level_number(objective.label, objective.number),
            in_language(objective.title_en, objective.title_cy, language),
            is_objective=True,
        )
        area_rows = []
        for area in by_objective.get(objective.pk, []):
            row = RollupRow(
                level_number(area.label, area.number),
                in_language(area.title_en, area.title_cy, language),
                counts.get(area.pk, Counter()),
            )
            heading.counts.update(row.counts)
            area_rows.append(row)
        rows += [heading, *area_rows]
    return rows
