"""Progress returns: what a lead organisation owes, writing a return, the secretariat's review,
and the plan's roll-up. The rules are in progress.services; these views only ask them."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from hatecrime.models import DeliveryPlan
from progress import services
from progress.forms import ReturnForm, ReviewForm, RollupFilterForm
from progress.models import ProgressReturn
from wrc.access import RoleRequiredMixin

PERIOD_PARAMETER = "reporting_period"


def chosen_period_id(request):
    value = request.POST.get(PERIOD_PARAMETER) or request.GET.get(PERIOD_PARAMETER)
    if not value:
        return None
    if not value.isdigit():
        raise Http404
    return int(value)


class DueView(RoleRequiredMixin, TemplateView):
    template_name = "progress/due.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            due=services.returns_due(user),
            to_review=list(services.returns_to_review(user)),
            plans=DeliveryPlan.objects.visible_to(user).order_by("-period"),
            **kwargs,
        )


class ActionPageMixin(RoleRequiredMixin):
    """A page about one plan action named by the plan's slug and the action's reference."""

    @cached_property
    def action(self):
        return services.get_visible_action(
            self.request.user, self.kwargs["period"], self.kwargs["reference"]
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(action=self.action, plan=self.action.plan, **kwargs)


class ReturnEditView(ActionPageMixin, TemplateView):
    template_name = "progress/return_form.html"

    def check_lead(self):
        if not services.leads_action(self.request.user, self.action):
            raise PermissionDenied

    @cached_property
    def periods(self):
        return list(services.writable_periods(self.action))

    @cached_property
    def period(self):
        wanted = chosen_period_id(self.request)
        if wanted is None:
            return self.periods[0] if self.periods else None
        for period in self.periods:
            if period.pk == wanted:
                return period
        raise Http404

    @cached_property
    def existing(self):
        if self.period is None:
            return None
        return ProgressReturn.objects.filter(action=self.action, period=self.period).first()

    def editable(self):
        return self.period is not None and (
            self.existing is None or self.existing.state in services.EDITABLE_STATES
        )

    def get(self, request, *args, **kwargs):
        self.check_lead()
        return self.render_to_response(self.get_context_data(form=self.make_form()))

    def post(self, request, *args, **kwargs):
        self.check_lead()
        if not self.editable():
            raise PermissionDenied
        form = self.make_form(request.POST)
        if form.is_valid():
            submit = bool(request.POST.get("submit"))
            try:
                services.save_return(
                    user=request.user,
                    action=self.action,
                    period=self.period,
                    data=form.cleaned_data,
                    submit=submit,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Your return has been sent for review.")
                    if submit
                    else _("Your draft has been saved."),
                )
                return HttpResponseRedirect(reverse("progress:due"))
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def make_form(self, data=None):
        if not self.editable():
            return None
        instance = self.existing or ProgressReturn(action=self.action, period=self.period)
        return ReturnForm(data, instance=instance)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            period=self.period,
            periods=self.periods,
            existing=self.existing,
            period_parameter=PERIOD_PARAMETER,
            **kwargs,
        )


class ReturnReviewView(ActionPageMixin, TemplateView):
    template_name = "progress/review_form.html"

    def check_reviewer(self):
        if not services.can_review(self.request.user, self.action.plan):
            raise PermissionDenied

    @cached_property
    def progress_return(self):
        returns = self.action.progress_returns.select_related("period", "submitted_by__person")
        wanted = chosen_period_id(self.request)
        if wanted is not None:
            return get_object_or_404(returns, period_id=wanted)
        return (
            returns.filter(state=ProgressReturn.State.SUBMITTED)
            .order_by("period__starts_on")
            .first()
        )

    def nothing_to_review(self):
        messages.info(self.request, _("No return for this action is waiting for review."))
        return HttpResponseRedirect(self.action.get_absolute_url())

    def reviewable(self):
        return self.progress_return.state == ProgressReturn.State.SUBMITTED

    def get(self, request, *args, **kwargs):
        self.check_reviewer()
        if self.progress_return is None:
            return self.nothing_to_review()
        form = ReviewForm() if self.reviewable() else None
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        self.check_reviewer()
        if self.progress_return is None:
            return self.nothing_to_review()
        if not self.reviewable():
            raise PermissionDenied
        form = ReviewForm(request.POST)
        if form.is_valid():
            accept = form.cleaned_data["decision"] == ReviewForm.ACCEPT
            try:
                services.review_return(
                    user=request.user,
                    progress_return=self.progress_return,
                    accept=accept,
                    note=form.cleaned_data["review_note"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("The return has been accepted.")
                    if accept
                    else _("The lead organisation has been asked for changes."),
                )
                return HttpResponseRedirect(reverse("progress:due"))
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        progress_return = self.progress_return
        return super().get_context_data(
            progress_return=progress_return,
            narrative=progress_return.narrative_in(get_language()),
            period_parameter=PERIOD_PARAMETER,
            **kwargs,
        )


class RollupView(RoleRequiredMixin, TemplateView):
    template_name = "progress/rollup.html"

    def get_context_data(self, **kwargs):
        plan = get_object_or_404(
            DeliveryPlan.objects.visible_to(self.request.user), slug=self.kwargs["period"]
        )
        form = RollupFilterForm(self.request.GET or None, plan=plan)
        filters = form.cleaned_data if form.is_valid() else {}
        organisation = filters.get("organisation")
        rows = services.rollup(
            plan,
            organisation_id=organisation.pk if organisation else None,
            status=filters.get("status") or None,
            language=get_language(),
        )
        columns = [*ProgressReturn.Status.choices, (services.NO_RETURN, _("No accepted return"))]
        return super().get_context_data(
            plan=plan,
            form=form,
            columns=columns,
            rows=[(row, row.cells([key for key, _label in columns])) for row in rows],
            **kwargs,
        )
