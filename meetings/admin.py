from django.contrib import admin

from actions.models import ActionItem
from meetings.models import AgendaItem, Attendance, Meeting
from wrc.admin import (
    ArchivingAdminMixin,
    OfficialAdmin,
    OfficialHistoryAdmin,
    OfficialStackedInline,
    OfficialTabularInline,
)


class AgendaItemInline(OfficialStackedInline):
    model = AgendaItem
    fields = ["number", "title", "title_cy", "discussion", "discussion_cy"]


class AttendanceInline(OfficialTabularInline):
    model = Attendance
    fields = [
        "order",
        "as_written",
        "name",
        "organisation_text",
        "person",
        "organisation",
        "status",
    ]
    autocomplete_fields = ["person", "organisation"]


class ActionInline(OfficialTabularInline):
    model = ActionItem
    fields = ["number", "text", "owner_text", "deadline_text", "due_date", "status"]
    show_change_link = True
    # An action is archived from its page ("Remove this action"), never deleted with its notes.
    can_delete = False


@admin.register(Meeting)
class MeetingAdmin(ArchivingAdminMixin, OfficialHistoryAdmin):
    list_display = [
        "__str__",
        "starts_at",
        "status",
        "notes_status",
        "online_platform",
        "archived_at",
    ]
    list_filter = ["status", "notes_status", "forum"]
    search_fields = ["title", "venue", "items__title"]
    date_hierarchy = "starts_at"
    list_select_related = ["forum"]
    inlines = [AttendanceInline, AgendaItemInline, ActionInline]


@admin.register(AgendaItem)
class AgendaItemAdmin(OfficialHistoryAdmin):
    list_display = ["__str__", "meeting"]
    list_filter = ["meeting"]
    search_fields = ["title", "discussion"]
    list_select_related = ["meeting__forum"]


@admin.register(Attendance)
class AttendanceAdmin(OfficialAdmin):
    list_display = ["as_written", "meeting", "status", "person", "organisation"]
    list_filter = ["status", "meeting"]
    search_fields = ["as_written", "name", "organisation_text"]
    list_select_related = ["meeting__forum", "person", "organisation"]
    autocomplete_fields = ["person", "organisation"]
