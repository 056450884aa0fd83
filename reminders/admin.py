from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from reminders.models import ReminderClaim, SweepRun
from wrc.admin import OfficialAdmin


@admin.register(ReminderClaim)
class ReminderClaimAdmin(OfficialAdmin):
    """The ledger, read-only: which reminders were owed to whom, and the email that carries
    each. Whether that email arrived is on the outbox page (its row), where a failed or
    uncertain one is resent or confirmed."""

    list_display = ["kind", "subject_key", "occasion", "recipient", "mail_status", "claimed_at"]
    list_filter = ["kind", "mail__status"]
    search_fields = ["subject_key", "recipient__full_name", "mail__email"]
    list_select_related = ["recipient", "mail"]
    date_hierarchy = "occasion"
    raw_id_fields = ["recipient", "action", "mail"]

    @admin.display(description=_("email"), ordering="mail__status")
    def mail_status(self, claim):
        return claim.mail.get_status_display()

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SweepRun)
class SweepRunAdmin(OfficialAdmin):
    """Days on which the reminder sweep finished, read only: a missing day is a day the worker
    did not run, whose weekly digests the next sweep catches up."""

    list_display = ["day", "finished_at"]
    list_filter = ["day"]
    search_fields = ["day"]
    date_hierarchy = "day"

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False
