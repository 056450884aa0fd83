from django.views.generic import DetailView
from django_filters.views import FilterView

from actions.filters import ActionFilter
from actions.member_views import may_update
from actions.models import ActionItem
from directory.access import RoleRequiredMixin


class ActionListView(RoleRequiredMixin, FilterView):
    filterset_class = ActionFilter
    template_name = "actions/actionitem_list.html"
    context_object_name = "actions"
    paginate_by = 25
    # An empty or invalid filter form still lists every action the user may see.
    strict = False

    def get_queryset(self):
        # The table shows the source meeting and the resolved owner of each row.
        return ActionItem.objects.visible_to(self.request.user).select_related(
            "meeting__forum", "owner_person", "owner_organisation", "owner_role"
        )


class ActionDetailView(RoleRequiredMixin, DetailView):
    template_name = "actions/actionitem_detail.html"
    context_object_name = "action"

    def get_queryset(self):
        return (
            ActionItem.objects.visible_to(self.request.user)
            .select_related(
                "meeting__forum",
                "agenda_item",
                "owner_person__organisation",
                "owner_organisation",
                "owner_role",
            )
            .prefetch_related("updates__author")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            can_update=may_update(self.request.user, self.object), **kwargs
        )
