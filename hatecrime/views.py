from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView
from django_filters.views import FilterView

from hatecrime.filters import PlanFilter
from hatecrime.models import DeliveryArea, DeliveryPlan, Objective, PlanAction, PlanActionLead
from wrc.access import RoleRequiredMixin

# Every role sees the delivery plans of its forums, and those shared with them: a plan is a
# published document, but each forum monitors its own (DeliveryPlan.objects.visible_to).

LEADS = Prefetch(
    "lead_links", queryset=PlanActionLead.objects.select_related("organisation").order_by("order")
)


class PlanListView(RoleRequiredMixin, FilterView):
    template_name = "hatecrime/deliveryplan_list.html"
    context_object_name = "plans"
    filterset_class = PlanFilter
    strict = False

    def get_queryset(self):
        return (
            DeliveryPlan.objects.visible_to(self.request.user)
            .annotate(
                objective_count=Count("objectives", distinct=True),
                action_count=Count("actions", distinct=True),
            )
            .select_related("forum")
            .order_by("-period")
        )


class PlanDetailView(RoleRequiredMixin, DetailView):
    template_name = "hatecrime/deliveryplan_detail.html"
    context_object_name = "plan"
    slug_field = "slug"
    slug_url_kwarg = "period"

    def get_queryset(self):
        # Objective → delivery area → actions → lead organisations, one query per level.
        actions = PlanAction.objects.prefetch_related(LEADS)
        areas = DeliveryArea.objects.order_by("number").prefetch_related(
            Prefetch("actions", queryset=actions)
        )
        objectives = Objective.objects.order_by("number").prefetch_related(
            Prefetch("areas", queryset=areas)
        )
        return DeliveryPlan.objects.visible_to(self.request.user).prefetch_related(
            "sections", Prefetch("objectives", queryset=objectives)
        )


class PlanActionDetailView(RoleRequiredMixin, DetailView):
    template_name = "hatecrime/planaction_detail.html"
    context_object_name = "action"

    def get_object(self, queryset=None):
        plans = DeliveryPlan.objects.visible_to(self.request.user)
        queryset = (
            PlanAction.objects.filter(plan__in=plans)
            .select_related("plan", "area__objective", "origin__plan")
            .prefetch_related(LEADS)
        )
        return get_object_or_404(
            queryset, plan__slug=self.kwargs["period"], reference=self.kwargs["reference"]
        )
