import django_filters
from django.utils.translation import gettext_lazy as _

from directory.forums import ForumFilterMixin, forum_filter
from meetings.models import Meeting


class MeetingFilter(ForumFilterMixin, django_filters.FilterSet):
    forum = forum_filter()
    title = django_filters.CharFilter(label=_("Title contains"), lookup_expr="icontains")
    year = django_filters.NumberFilter(label=_("Year"), field_name="starts_at__year")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Meeting.Status.choices, empty_label=_("Any status")
    )

    class Meta:
        model = Meeting
        fields = ["forum", "title", "year", "status"]
