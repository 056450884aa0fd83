"""Delivery and action plans, such as the Tackling Hate Crimes and Incidents delivery plan:
plan → objectives → delivery areas → numbered actions with their lead organisations."""

import re

from django.db import models
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from directory.models import Forum, Organisation, VersionedModel, unique_slug
from search.vectors import search_vector_field
from wrc import access

SORT_PART = re.compile(r"\d+|[A-Za-z]+")


def reference_sort_key(reference: str) -> tuple[int, int]:
    """(major, minor) of a reference as plans write them: "4.12" → (4, 12), "1a" → (1, 1),
    "A.3" → (1, 3), "12" → (12, 0). A word prefix ("AR-3") is not part of the order."""
    parts = [p for p in SORT_PART.findall(reference) if p.isdigit() or len(p) == 1]
    values = [int(p) if p.isdigit() else ord(p.lower()) - ord("a") + 1 for p in parts[:2]]
    values = [min(v, 32767) for v in values] + [0, 0]
    return values[0], values[1]


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
    period = models.CharField(_("period"), max_length=20, help_text="2016-17")
    # In the plan's addresses: the period, unless another plan of the forum's has it already.
    slug = models.SlugField(max_length=80, unique=True, editable=False)
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    source_document = models.CharField(max_length=255, blank=True, editable=False)
    # A plan has no publishing step of its own: the mark makes the record page say what is
    # still missing in either language.
    publish_bilingually = models.BooleanField(
        _("publish bilingually"),
        default=False,
        help_text=_("The plan is to be published in English and Welsh."),
    )
    history = HistoricalRecords()

    objects = DeliveryPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-period"]
        verbose_name = _("delivery plan")
        verbose_name_plural = _("delivery plans")
        # A plan is its forum, title and period: two plans for one year are two plans.
        constraints = [
            models.UniqueConstraint(
                fields=["forum", "title_en", "period"], name="unique_plan_title_period"
            )
        ]

    def __str__(self):
        return f"{self.title_en} {self.period}"

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self.free_slug()
        super().save(*args, **kwargs)

    def free_slug(self) -> str:
        """The period ("2016-17"), as plan addresses have always been; a second plan of the
        same period adds its title ("2016-17-anti-racist-wales-action-plan")."""
        period = slugify(self.period) or "plan"
        if not DeliveryPlan.objects.exclude(pk=self.pk).filter(slug=period).exists():
            return period
        return unique_slug(self, f"{self.period} {self.title_en}", fallback="plan")

    def get_absolute_url(self):
        return reverse("hatecrime:plan_detail", args=[self.slug])


class PlanSection(models.Model):
    """One section of the plan's introduction, before its objectives ("Delivery Plan
    Approach", "Independent Advisory Group", "This document is also available in Welsh"): a
    heading, which a note such as the last has not, and its paragraphs, in the plan's order.
    The text is plain: paragraphs parted by a blank line, list items as "- " lines."""

    plan = models.ForeignKey(DeliveryPlan, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    heading_en = models.CharField(_("heading (English)"), max_length=255, blank=True)
    heading_cy = models.CharField(_("heading (Welsh)"), max_length=255, blank=True)
    text_en = models.TextField(_("text (English)"), blank=True)
    text_cy = models.TextField(_("text (Welsh)"), blank=True)
    history = HistoricalRecords()

    class Meta:
        # No unique position: a re-import or an edit reorders sections one row at a time.
        ordering = ["plan_id", "position", "pk"]
        verbose_name = _("introduction section")
        verbose_name_plural = _("introduction sections")

    def __str__(self):
        return self.heading_en or self.text_en[:60] or self.heading_cy or self.text_cy[:60]


class Objective(models.Model):
    plan = models.ForeignKey(DeliveryPlan, on_delete=models.CASCADE, related_name="objectives")
    number = models.PositiveSmallIntegerField(_("number"))
    label = models.CharField(
        _("label"), max_length=40, blank=True, help_text=_("As the plan writes it: 1, A, Goal 2")
    )
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
        return _("Objective %(number)s – %(title)s") % {
            "number": self.number,
            "title": self.title_en,
        }


class DeliveryArea(models.Model):
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="areas")
    number = models.PositiveSmallIntegerField(_("number"))
    label = models.CharField(
        _("label"), max_length=40, blank=True, help_text=_("As the plan writes it: 4, B, Theme 2")
    )
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
        return _("Delivery Area %(number)s – %(title)s") % {
            "number": self.number,
            "title": self.title_en,
        }


class PlanAction(VersionedModel):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETE = "complete", _("Complete")
        DISCONTINUED = "discontinued", _("Discontinued")

    plan = models.ForeignKey(DeliveryPlan, on_delete=models.CASCADE, related_name="actions")
    area = models.ForeignKey(DeliveryArea, on_delete=models.CASCADE, related_name="actions")
    reference = models.CharField(_("reference"), max_length=20, help_text="4.12")
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
    timescale = models.TextField(_("timescale"), blank=True, help_text=_("By when, as written"))
    measure = models.TextField(
        _("measure"), blank=True, help_text=_("How success is measured: KPI or outcome")
    )
    # The plan's other columns, by their heading ("Budget": "£20,000").
    extra = models.JSONField(_("other columns"), default=dict, blank=True)
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
    search_vector = search_vector_field(
        english=[("reference", "A"), ("text", "A"), ("progress_note", "B"), ("leads_text", "C")],
        welsh=[("text_cy", "A")],
    )
    history = HistoricalRecords(excluded_fields=["search_vector"])

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
        self.sort_major, self.sort_minor = reference_sort_key(self.reference)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("hatecrime:action_detail", args=[self.plan.slug, self.reference])


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
