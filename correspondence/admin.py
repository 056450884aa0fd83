from django.contrib import admin

from correspondence.models import CarbonCopy, Enclosure, Letter
from wrc.admin import OfficialAdmin, OfficialHistoryAdmin, OfficialTabularInline


class CarbonCopyInline(OfficialTabularInline):
    model = CarbonCopy
    autocomplete_fields = ["organisation"]


class EnclosureInline(OfficialTabularInline):
    model = Enclosure


@admin.register(Letter)
class LetterAdmin(OfficialHistoryAdmin):
    list_display = ["reference", "date", "subject_en", "sender_name", "audience", "status"]
    list_filter = ["status", "audience", "date"]
    search_fields = ["reference", "subject_en", "subject_cy", "body_en", "sender_name"]
    date_hierarchy = "date"
    autocomplete_fields = ["sender", "recipient_organisations", "recipient_people"]
    inlines = [CarbonCopyInline, EnclosureInline]


@admin.register(CarbonCopy)
class CarbonCopyAdmin(OfficialAdmin):
    list_display = ["as_written", "letter", "organisation"]
    search_fields = ["as_written", "letter__reference"]
    list_select_related = ["letter", "organisation"]


@admin.register(Enclosure)
class EnclosureAdmin(OfficialAdmin):
    list_display = ["title", "letter", "file"]
    search_fields = ["title", "letter__reference"]
    list_select_related = ["letter"]
