from django.contrib import admin

from reminders.models import ReminderClaim, SweepRun
from wrc.admin import OfficialAdmin


@admin.register(ReminderClaim)
class ReminderClaimAdmin(OfficialAdmin):
    """The ledger, read-only: a claim still "being sent" long after its run is an email whose
    fate is unknown (the worker died), for the secretariat to check with the recipient."""

    list_display = ["kind", "subject_key", "occasion", "recipient", "status", "claimed_at"]
    list_filter = ["status", "kind"]
    search_fields = ["subject_key", "recipient__full_name", "sent_to"]
    list_select_related = ["recipient"]
    date_hierarchy = "occasion"

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
