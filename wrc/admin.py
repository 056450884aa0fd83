"""The Django admin is for officials only, decided by the product's roles rather than Django's
per-model permissions (so no permission rows need granting). Every app's admin.py imports this
module, which is what applies the site-wide check."""

from django.contrib import admin
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
