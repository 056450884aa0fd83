"""Officials set up a plan's reporting periods in the admin; returns are kept on the site."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from progress.models import ProgressReturn, ReportingPeriod


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(SimpleHistoryAdmin):
    list_display = ["label", "plan", "starts_on", "ends_on", "due_on"]
    list_filter = ["plan"]


@admin.register(ProgressReturn)
class ProgressReturnAdmin(SimpleHistoryAdmin):
    list_display = ["action", "period", "status", "state", "submitted_at", "reviewed_at"]
    list_filter = ["state", "status", "period__plan"]
    raw_id_fields = ["action", "submitted_by", "reviewed_by"]
