from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView
from django_filters.views import FilterView

from actions.models import ActionItem
from meetings import services
from meetings.filters import MeetingFilter
from meetings.models import AgendaItem, Attendance, Meeting
from wrc import access
from wrc.access import RoleRequiredMixin
from wrc.archiving import ArchivedListMixin, ArchiveLinksMixin
from wrc.lib.sorting import SortableListMixin


class MeetingListView(RoleRequiredMixin, ArchivedListMixin, SortableListMixin, FilterView):
    template_name = "meetings/meeting_list.html"
    context_object_name = "meetings"
    paginate_by = 25
    filterset_class = MeetingFilter
    strict = False
    sort_fields = {
        "date": "starts_at",
        "title": "title",
        "attended": "present_count",
        "items": "item_count",
        "actions": "action_count",
    }
    default_sort = "-date"

    def get_queryset(self):
        # Counts for the "28 attended, 7 actions" line of each row, in the one list query.
        return self.sorted(
            self.active_or_archived(Meeting.objects.visible_to(self.request.user))
            .select_related("forum")
            .annotate(
                present_count=count_per_meeting(Attendance, status=Attendance.Status.PRESENT),
                action_count=count_per_meeting(ActionItem),
                item_count=count_per_meeting(AgendaItem),
            )
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_add=access.is_staff_role(self.request.user), **kwargs)


def count_per_meeting(model, **conditions):
    """The number of ``model`` rows of each meeting, as a correlated subquery. Three
    ``Count(distinct=True)`` over joins multiplied attendance by items by actions: 2.5 million
    joined rows for a page of 25 meetings at 10,000 actions (issue 13)."""
    rows = model.objects.filter(meeting=OuterRef("pk"), **conditions).order_by()
    counted = rows.values("meeting").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), 0)


# The languages the notes can be downloaded in, as the export views name them.
NOTES_LANGUAGES = [("en", _("English")), ("cy", _("Welsh")), ("both", _("English and Welsh"))]


@dataclass
class AttendanceGroup:
    """The rows the notes list under one heading ("Secretariat", "Guests"…); the main list has
    no heading."""

    heading: str
    rows: list = field(default_factory=list)


@dataclass
class AttendanceSection:
    """Present, Apologies or Absent, and its groups (see ``attendance_sections``)."""

    status: str
    label: str
    groups: list[AttendanceGroup] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(group.rows) for group in self.groups)


def attendance_sections(rows) -> dict[str, AttendanceSection]:
    """The rows by status, and each status's rows by group: the main list (no heading) first,
    since rows shown after a heading would read as part of it, then the groups in the order the
    notes first list them. Rows keep the order they are given in."""
    sections = {
        status: AttendanceSection(status, label) for status, label in Attendance.Status.choices
    }
    for row in rows:
        section = sections.get(row.status)
        if section is None:
            continue
        heading = row.group.strip()
        group = next((g for g in section.groups if g.heading == heading), None)
        if group is None:
            group = AttendanceGroup(heading)
            section.groups.append(group)
        group.rows.append(row)
    for section in sections.values():
        section.groups.sort(key=lambda group: group.heading != "")  # stable: keeps the order
    return sections


class MeetingDetailView(RoleRequiredMixin, ArchiveLinksMixin, DetailView):
    template_name = "meetings/meeting_detail.html"
    context_object_name = "meeting"
    archive_url_name = "meetings:archive"
    restore_url_name = "meetings:restore"

    def get_queryset(self):
        # Serves the notes layout: attendance table, items with their "Action:" lines and the
        # Summary of Actions with each action's owner.
        actions = ActionItem.objects.select_related(
            "owner_person", "owner_organisation", "owner_role"
        ).order_by("number", "pk")
        return (
            Meeting.objects.visible_to(self.request.user)
            .select_related("forum")
            .prefetch_related(
                Prefetch(
                    "attendance",
                    queryset=Attendance.objects.select_related("organisation").order_by(
                        "order", "pk"
                    ),
                ),
                Prefetch(
                    "items",
                    queryset=AgendaItem.objects.prefetch_related(
                        Prefetch("actions", queryset=ActionItem.objects.order_by("number", "pk"))
                    ),
                ),
                Prefetch("actions", queryset=actions),
            )
        )

    def get_context_data(self, **kwargs):
        sections = attendance_sections(self.object.attendance.all())
        previous_actions = []
        if services.opens_with_previous_actions(self.object):
            previous_actions = services.previous_actions_for_notes(self.object, self.request.user)
        return super().get_context_data(
            present=sections[Attendance.Status.PRESENT],
            apologies=sections[Attendance.Status.APOLOGIES],
            absent=sections[Attendance.Status.ABSENT],
            previous_actions=previous_actions,
            notes_languages=NOTES_LANGUAGES,
            can_edit=access.can_manage_forum(self.request.user, self.object.forum_id),
            **kwargs,
        )
