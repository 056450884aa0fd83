from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.views.generic import DetailView
from django_filters.views import FilterView

from actions.models import ActionItem
from directory import accounts
from directory.filters import OrganisationFilter, PersonFilter
from directory.models import Organisation, Person
from hatecrime.models import DeliveryPlan, PlanAction
from meetings.models import Meeting
from wrc import access
from wrc.access import RoleRequiredMixin
from wrc.archiving import ArchivedListMixin, ArchiveLinksMixin
from wrc.lib.sorting import SortableListMixin


class OrganisationListView(RoleRequiredMixin, ArchivedListMixin, SortableListMixin, FilterView):
    template_name = "directory/organisation_list.html"
    context_object_name = "organisations"
    paginate_by = 50
    filterset_class = OrganisationFilter
    strict = False
    sort_fields = {"name": "name", "kind": ("kind", "name"), "led": ("led_count", "name")}
    default_sort = "name"

    def get_queryset(self):
        return self.sorted(
            self.active_or_archived(Organisation.objects)
            .annotate(led_count=Count("plan_lead_links", distinct=True))
            .select_related("parent")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_add=access.is_staff_role(self.request.user), **kwargs)


OWNED_ACTIONS_PAGE_SIZE = 25


class OrganisationDetailView(RoleRequiredMixin, ArchiveLinksMixin, DetailView):
    template_name = "directory/organisation_detail.html"
    context_object_name = "organisation"
    archive_url_name = "directory:organisation_archive"
    restore_url_name = "directory:organisation_restore"

    def url_args(self):
        return [self.object.slug]

    def get_queryset(self):
        return Organisation.objects.select_related("parent").prefetch_related("aliases", "teams")

    def get_context_data(self, **kwargs):
        user, organisation = self.request.user, self.object
        context = {
            "led_actions": PlanAction.objects.filter(
                lead_links__organisation=organisation,
                plan__in=DeliveryPlan.objects.visible_to(user),
            )
            .select_related("plan")
            .order_by("plan", "sort_major", "sort_minor"),
            # A busy organisation owns hundreds: a page at a time, as many as the actions list.
            "owned_actions": Paginator(
                ActionItem.objects.visible_to(user)
                .filter(owner_organisation=organisation)
                .select_related("meeting__forum"),
                OWNED_ACTIONS_PAGE_SIZE,
            ).get_page(self.request.GET.get("page")),
            "can_edit": access.is_staff_role(user),
            "can_merge": access.is_official(user) and not organisation.is_archived,
            "meetings_attended": Meeting.objects.visible_to(user)
            .filter(attendance__organisation=organisation)
            .select_related("forum")
            .distinct(),
        }
        if access.can_see_contact_details(user):
            context["people"] = organisation.people.all()
        return super().get_context_data(**context, **kwargs)


class ContactDetailsRequiredMixin(RoleRequiredMixin):
    # People pages exist for their contact details, which forum members never see.
    role_check = staticmethod(access.can_see_contact_details)


class PersonListView(ContactDetailsRequiredMixin, ArchivedListMixin, SortableListMixin, FilterView):
    template_name = "directory/person_list.html"
    context_object_name = "people"
    paginate_by = 50
    filterset_class = PersonFilter
    strict = False
    sort_fields = {"name": "full_name", "organisation": ("organisation__name", "full_name")}
    default_sort = "name"

    def get_queryset(self):
        return self.sorted(self.active_or_archived(Person.objects).select_related("organisation"))

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_add=access.is_staff_role(self.request.user), **kwargs)


class PersonDetailView(ContactDetailsRequiredMixin, ArchiveLinksMixin, DetailView):
    template_name = "directory/person_detail.html"
    context_object_name = "person"
    archive_url_name = "directory:person_archive"
    restore_url_name = "directory:person_restore"

    def get_queryset(self):
        return Person.objects.select_related("organisation", "user").prefetch_related(
            Prefetch("owner_roles"),
            Prefetch("memberships__forum"),
            Prefetch(
                "owned_actions",
                queryset=ActionItem.objects.select_related("meeting__forum"),
            ),
        )

    def get_context_data(self, **kwargs):
        person, user = self.object, self.request.user
        return super().get_context_data(
            can_edit=access.is_staff_role(user),
            can_reset_two_factor=access.is_official(user)
            and person.user_id is not None
            and person.user_id != user.pk,
            account=accounts.account_state(person),
            can_manage_account=accounts.can_manage_account(self.request.user, person),
            **kwargs,
        )
