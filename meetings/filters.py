import django_filters
from django.utils.translation import gettext_lazy as _

from meetings.models import Meeting


class MeetingFilter(django_filters.FilterSet):
    title = django_filters.CharFilter(label=_("Title contains"), lookup_expr="icontains")
    year = django_filters.NumberFilter(label=_("Year"), field_name="starts_at__year")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Meeting.Status.choices, empty_label=_("Any status")
    )

    class Meta:
        model = Meeting
        fields = ["title", "year", "status"]
