from django.contrib import admin

from hatecrime.models import (
    DeliveryArea,
    DeliveryPlan,
    Objective,
    PlanAction,
    PlanActionLead,
    PlanSection,
)
from wrc.admin import (
    OfficialAdmin,
    OfficialHistoryAdmin,
    OfficialStackedInline,
    OfficialTabularInline,
)


class SectionInline(OfficialStackedInline):
    model = PlanSection
    fields = ["position", "heading_en", "heading_cy", "text_en", "text_cy"]
    extra = 0


class ObjectiveInline(OfficialTabularInline):
    model = Objective
    fields = ["number", "title_en", "title_cy"]


@admin.register(DeliveryPlan)
class DeliveryPlanAdmin(OfficialHistoryAdmin):
    list_display = ["title_en", "period", "forum", "copied_from"]
    list_filter = ["forum", "copied_from", ("title_cy", admin.EmptyFieldListFilter)]
    list_select_related = ["forum", "copied_from"]
    filter_horizontal = ["shared_with"]
    search_fields = ["title_en", "title_cy", "period"]
    inlines = [SectionInline, ObjectiveInline]


@admin.register(PlanSection)
class PlanSectionAdmin(OfficialHistoryAdmin):
    list_display = ["__str__", "plan", "position"]
    list_filter = ["plan", ("heading_cy", admin.EmptyFieldListFilter)]
    search_fields = ["heading_en", "heading_cy", "text_en", "text_cy"]
    list_select_related = ["plan"]


class AreaInline(OfficialTabularInline):
    model = DeliveryArea
    fields = ["number", "title_en", "title_cy"]


@admin.register(Objective)
class ObjectiveAdmin(OfficialHistoryAdmin):
    list_display = ["__str__", "plan"]
    list_filter = ["plan"]
    search_fields = ["title_en", "title_cy"]
    list_select_related = ["plan"]
    inlines = [AreaInline]


@admin.register(DeliveryArea)
class DeliveryAreaAdmin(OfficialHistoryAdmin):
    list_display = ["__str__", "objective"]
    list_filter = ["objective__plan"]
    search_fields = ["title_en", "title_cy"]
    list_select_related = ["objective"]


class LeadInline(OfficialTabularInline):
    model = PlanActionLead
    autocomplete_fields = ["organisation"]


@admin.register(PlanAction)
class PlanActionAdmin(OfficialHistoryAdmin):
    list_display = ["reference", "plan", "area", "status", "leads_text"]
    list_filter = ["plan", "status", "area__objective"]
    search_fields = ["reference", "text", "leads_text", "leads__name"]
    list_select_related = ["plan", "area"]
    raw_id_fields = ["origin"]
    inlines = [LeadInline]


@admin.register(PlanActionLead)
class PlanActionLeadAdmin(OfficialAdmin):
    list_display = ["action", "organisation", "order"]
    list_filter = ["action__plan"]
    search_fields = ["action__reference", "organisation__name"]
    list_select_related = ["action", "organisation"]
    autocomplete_fields = ["organisation"]
    raw_id_fields = ["action"]
