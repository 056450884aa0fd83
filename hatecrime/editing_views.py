"""Officials edit the delivery plan: the plan, its objectives, delivery areas and actions, and a
new plan year copied from an existing one. The secretariat and members may read it but not edit
it (403)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import CreateView, DetailView, FormView

from hatecrime import services
from hatecrime.forms import (
    DeliveryAreaForm,
    DeliveryPlanForm,
    ObjectiveForm,
    PlanActionForm,
    PlanCopyForm,
    PlanSectionFormSet,
)
from hatecrime.models import DeliveryArea, DeliveryPlan, Objective, PlanAction, PlanActionLead
from wrc import access
from wrc.editing import VersionedDeleteView, VersionedFormMixin, VersionedUpdateView
from wrc.lib.numbering import next_number

FORM_TEMPLATE = "hatecrime/edit/form.html"
DELETE_TEMPLATE = "hatecrime/edit/confirm_delete.html"


class OfficialsOnlyMixin(access.RoleRequiredMixin):
    role_check = staticmethod(access.is_official)


def structure_url(plan, anchor=""):
    url = reverse("hatecrime:plan_structure", args=[plan.slug])
    return f"{url}#{anchor}" if anchor else url


class PlanStructureView(OfficialsOnlyMixin, DetailView):
    """The plan as an outline with a link to change, add or delete every part."""

    template_name = "hatecrime/edit/plan_structure.html"
    context_object_name = "plan"
    slug_field = "slug"
    slug_url_kwarg = "period"

    def get_queryset(self):
        # Objective → area → action → leads: one query per level, whatever the plan's size.
        leads = Prefetch(
            "lead_links", queryset=PlanActionLead.objects.select_related("organisation")
        )
        actions = PlanAction.objects.prefetch_related(leads)
        areas = DeliveryArea.objects.order_by("number").prefetch_related(
            Prefetch("actions", queryset=actions)
        )
        objectives = Objective.objects.order_by("number").prefetch_related(
            Prefetch("areas", queryset=areas)
        )
        return DeliveryPlan.objects.prefetch_related(Prefetch("objectives", queryset=objectives))


class PlanMixin(OfficialsOnlyMixin):
    """A page about one part of the plan named by the ``period`` in the URL."""

    template_name = FORM_TEMPLATE
    page_title = ""

    @cached_property
    def plan(self):
        return get_object_or_404(DeliveryPlan, slug=self.kwargs["period"])

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"plan": self.plan}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            plan=self.plan,
            page_title=self.page_title,
            cancel_url=structure_url(self.plan),
            **kwargs,
        )


class PlanEditView(OfficialsOnlyMixin, VersionedUpdateView):
    model = DeliveryPlan
    form_class = DeliveryPlanForm
    template_name = FORM_TEMPLATE
    slug_field = "slug"
    slug_url_kwarg = "period"
    context_object_name = "plan"
    template_name = "hatecrime/edit/plan_form.html"
    page_title = _("Change the plan's title and introduction")

    def sections_formset(self):
        data = self.request.POST if self.request.method == "POST" else None
        return PlanSectionFormSet(data, instance=self.object, prefix="sections")

    def get_context_data(self, **kwargs):
        sections = kwargs.setdefault("sections", self.sections_formset())
        kwargs["section_formsets"] = [sections]
        return super().get_context_data(
            page_title=self.page_title, cancel_url=structure_url(self.object), **kwargs
        )

    def form_valid(self, form):
        # The sections are saved with the plan, under the plan's version claim.
        self.sections = self.sections_formset()
        if not self.sections.is_valid():
            return self.form_invalid(form)
        return super().form_valid(form)

    def form_invalid(self, form):
        sections = getattr(self, "sections", None) or self.sections_formset()
        return self.render_to_response(self.get_context_data(form=form, sections=sections))

    def save_form(self, form):
        plan = form.save()
        self.sections.instance = plan
        self.sections.save()
        return plan

    def get_success_url(self):
        return structure_url(self.object)


class PlanCopyView(PlanMixin, FormView):
    form_class = PlanCopyForm
    page_title = _("Start a new plan year from this plan")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["source"] = kwargs.pop("plan")
        return kwargs

    def form_valid(self, form):
        try:
            plan = services.plan_copy_year(
                source=self.plan,
                period=form.cleaned_data["period"],
                title_en=form.cleaned_data["title_en"],
                title_cy=form.cleaned_data["title_cy"],
                copied_by=self.request.user,
            )
        except ValidationError as error:
            form.add_error("period", error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("The %(period)s plan has been created from %(source)s.")
            % {"period": plan.period, "source": self.plan.period},
        )
        return HttpResponseRedirect(structure_url(plan))


class ObjectiveMixin(PlanMixin):
    model = Objective
    form_class = ObjectiveForm

    def get_queryset(self):
        return Objective.objects.filter(plan=self.plan)

    def get_success_url(self):
        return structure_url(self.plan, f"objective-{self.object.number}")


class ObjectiveCreateView(ObjectiveMixin, VersionedFormMixin, CreateView):
    page_title = _("Add an objective")
    success_message = _("The objective has been added.")

    def get_initial(self):
        return {"number": next_number(self.get_queryset())}


class ObjectiveUpdateView(ObjectiveMixin, VersionedUpdateView):
    page_title = _("Change an objective")


class ObjectiveDeleteView(ObjectiveMixin, VersionedDeleteView):
    template_name = DELETE_TEMPLATE
    lock_fields = ("number", "title_en")
    page_title = _("Delete an objective")
    success_message = _("The objective has been deleted.")

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .annotate(
                area_count=Count("areas", distinct=True), action_count=Count("areas__actions")
            )
        )

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("plan")
        return kwargs

    def get_success_url(self):
        return structure_url(self.plan)


class AreaMixin(PlanMixin):
    model = DeliveryArea
    form_class = DeliveryAreaForm

    def get_queryset(self):
        return DeliveryArea.objects.filter(objective__plan=self.plan)

    def get_success_url(self):
        return structure_url(self.plan, f"area-{self.object.number}")


class AreaCreateView(AreaMixin, VersionedFormMixin, CreateView):
    page_title = _("Add a delivery area")
    success_message = _("The delivery area has been added.")

    def get_initial(self):
        objective_pk = self.request.GET.get("objective", "")
        objective = None
        if objective_pk.isdigit():
            objective = get_object_or_404(Objective, plan=self.plan, pk=objective_pk)
        return {"objective": objective, "number": next_number(self.get_queryset())}


class AreaUpdateView(AreaMixin, VersionedUpdateView):
    page_title = _("Change a delivery area")


class AreaDeleteView(AreaMixin, VersionedDeleteView):
    template_name = DELETE_TEMPLATE
    lock_fields = ("number", "title_en")
    page_title = _("Delete a delivery area")
    success_message = _("The delivery area has been deleted.")

    def get_queryset(self):
        return super().get_queryset().annotate(action_count=Count("actions"))

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("plan")
        return kwargs

    def get_success_url(self):
        return structure_url(self.plan)


class ActionMixin(PlanMixin):
    model = PlanAction
    form_class = PlanActionForm
    slug_field = "reference"
    slug_url_kwarg = "reference"

    def get_queryset(self):
        return PlanAction.objects.filter(plan=self.plan)

    def get_success_url(self):
        return structure_url(self.plan, f"action-{self.object.reference}")


class ActionCreateView(ActionMixin, VersionedFormMixin, CreateView):
    page_title = _("Add an action")
    success_message = _("The action has been added.")

    def get_initial(self):
        area_pk = self.request.GET.get("area", "")
        if not area_pk.isdigit():
            return {}
        area = get_object_or_404(DeliveryArea, objective__plan=self.plan, pk=area_pk)
        last = self.get_queryset().filter(area=area).order_by("-sort_minor").first()
        return {"area": area, "reference": f"{area.number}.{last.sort_minor + 1 if last else 1}"}


class ActionUpdateView(ActionMixin, VersionedUpdateView):
    page_title = _("Change an action")


class ActionDeleteView(ActionMixin, VersionedDeleteView):
    template_name = DELETE_TEMPLATE
    page_title = _("Delete an action")
    success_message = _("The action has been deleted.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("plan")
        return kwargs

    def get_success_url(self):
        return structure_url(self.plan)
