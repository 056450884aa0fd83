"""Every message the product sends, one row per recipient and message.

Letters, reminders, diary invitations, account emails and notifications all go through this one
table and its one state machine:

    queued → sending → sent | failed | uncertain

A row is claimed (queued → sending) in its own committed update before the mail server sees the
message, and marked sent right after. Anything ambiguous (the connection dropped after the
message was handed over, the worker died mid-send) leaves the row "uncertain" for a person to
confirm or resend: it is never re-sent silently. ``(kind, key)`` is unique, so asking twice for
the same message (a double click, two workers, a re-run sweep) queues it once.
"""

from email.utils import parseaddr

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from directory.models import Forum, Language, Person


class OutgoingMailQuerySet(models.QuerySet):
    def pending(self):
        """Not yet finished: waiting for a worker, or being sent right now."""
        return self.filter(status__in=[OutgoingMail.Status.QUEUED, OutgoingMail.Status.SENDING])

    def status_counts(self) -> dict:
        """Number of messages per status, every status present (zero when none)."""
        counts = dict.fromkeys(OutgoingMail.Status.values, 0)
        rows = self.order_by().values_list("status").annotate(n=models.Count("pk"))
        counts.update(dict(rows))
        return counts

    def visible_to(self, user):
        """Officials see every message; the secretariat those of the forums they act in.

        Messages of no forum (account emails) are the officials' alone: they carry sign-in links.
        """
        from wrc import access

        if not access.is_staff_role(user):
            return self.none()
        # The forums the user keeps the records of; a message of no forum is in none of them.
        return self.filter(access.managed_forums_q(user))


class OutgoingMail(models.Model):
    class Kind(models.TextChoices):
        LETTER = "letter", _("Letter")
        REMINDER = "reminder", _("Reminder")
        DIARY_INVITATION = "diary_invitation", _("Diary invitation")
        ACCOUNT_INVITATION = "account_invitation", _("Account invitation")
        PASSWORD_RESET = "password_reset", _("Password reset")
        NOTIFICATION = "notification", _("Notification")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        UNCERTAIN = "uncertain", _("Uncertain")

    kind = models.CharField(_("kind"), max_length=24, choices=Kind)
    # What makes this message this message within its kind, e.g. "letter:12:person:40" or
    # "reminder:2027-01-18:forum:1:person:40": the same key is never queued twice.
    key = models.CharField(max_length=200)
    forum = models.ForeignKey(
        Forum,
        verbose_name=_("forum"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outgoing_mail",
    )
    # The address, language and subject fixed when the message was queued.
    email = models.EmailField(_("email"))
    language = models.CharField(_("language"), max_length=2, choices=Language)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    # Links to what the message is about, for the pages that list a record's messages.
    letter = models.ForeignKey(
        "correspondence.Letter",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="mails",
    )
    meeting = models.ForeignKey(
        "meetings.Meeting", null=True, blank=True, on_delete=models.CASCADE, related_name="mails"
    )
    # What the kind's builder needs to compose the message (ids, not copies of records).
    payload = models.JSONField(default=dict, blank=True)

    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    reason = models.TextField(_("reason"), blank=True)
    queued_at = models.DateTimeField(_("queued"), default=timezone.now)
    # When the task that will send it was last put on the broker (or is due to run, for a retry
    # with backoff); the sweeper gives a new task to rows whose task has not run long after it.
    enqueued_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # Who settled an uncertain or failed message by hand ("confirmed as sent", "sent again"),
    # when, and the reason they gave.
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("settled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("settled"), null=True, blank=True)
    resolution = models.TextField(_("reason given"), blank=True)

    objects = OutgoingMailQuerySet.as_manager()

    class Meta:
        ordering = ["-queued_at", "-pk"]
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="outbox_one_message_per_key"),
        ]
        indexes = [
            # The sweeper scans only unfinished work.
            models.Index(
                fields=["status", "enqueued_at"],
                name="outbox_pending",
                condition=Q(status__in=["queued", "sending"]),
            ),
            models.Index(fields=["kind", "status", "-queued_at"], name="outbox_kind_status"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.email}"

    @property
    def message_id(self) -> str:
        """The Message-ID of the latest attempt, to look an uncertain one up in the mail logs."""
        domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
        queued = int(self.queued_at.timestamp() * 1000)  # a resend is queued anew: a new ID
        return f"<{self.kind}-{self.pk}.queued-{queued}.attempt-{self.attempts}@{domain}>"
