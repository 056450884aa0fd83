from django.db import models
from django.utils.translation import gettext_lazy as _

from directory.models import Person
from meetings.models import Meeting


class InvitationDelivery(models.Model):
    """One invitation (a meeting at one sequence) to one person: the ledger that makes sending
    idempotent. The row is claimed before the message goes out, so a rerun, a retry or a second
    worker never sends the same version of an invitation to the same person twice."""

    class Status(models.TextChoices):
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    sequence = models.PositiveIntegerField(_("version of the invitation"))
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("sent to"))
    method = models.CharField(max_length=10, default="REQUEST")
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.SENDING)
    error = models.TextField(_("reason it failed"), blank=True)
    claimed_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "-sequence", "person__full_name"]
        verbose_name = _("invitation sent")
        verbose_name_plural = _("invitations sent")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "sequence", "person"], name="unique_invitation_per_version"
            )
        ]

    def __str__(self):
        return f"{self.meeting_id} v{self.sequence} → {self.person_id} ({self.status})"
