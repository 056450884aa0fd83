from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.generic import DetailView
from django_filters.views import FilterView

from actions import exports
from actions.filters import ActionFilter
from actions.member_views import may_update
from actions.models import ActionItem
from directory.forums import forum_from_query
from reminders import services as reminder_services
from wrc import access
from wrc.access import RoleRequiredMixin
from wrc.lib.sorting import SortableListMixin, ordering_for, parse_sort

# Columns of the actions list people may sort by, shared with the downloads.
ACTION_SORTS = {
    "meeting": ("meeting__starts_at", "number"),
    "owner": "owner_text",
    "due": "due_date",
    "status": "status",
}
ACTION_DEFAULT_SORT = "meeting"


def listed_actions(user):
    # The table and the downloads show the source meeting and the resolved owner of each row.
    return (
        ActionItem.objects.visible_to(user)
        .active()
        .select_related("meeting__forum", "owner_person", "owner_organisation", "owner_role")
    )


class ActionListView(RoleRequiredMixin, SortableListMixin, FilterView):
    filterset_class = ActionFilter
    template_name = "actions/actionitem_list.html"
    context_object_name = "actions"
    paginate_by = 25
    # An empty or invalid filter form still lists every action the user may see.
    strict = False
    sort_fields = ACTION_SORTS
    default_sort = ACTION_DEFAULT_SORT

    def get_queryset(self):
        return self.sorted(listed_actions(self.request.user))

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(download_query=query.urlencode(), **kwargs)


@require_GET
@access.require(access.has_any_role)
def action_export(request, fmt):
    """The actions the list shows for the same query string, on every page, as a file."""
    if fmt not in exports.FORMATS:
        raise Http404(_("Actions cannot be downloaded in that format."))
    sort = parse_sort(request.GET.get("sort"), ACTION_SORTS, ACTION_DEFAULT_SORT)
    queryset = listed_actions(request.user).order_by(*ordering_for(sort, ACTION_SORTS))
    actions = ActionFilter(request.GET, queryset=queryset, request=request).qs
    download = exports.export_actions(
        actions,
        fmt=fmt,
        base_url=request.build_absolute_uri("/").rstrip("/"),
        forum=forum_from_query(request),
    )
    response_class = StreamingHttpResponse if download.streaming else HttpResponse
    response = response_class(download.content, content_type=download.content_type)
    response["Content-Disposition"] = f'attachment; filename="{download.filename}"'
    return response


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
            can_update=may_update(self.request.user, self.object),
            owner_cannot_be_reminded=self.owner_cannot_be_reminded(),
            **kwargs,
        )

    def owner_cannot_be_reminded(self):
        """For those who keep the forum's records: why this open action's reminders reach
        nobody."""
        if not access.can_manage_forum(self.request.user, self.object.meeting.forum_id):
            return ""
        reason = reminder_services.why_no_one_to_remind(self.object)
        return reason.label if reason else ""
