from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import reverse

from correspondence.models import CarbonCopy, Enclosure, Letter
from correspondence.services import letter_delete_refusal
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

    def get_actions(self, request):
        # One at a time, from the letter's page: only a draft may go, and the page says why not.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or letter_delete_refusal(obj) is None)

    def delete_view(self, request, object_id, extra_context=None):
        letter = self.get_object(request, object_id)
        if letter is not None and (reason := letter_delete_refusal(letter)):
            messages.error(request, reason)
            return redirect(reverse("admin:correspondence_letter_change", args=[letter.pk]))
        return super().delete_view(request, object_id, extra_context)


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
