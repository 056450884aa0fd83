from django.contrib import admin

from correspondence.models import CarbonCopy, Delivery, Enclosure, Letter
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
    # "Empty" organisation: a cc line not yet matched to an organisation in the directory.
    list_filter = [("organisation", admin.EmptyFieldListFilter), "letter__status"]
    search_fields = ["as_written", "letter__reference"]
    list_select_related = ["letter", "organisation"]


@admin.register(Enclosure)
class EnclosureAdmin(OfficialAdmin):
    list_display = ["title", "letter", "file"]
    # "Empty" file: an enclosure named in the letter whose document has not been uploaded.
    list_filter = [("file", admin.EmptyFieldListFilter), "letter__status"]
    search_fields = ["title", "letter__reference"]
    list_select_related = ["letter"]


@admin.register(Delivery)
class DeliveryAdmin(OfficialAdmin):
    """Deliveries are written by the sending worker; the admin only shows them, because editing a
    status here would bypass the claim-before-send rule."""

    list_display = ["letter", "person", "email", "language", "status", "attempts", "sent_at"]
    list_filter = ["status", "language"]
    search_fields = ["letter__reference", "person__full_name", "email"]
    list_select_related = ["letter", "person"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False
