"""What an action's owner sees and does: "My actions" and the progress update form.

Forum members own actions directly, through their organisation or through a role they hold
(``ActionQuerySet.owned_by``). They may update only those, wherever they are; officials and the
secretariat may update any action of a forum whose records they keep. An action the user may
not see is a 404; one they may see but not change (a shared meeting's action owned by someone
else) is a 403.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Count, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from actions.member_forms import ActionProgressForm
from actions.models import DUE_SOON_LABEL, ActionItem, due_soon_until, is_due_soon
from wrc import access
from wrc.access import RoleRequiredMixin
from wrc.editing import VersionedUpdateView

# As many as the actions list shows on a page.
PAGE_SIZE = 25


@dataclass
class ActionGroup:
    key: str
    title: str
    actions: list = field(default_factory=list)
    # Every action in the group, on this page or another.
    count: int = 0


def group_key(action, today) -> str:
    if not action.is_open:
        return "completed"
    if action.due_date is None:
        return "no_date"
    if action.due_date < today:
        return "overdue"
    if is_due_soon(action.due_date, today):
        return "due_soon"
    return "later"


def group_actions(actions, today=None) -> list[ActionGroup]:
    """Overdue → Due soon → Later → No date → Completed, each in date order."""
    today = today or timezone.localdate()
    groups = [
        ActionGroup("overdue", _("Overdue")),
        ActionGroup("due_soon", DUE_SOON_LABEL),
        ActionGroup("later", _("Later")),
        ActionGroup("no_date", _("No date")),
        ActionGroup("completed", _("Completed")),
    ]
    by_key = {group.key: group for group in groups}
    for action in actions:
        by_key[group_key(action, today)].actions.append(action)
    return groups


GROUP_ORDER = ["overdue", "due_soon", "later", "no_date", "completed"]


def group_rank(today):
    """``group_key`` in the database, as the group's place in GROUP_ORDER: a page holds the
    next actions in the groups' order, and one query counts every group."""
    soon = due_soon_until(today)
    rank = {key: Value(number) for number, key in enumerate(GROUP_ORDER)}
    return Case(
        When(~Q(status__in=ActionItem.OPEN_STATUSES), then=rank["completed"]),
        When(due_date__isnull=True, then=rank["no_date"]),
        When(due_date__lt=today, then=rank["overdue"]),
        When(due_date__lte=soon, then=rank["due_soon"]),
        default=rank["later"],
    )


def may_update(user, action) -> bool:
    """Officials and the forum's secretariat update any of its actions; an owner their own."""
    if access.can_manage_forum(user, action.meeting.forum_id):
        return True
    return ActionItem.objects.owned_by(user).filter(pk=action.pk).exists()


def ownership_of(action, person) -> str:
    """Why ``action`` is ``person``'s: the owner through which it reaches them."""
    if action.owner_person_id and action.owner_person_id == person.pk:
        return str(_("You"))
    if action.owner_organisation_id and action.owner_organisation_id == person.organisation_id:
        return action.owner_organisation.display_name
    if action.owner_role_id:
        return str(action.owner_role)
    return action.owner_display


class MyActionsView(RoleRequiredMixin, TemplateView):
    template_name = "actions/my_actions.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        person = access.person_of(user)
        today = timezone.localdate()
        owned = ActionItem.objects.owned_by(user).active().annotate(group=group_rank(today))
        # Two queries: the size of every group, then the page, each row with its source
        # meeting, agenda item and the owner it reaches the user through.
        counts = owned.aggregate(
            **{key: Count("pk", filter=Q(group=n)) for n, key in enumerate(GROUP_ORDER)}
        )
        paginator = Paginator(
            owned.select_related(
                "meeting__forum", "agenda_item", "owner_organisation", "owner_role"
            ).order_by("group", "due_date", "meeting__starts_at", "number", "pk"),
            PAGE_SIZE,
        )
        paginator.count = sum(counts.values())  # known already: no second count query
        page_obj = paginator.get_page(self.request.GET.get("page"))
        actions = list(page_obj.object_list)
        for action in actions:
            action.owned_through = ownership_of(action, person)
        groups = group_actions(actions, today)
        for group in groups:
            group.count = counts[group.key]
        return super().get_context_data(
            person=person,
            groups=groups,
            page_obj=page_obj,
            open_count=sum(g.count for g in groups if g.key != "completed"),
            total_count=paginator.count,
            **kwargs,
        )


class ActionProgressView(RoleRequiredMixin, VersionedUpdateView):
    form_class = ActionProgressForm
    template_name = "actions/actionitem_progress.html"
    context_object_name = "action"
    success_message = _("Your update has been saved.")

    def get_queryset(self):
        return ActionItem.objects.visible_to(self.request.user).select_related(
            "meeting__forum", "owner_person", "owner_organisation", "owner_role"
        )

    def get_object(self, queryset=None):
        action = super().get_object(queryset)
        if not may_update(self.request.user, action):
            raise PermissionDenied
        return action

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"author": self.request.user}

    def get_success_url(self):
        return self.object.get_absolute_url()
