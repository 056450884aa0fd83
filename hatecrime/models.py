"""The Tackling Hate Crimes and Incidents delivery plan: plan → objectives → delivery areas →
numbered actions with their lead organisations."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from directory import access
from directory.models import Forum, Organisation, VersionedModel


class DeliveryPlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A plan is seen by the forum that monitors it and by the forums it is shared with."""
        scope = access.forum_scope(user)
        if scope.every_forum:
            return self
        forums = scope.staff | scope.member
        if not forums:
            return self.none()
        shared = self.filter(shared_with__in=forums).values("pk")
        return self.filter(models.Q(forum_id__in=forums) | models.Q(pk__in=shared))


class DeliveryPlan(VersionedModel):
    forum = models.ForeignKey(
        Forum,
        verbose_name=_("monitored by"),
        on_delete=models.PROTECT,
        related_name="delivery_plans",
    )
    shared_with = models.ManyToManyField(
        Forum,
        verbose_name=_("shared with"),
        blank=True,
        related_name="shared_delivery_plans",
        help_text=_("Other forums whose members may read the plan; only its own forum edits it."),
    )
    title_en = models.CharField(_("title (English)"), max_length=255)
    title_cy = models.CharField(_("title (Welsh)"), max_length=255, blank=True)
    period = models.CharField(_("period"), max_length=20, unique=True, help_text="2016-17")
    introduction_en = models.TextField(_("introduction (English)"), blank=True)
    introduction_cy = models.TextField(_("introduction (Welsh)"), blank=True)
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    source_document = models.CharField(max_length=255, blank=True, editable=False)
    history = HistoricalRecords()

    objects = DeliveryPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-period"]
        verbose_name = _("delivery plan")
        verbose_name_plural = _("delivery plans")

    def __str__(self):
        return f"{self.title_en} {self.period}"

    def get_absolute_url(self):
        return reverse("hatecrime:plan_detail", args=[self.period])


class Objective(models.Model):
    plan = models.ForeignKey(DeliveryPlan, on_delete=models.CASCADE, related_name="objectives")
    number = models.PositiveSmallIntegerField(_("number"))
    title_en = models.CharField(_("title (English)"), max_length=255)
    title_cy = models.CharField(_("title (Welsh)"), max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "number"]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="unique_objective_number")
        ]

    def __str__(self):
        return f"Objective {self.number} – {self.title_en}"


class DeliveryArea(models.Model):
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="areas")
    number = models.PositiveSmallIntegerField(_("number"))
    title_en = models.CharField(_("title (English)"), max_length=255)
    title_cy = models.CharField(_("title (Welsh)"), max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["objective__plan", "number"]
        verbose_name = _("delivery area")
        verbose_name_plural = _("delivery areas")
        constraints = [
            models.UniqueConstraint(fields=["objective", "number"], name="unique_area_number")
        ]

    def __str__(self):
        return f"Delivery Area {self.number} – {self.title_en}"


class PlanAction(VersionedModel):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETE = "complete", _("Complete")
        DISCONTINUED = "discontinued", _("Discontinued")

    plan = models.ForeignKey(DeliveryPlan, on_delete=models.CASCADE, related_name="actions")
    area = models.ForeignKey(DeliveryArea, on_delete=models.CASCADE, related_name="actions")
    reference = models.CharField(_("reference"), max_length=10, help_text="4.12")
    # (area number, action number): "4.12" sorts after "4.9".
    sort_major = models.PositiveSmallIntegerField(editable=False, default=0)
    sort_minor = models.PositiveSmallIntegerField(editable=False, default=0)
    text = models.TextField(_("action (English)"))
    text_cy = models.TextField(_("action (Welsh)"), blank=True)
    leads_text = models.TextField(
        _("lead organisations (as written)"), blank=True, help_text=_("As the plan gives them")
    )
    leads = models.ManyToManyField(
        Organisation,
        through="PlanActionLead",
        related_name="led_plan_actions",
        verbose_name=_("lead organisations"),
        blank=True,
    )
    status = models.CharField(
        _("progress"), max_length=20, choices=Status, default=Status.NOT_STARTED
    )
    progress_note = models.TextField(_("progress note"), blank=True)
    origin = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="carried_over_to",
        help_text=_("The action in an earlier plan this one was carried over from"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "sort_major", "sort_minor"]
        verbose_name = _("plan action")
        verbose_name_plural = _("plan actions")
        constraints = [
            models.UniqueConstraint(fields=["plan", "reference"], name="unique_plan_reference")
        ]

    def __str__(self):
        return f"{self.reference} {self.text[:80]}"

    def save(self, *args, **kwargs):
        major, _sep, minor = self.reference.partition(".")
        self.sort_major = int(major) if major.isdigit() else 0
        self.sort_minor = int(minor) if minor.isdigit() else 0
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("hatecrime:action_detail", args=[self.plan.period, self.reference])


class PlanActionLead(models.Model):
    action = models.ForeignKey(PlanAction, on_delete=models.CASCADE, related_name="lead_links")
    # PROTECT: deleting an organisation used to drop every plan action's link to it; the admin
    # now refuses and lists the links (merge the organisation into another instead).
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="plan_lead_links"
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["action", "order"]
        constraints = [
            models.UniqueConstraint(fields=["action", "organisation"], name="unique_plan_lead")
        ]

    def __str__(self):
        return f"{self.action.reference} – {self.organisation}"
