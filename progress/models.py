"""Progress against a delivery plan: the reporting periods a plan reports on, and each lead
organisation's return for an action in a period (status, narrative, evidence), which the
forum's secretariat accepts or sends back."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from hatecrime.models import DeliveryPlan, PlanAction


class ReportingPeriod(models.Model):
    plan = models.ForeignKey(
        DeliveryPlan, on_delete=models.CASCADE, related_name="reporting_periods"
    )
    label = models.CharField(_("label"), max_length=40, help_text=_("For example 2016-17 Q1"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    due_on = models.DateField(_("returns due on"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "starts_on", "ends_on", "label"]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        constraints = [
            models.UniqueConstraint(fields=["plan", "label"], name="unique_period_label")
        ]

    def __str__(self):
        return self.label

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("A period cannot end before it starts.")})
        if self.starts_on and self.due_on and self.due_on < self.starts_on:
            raise ValidationError({"due_on": _("Returns cannot be due before the period starts.")})

    def is_open_on(self, day) -> bool:
        """Returns may be written from the period's first day until they are due."""
        return self.starts_on <= day <= self.due_on


def validate_evidence_links(value: str) -> None:
    """One web address a line: each must be a full http(s) address."""
    check = URLValidator(schemes=["http", "https"])
    for number, line in enumerate(value.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        try:
            check(line)
        except ValidationError:
            raise ValidationError(
                _(
                    "Line %(number)s is not a web address: enter one address a line, "
                    "starting with https://"
                ),
                params={"number": number},
                code="invalid_link",
            ) from None


class ProgressReturn(models.Model):
    class Status(models.TextChoices):
        # Status is always shown in words: a colour alone says nothing to a screen reader or
        # to someone who cannot tell red from green.
        ON_TRACK = "on_track", _("On track")
        SOME_RISK = "some_risk", _("Some risk")
        OFF_TRACK = "off_track", _("Off track")
        COMPLETE = "complete", _("Complete")
        DISCONTINUED = "discontinued", _("Discontinued")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        ACCEPTED = "accepted", _("Accepted")

    action = models.ForeignKey(
        PlanAction, on_delete=models.CASCADE, related_name="progress_returns"
    )
    # RESTRICT: a period with returns is not deleted on its own, only with its plan.
    period = models.ForeignKey(ReportingPeriod, on_delete=models.RESTRICT, related_name="returns")
    status = models.CharField(_("status"), max_length=20, choices=Status)
    narrative_en = models.TextField(_("progress (English)"), blank=True)
    narrative_cy = models.TextField(_("progress (Welsh)"), blank=True)
    evidence_links = models.TextField(
        _("evidence links"),
        blank=True,
        validators=[validate_evidence_links],
        help_text=_("One web address a line"),
    )
    state = models.CharField(_("state"), max_length=20, choices=State, default=State.DRAFT)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["action", "period__starts_on", "period__ends_on"]
        verbose_name = _("progress return")
        verbose_name_plural = _("progress returns")
        constraints = [
            models.UniqueConstraint(fields=["action", "period"], name="unique_return_per_period")
        ]

    def __str__(self):
        return f"{self.action.reference} – {self.period.label}"

    def clean(self):
        if self.action_id and self.period_id and self.action.plan_id != self.period.plan_id:
            raise ValidationError(_("The reporting period belongs to another plan."))

    def narrative_in(self, language: str) -> str:
        """The narrative in ``language``, else in the other language: a return written only in
        Welsh is still shown on the English page."""
        first, second = (
            (self.narrative_cy, self.narrative_en)
            if language == "cy"
            else (self.narrative_en, self.narrative_cy)
        )
        return first or second

    def narrative_language(self, language: str) -> str:
        """The language ``narrative_in(language)`` is written in (for the lang attribute)."""
        if language == "cy":
            return "cy" if self.narrative_cy or not self.narrative_en else "en"
        return "en" if self.narrative_en or not self.narrative_cy else "cy"

    @property
    def evidence_urls(self) -> list[str]:
        return [line.strip() for line in self.evidence_links.splitlines() if line.strip()]
