import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from actions.models import ActionItem
from directory.models import Person


class ReminderKind(models.TextChoices):
    ASSIGNED = "assigned", _("Notice of a new action")
    DUE_SOON = "due_soon", _("Due soon")
    DUE_TODAY = "due_today", _("Due today")
    OVERDUE_DIGEST = "overdue_digest", _("Weekly overdue digest")
    NO_DATE = "no_date", _("Nudge for an action with no date")
    BEFORE_MEETING = "before_meeting", _("Please update before the meeting")
    SECRETARIAT_SUMMARY = "secretariat_summary", _("Weekly summary for the secretariat")


class ReminderClaimQuerySet(models.QuerySet):
    def uncertain(self, now=None, stale_after=datetime.timedelta(hours=1)):
        """Claims whose worker died between claiming and recording the send: the email may or
        may not have left, so they are shown to the secretariat and never re-sent silently."""
        now = now or timezone.now()
        return self.filter(status=ReminderClaim.Status.CLAIMED, claimed_at__lt=now - stale_after)


class ReminderClaim(models.Model):
    """One reminder owed to one person: inserted and committed before the email is sent, marked
    sent after. The unique constraint is what makes a reminder go out at most once, whatever
    number of workers or re-runs reach it."""

    class Status(models.TextChoices):
        CLAIMED = "claimed", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    # "action:<pk>" for per-action reminders, "meeting:<pk>" or "digest:<name>" otherwise.
    subject_key = models.CharField(max_length=40)
    kind = models.CharField(_("kind"), max_length=20, choices=ReminderKind)
    # The occasion the reminder is for: the due date, the week of a digest, the meeting day.
    occasion = models.DateField(_("for"))
    recipient = models.ForeignKey(
        Person, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="+"
    )
    action = models.ForeignKey(
        ActionItem, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.CLAIMED)
    claim_token = models.UUIDField(editable=False)
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_to = models.EmailField(blank=True)
    failure_reason = models.TextField(blank=True)

    objects = ReminderClaimQuerySet.as_manager()

    class Meta:
        ordering = ["-claimed_at"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["subject_key", "kind", "occasion", "recipient"],
                name="one_reminder_per_subject_kind_occasion_recipient",
            )
        ]
        indexes = [
            # reminder_plan_build loads the recent ledger by occasion every run.
            models.Index(fields=["occasion"], name="reminder_claim_occasion"),
            # reminder_plan_build loads who was told of which action.
            models.Index(fields=["kind", "action"], name="reminder_claim_kind_action"),
            models.Index(fields=["claim_token"], name="reminder_claim_token"),
            # ReminderClaimQuerySet.uncertain: the few claims still in flight.
            models.Index(
                fields=["claimed_at"],
                condition=Q(status="claimed"),
                name="reminder_claim_in_flight",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.subject_key} {self.occasion} → {self.recipient_id}"


class SweepRun(models.Model):
    """A day on which a reminder sweep finished. A weekly digest whose day was missed (no sweep
    finished on it) is caught up by the next sweep; once one has finished, the week is done."""

    day = models.DateField(unique=True)
    finished_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-day"]

    def __str__(self):
        return self.day.isoformat()
