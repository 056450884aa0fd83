"""Pages that belong to no single app: home, sign in and the accessibility statement."""

from django.contrib.auth import views as auth_views
from django.db.models import Count, Q
from django.utils.decorators import method_decorator
from django.views.generic import TemplateView

try:  # Django 5.1+
    from django.contrib.auth.decorators import login_not_required
except ImportError:  # pragma: no cover
    login_not_required = lambda view: view  # noqa: E731

from actions.models import ActionItem
from correspondence.models import Letter
from directory.access import RoleRequiredMixin
from hatecrime.models import DeliveryPlan, Objective, PlanAction
from meetings.models import Meeting
from wrc.forms import SignInForm

RECENT_LETTERS = 5


class SignInView(auth_views.LoginView):
    # LoginView passes the request to authenticate(), which django-axes needs to throttle.
    form_class = SignInForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@method_decorator(login_not_required, name="dispatch")
class AccessibilityView(TemplateView):
    template_name = "accessibility.html"


def plan_summary(plan):
    """Objectives of ``plan`` with their number of actions in each progress status."""
    counts = {
        status.value: Count("areas__actions", filter=Q(areas__actions__status=status))
        for status in PlanAction.Status
    }
    return Objective.objects.filter(plan=plan).annotate(total=Count("areas__actions"), **counts)


class HomeView(RoleRequiredMixin, TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        plan = DeliveryPlan.objects.first()
        return super().get_context_data(
            my_actions=ActionItem.objects.owned_by(user)
            .open()
            .select_related("meeting__forum")
            .order_by("due_date", "pk"),
            # Every role may know when and where the forum meets next (members are invited to
            # it); whether its page opens depends on the notes being visible to them.
            next_meeting=Meeting.objects.upcoming()
            .select_related("forum")
            .order_by("starts_at")
            .first(),
            recent_letters=Letter.objects.visible_to(user)[:RECENT_LETTERS],
            plan=plan,
            plan_objectives=plan_summary(plan) if plan else [],
            statuses=PlanAction.Status,
            **kwargs,
        )
