from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from actions.models import ActionItem
from directory.models import Person
from outbox.models import OutgoingMail


class ReminderKind(models.TextChoices):
    ASSIGNED = "assigned", _("Notice of a new action")
    DUE_SOON = "due_soon", _("Due soon")
    DUE_TODAY = "due_today", _("Due today")
    OVERDUE_DIGEST = "overdue_digest", _("Weekly overdue digest")
    NO_DATE = "no_date", _("Nudge for an action with no date")
    BEFORE_MEETING = "before_meeting", _("Please update before the meeting")
    SECRETARIAT_SUMMARY = "secretariat_summary", _("Weekly summary for the secretariat")


class ReminderClaim(models.Model):
    """One reminder owed to one person, and the email that carries it.

    The ledger of what was owed and covered: the unique constraint is what makes a reminder go
    out at most once, whatever number of workers, re-runs or days reach it. Whether the email
    arrived is the outbox's to know (``mail``): a claim holds no sending state of its own. Each
    claim is written in the same transaction as its email's OutgoingMail row."""

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
    # The email that carries this reminder; a delivery record is never removed from under it.
    mail = models.ForeignKey(
        OutgoingMail,
        verbose_name=_("email"),
        on_delete=models.PROTECT,
        related_name="reminder_claims",
    )
    claimed_at = models.DateTimeField(_("recorded"), default=timezone.now)

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
