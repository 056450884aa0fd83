from django.contrib import admin

from actions.models import ActionItem, ActionUpdate
from wrc.admin import OfficialAdmin, OfficialHistoryAdmin, OfficialTabularInline


class UpdateInline(OfficialTabularInline):
    model = ActionUpdate
    fields = ["created_at", "status", "note", "author"]
    raw_id_fields = ["author"]


@admin.register(ActionItem)
class ActionItemAdmin(OfficialHistoryAdmin):
    list_display = ["__str__", "meeting", "owner_text", "deadline_text", "due_date", "status"]
    # By forum and by due date, not by meeting: a link per meeting was 1,000 links on every
    # page of the changelist (issue 13). A meeting's actions are on its page.
    list_filter = ["status", "due_rule", "meeting__forum"]
    date_hierarchy = "due_date"
    search_fields = ["text", "owner_text", "deadline_text"]
    list_select_related = ["meeting__forum"]
    autocomplete_fields = ["owner_person", "owner_organisation"]
    raw_id_fields = ["meeting", "agenda_item"]
    inlines = [UpdateInline]


@admin.register(ActionUpdate)
class ActionUpdateAdmin(OfficialAdmin):
    list_display = ["action", "status", "created_at", "author"]
    list_filter = ["status"]
    search_fields = ["note", "action__text"]
    list_select_related = ["action", "author"]
    raw_id_fields = ["action", "author"]
