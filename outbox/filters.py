import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from directory.forums import ForumFilterMixin, forum_filter
from outbox.models import OutgoingMail


class OutgoingMailFilter(ForumFilterMixin, django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=OutgoingMail.Kind.choices, empty_label=_("Any kind")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=OutgoingMail.Status.choices, empty_label=_("Any status")
    )
    forum = forum_filter()
    queued_from = django_filters.DateFilter(
        label=_("Queued on or after"),
        field_name="queued_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    queued_to = django_filters.DateFilter(
        label=_("Queued on or before"),
        field_name="queued_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = OutgoingMail
        fields = ["kind", "status", "forum", "queued_from", "queued_to"]
