import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from correspondence.models import Letter
from directory.forums import ForumFilterMixin, forum_filter


class LetterFilter(ForumFilterMixin, django_filters.FilterSet):
    forum = forum_filter()
    text = django_filters.CharFilter(label=_("Subject or reference contains"), method="filter_text")
    year = django_filters.NumberFilter(label=_("Year"), field_name="date__year")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Letter.Status.choices, empty_label=_("Any status")
    )

    class Meta:
        model = Letter
        fields = ["forum", "text", "year", "status"]

    def filter_text(self, queryset, name, value):
        return queryset.filter(
            Q(subject_en__icontains=value)
            | Q(subject_cy__icontains=value)
            | Q(reference__icontains=value)
        )
