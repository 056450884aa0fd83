from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from outbox.models import OutgoingMail
from wrc.admin import OfficialAdmin


@admin.register(OutgoingMail)
class OutgoingMailAdmin(OfficialAdmin):
    """Read only: the state of a message changes through the outbox alone. Settling uncertain
    or failed messages (with a reason, kept and audited) is done on the outbox page."""

    list_display = ["kind", "email", "subject", "status", "attempts", "queued_at", "sent_at"]
    list_filter = ["kind", "status"]
    search_fields = ["email", "subject", "key"]
    list_select_related = ["forum", "person"]
    date_hierarchy = "queued_at"
    readonly_fields = [field.name for field in OutgoingMail._meta.fields]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "subtitle": _("Settle uncertain or failed messages on the Outgoing mail page."),
        }
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
