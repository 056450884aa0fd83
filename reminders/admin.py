from django.contrib import admin

from reminders.models import ReminderClaim


@admin.register(ReminderClaim)
class ReminderClaimAdmin(admin.ModelAdmin):
    """The ledger, read-only: a claim still "being sent" long after its run is an email whose
    fate is unknown (the worker died), for the secretariat to check with the recipient."""

    list_display = ["kind", "subject_key", "occasion", "recipient", "status", "claimed_at"]
    list_filter = ["status", "kind"]
    search_fields = ["subject_key", "recipient__full_name", "sent_to"]
    list_select_related = ["recipient"]
    date_hierarchy = "occasion"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
