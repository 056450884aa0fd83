from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User

from directory.models import (
    AccountInvitation,
    AuditEvent,
    Forum,
    Membership,
    Organisation,
    OrganisationAlias,
    OwnerRole,
    Person,
)
from wrc.admin import (
    ArchivingAdminMixin,
    OfficialAdmin,
    OfficialHistoryAdmin,
    OfficialOnlyMixin,
    OfficialTabularInline,
)


class AliasInline(OfficialTabularInline):
    model = OrganisationAlias


@admin.register(Organisation)
class OrganisationAdmin(ArchivingAdminMixin, OfficialHistoryAdmin):
    list_display = ["name", "short_name", "kind", "parent", "archived_at"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "aliases__alias"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    inlines = [AliasInline]


@admin.register(OrganisationAlias)
class OrganisationAliasAdmin(OfficialAdmin):
    list_display = ["alias", "organisation"]
    list_filter = ["organisation__kind"]
    search_fields = ["alias", "organisation__name"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]


@admin.register(Person)
class PersonAdmin(ArchivingAdminMixin, OfficialHistoryAdmin):
    list_display = [
        "full_name",
        "organisation",
        "email",
        "preferred_language",
        "user",
        "archived_at",
    ]
    list_filter = ["preferred_language", "is_organisation_contact"]
    search_fields = ["full_name", "email", "organisation__name"]
    list_select_related = ["organisation", "user"]
    autocomplete_fields = ["organisation", "user"]


class MembershipInline(OfficialTabularInline):
    model = Membership
    autocomplete_fields = ["organisation", "person"]


@admin.register(Forum)
class ForumAdmin(OfficialAdmin):
    list_display = ["name", "name_cy", "short_name", "kind", "slug"]
    # Finds forums still missing their Welsh name.
    list_filter = ["kind", "reminders_enabled", ("name_cy", admin.EmptyFieldListFilter)]
    search_fields = ["name", "name_cy", "short_name", "short_name_cy"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(OfficialAdmin):
    list_display = ["__str__", "forum", "role", "joined_on", "left_on"]
    list_filter = ["role", "forum"]
    search_fields = ["organisation__name", "person__full_name"]
    list_select_related = ["forum", "organisation", "person"]
    autocomplete_fields = ["organisation", "person"]


@admin.register(OwnerRole)
class OwnerRoleAdmin(OfficialAdmin):
    list_display = ["name", "category", "forum"]
    list_filter = ["category", "forum"]
    search_fields = ["name", "name_cy"]
    filter_horizontal = ["holders"]


# Officials give people their role (group) here.
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class OfficialUserAdmin(OfficialOnlyMixin, UserAdmin):
    pass


@admin.register(Group)
class OfficialGroupAdmin(OfficialOnlyMixin, GroupAdmin):
    pass


@admin.register(AccountInvitation)
class AccountInvitationAdmin(OfficialAdmin):
    """Invitations sent to choose a password: read only, as the person's page sends them and only
    the latest one's link works."""

    list_display = ["person", "invited_by", "sent_at", "accepted_at"]
    list_filter = [("accepted_at", admin.EmptyFieldListFilter), "sent_at"]
    search_fields = ["person__full_name", "person__email"]
    list_select_related = ["person", "invited_by"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(OfficialAdmin):
    """Read only, like the page: a record that could be edited or deleted would prove nothing."""

    list_display = ["at", "kind", "actor_name", "subject", "forum", "ip_address"]
    list_filter = ["kind", "at"]
    search_fields = ["actor_name", "detail", "subject__full_name", "ip_address"]
    list_select_related = ["subject", "forum"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
