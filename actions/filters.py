import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from actions.models import DUE_SOON_LABEL, ActionItem
from directory.forums import ForumFilterMixin, forum_filter
from directory.models import OrganisationAlias, OwnerRole
from meetings.models import Meeting
from reminders.services import no_one_to_remind
from wrc import access


def meetings_for(request):
    if request is None:
        return Meeting.objects.none()
    return Meeting.objects.visible_to(request.user).select_related("forum")


# The meeting filter offers this many of the latest meetings: a <select> of every meeting was
# two thirds of the actions list's time at 1,000 meetings (issue 13).
RECENT_MEETINGS = 50


class RecentMeetingsSelect(forms.Select):
    """The latest RECENT_MEETINGS meetings, and the one chosen if it is older. Any meeting the
    user may see still filters (``?meeting=<id>``): the field validates against them all."""

    def optgroups(self, name, value, attrs=None):
        field = getattr(self.choices, "field", None)  # None once the choices are narrowed
        if field is None:
            return super().optgroups(name, value, attrs)
        latest = list(field.queryset.order_by("-starts_at")[:RECENT_MEETINGS])
        chosen = [v for v in value if str(v).isdigit() and int(v) not in {m.pk for m in latest}]
        older = list(field.queryset.filter(pk__in=chosen)) if chosen else []
        self.choices = [("", field.empty_label)] + [
            (meeting.pk, field.label_from_instance(meeting)) for meeting in latest + older
        ]
        return super().optgroups(name, value, attrs)


def roles_named(value):
    """Primary keys of the owner roles whose name or other name contains ``value``.

    Compared in Python, in one query: role aliases are a JSON list, and a database's text form
    of it may escape Welsh letters. There are only a few dozen roles."""
    wanted = value.casefold()
    return [
        pk
        for pk, *names, aliases in OwnerRole.objects.values_list("pk", "name", "name_cy", "aliases")
        if any(wanted in (n or "").casefold() for n in [*names, *(aliases or [])])
    ]


class ActionFilter(ForumFilterMixin, django_filters.FilterSet):
    DUE_CHOICES = [
        ("overdue", _("Overdue")),
        ("due_soon", DUE_SOON_LABEL),
        ("no_date", _("No date")),
    ]

    forum = forum_filter("meeting__forum")
    owner = django_filters.CharFilter(
        label=_("Owner"), method="filter_owner", help_text=_("As written or as resolved")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ActionItem.Status.choices, empty_label=_("Any status")
    )
    due = django_filters.ChoiceFilter(
        label=_("Due"), choices=DUE_CHOICES, method="filter_due", empty_label=_("Any time")
    )
    meeting = django_filters.ModelChoiceFilter(
        label=_("Meeting"),
        queryset=meetings_for,
        empty_label=_("Any meeting"),
        widget=RecentMeetingsSelect,
    )
    # For officials and the secretariat only: whose reminders reach nobody.
    reminders = django_filters.ChoiceFilter(
        label=_("Reminders"),
        choices=[("no_one", _("Owner cannot be reminded"))],
        method="filter_reminders",
        empty_label=_("Any"),
    )

    class Meta:
        model = ActionItem
        fields = ["forum", "owner", "status", "due", "meeting", "reminders"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.request is None or not access.is_staff_role(self.request.user):
            del self.filters["reminders"]

    def filter_owner(self, queryset, name, value):
        """Actions whose owner is written or resolved as ``value``: by the words of the notes,
        the person's name, or any name of the organisation or role (short names, aliases)."""
        value = value.strip()
        if not value:
            return queryset
        # Other names through a subquery: a join would repeat an action once per alias.
        aliases = OrganisationAlias.objects.filter(alias__icontains=value).values("organisation")
        return queryset.filter(
            Q(owner_text__icontains=value)
            | Q(owner_person__full_name__icontains=value)
            | Q(owner_organisation__name__icontains=value)
            | Q(owner_organisation__short_name__iexact=value)
            | Q(owner_organisation__in=aliases)
            | Q(owner_role__in=roles_named(value))
        )

    def filter_reminders(self, queryset, name, value):
        return no_one_to_remind(queryset) if value == "no_one" else queryset

    def filter_due(self, queryset, name, value):
        return {
            "overdue": queryset.overdue,
            "due_soon": queryset.due_soon,
            "no_date": queryset.no_date,
        }[value]()
