"""The Django admin is for officials only, decided by the product's roles rather than Django's
per-model permissions (so no permission rows need granting). Every app's admin.py imports this
module, which is what applies the site-wide check."""

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from wrc import access

admin.site.site_header = admin.site.site_title = _("Wales Race Forum – records")
admin.site.index_title = _("Manage records")


def official_site_permission(request):
    return request.user.is_active and access.is_official(request.user)


admin.site.has_permission = official_site_permission


class OfficialOnlyMixin:
    """Model admin permissions: officials may do everything, nobody else anything."""

    def has_module_permission(self, request):
        return official_site_permission(request)

    def has_view_permission(self, request, obj=None):
        return official_site_permission(request)

    def has_add_permission(self, request, *args):
        return official_site_permission(request)

    def has_change_permission(self, request, obj=None):
        return official_site_permission(request)

    def has_delete_permission(self, request, obj=None):
        return official_site_permission(request)


class OfficialAdmin(OfficialOnlyMixin, admin.ModelAdmin):
    pass


class OfficialHistoryAdmin(OfficialOnlyMixin, SimpleHistoryAdmin):
    pass


class OfficialTabularInline(OfficialOnlyMixin, admin.TabularInline):
    extra = 0


class OfficialStackedInline(OfficialOnlyMixin, admin.StackedInline):
    extra = 0


class ArchivedFilter(admin.SimpleListFilter):
    title = _("archived")
    parameter_name = "archived"

    def lookups(self, request, model_admin):
        return [("no", _("No")), ("yes", _("Yes"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(archived_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(archived_at__isnull=False)
        return queryset


class ArchivingAdminMixin:
    """The admin of a record others point at (``directory.models.ArchivableModel``) archives
    and restores it; its delete is refused with the reason, because deleting would drop the
    links and history the product keeps."""

    delete_refused_message = _(
        "Records others point at are archived, not deleted, so that their links and history "
        "are kept. Tick it in the list and choose “Archive selected”."
    )
    actions = ["archive_selected", "restore_selected"]

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), ArchivedFilter]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "archived_at"]

    def has_delete_permission(self, request, obj=None):
        return False

    def delete_view(self, request, object_id, extra_context=None):
        messages.error(request, self.delete_refused_message)
        opts = self.model._meta
        return redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))

    @admin.action(description=_("Archive selected"))
    def archive_selected(self, request, queryset):
        for record in queryset.filter(archived_at__isnull=True):
            record.archive()

    @admin.action(description=_("Restore selected"))
    def restore_selected(self, request, queryset):
        for record in queryset.filter(archived_at__isnull=False):
            record.restore()
