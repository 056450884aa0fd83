from django.contrib import admin

from calendars.models import InvitationDelivery
from wrc.admin import OfficialAdmin


@admin.register(InvitationDelivery)
class InvitationDeliveryAdmin(OfficialAdmin):
    """The ledger of invitations sent: read only, as it is what makes sending exactly-once."""

    list_display = ["meeting", "sequence", "person", "email", "method", "status", "sent_at"]
    list_filter = ["status", "method"]
    search_fields = ["person__full_name", "email"]
    list_select_related = ["meeting__forum", "person"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False
