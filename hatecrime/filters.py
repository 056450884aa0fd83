import django_filters
from django.db.models import Q

from directory.forums import ForumFilterMixin, forum_filter
from hatecrime.models import DeliveryPlan


class PlanFilter(ForumFilterMixin, django_filters.FilterSet):
    forum = forum_filter(method="filter_forum")

    class Meta:
        model = DeliveryPlan
        fields = ["forum"]

    def filter_forum(self, queryset, name, forum):
        """The plans ``forum`` monitors and those shared with it."""
        shared = DeliveryPlan.shared_with.through.objects.filter(forum=forum).values("deliveryplan")
        return queryset.filter(Q(forum=forum) | Q(pk__in=shared))
