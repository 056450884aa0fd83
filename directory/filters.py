import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from directory.models import Organisation, OrganisationAlias, Person


class OrganisationFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(
        label=_("Name contains"), method="filter_name", help_text=_("Or a short or other name")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Organisation.Kind.choices, empty_label=_("Any kind")
    )

    class Meta:
        model = Organisation
        fields = ["name", "kind"]

    def filter_name(self, queryset, name, value):
        # Other names through a subquery: a join would repeat an organisation once per alias.
        aliases = OrganisationAlias.objects.filter(alias__icontains=value).values("organisation")
        return queryset.filter(
            Q(name__icontains=value) | Q(short_name__icontains=value) | Q(pk__in=aliases)
        )


class PersonFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(
        label=_("Name contains"), field_name="full_name", lookup_expr="icontains"
    )
    organisation = django_filters.CharFilter(
        label=_("Organisation contains"),
        field_name="organisation__name",
        lookup_expr="icontains",
    )

    class Meta:
        model = Person
        fields = ["name", "organisation"]
