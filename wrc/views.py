"""Pages that belong to no single app: home, sign in and the accessibility statement."""

from dataclasses import dataclass, field

from django.contrib.auth import views as auth_views
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.utils.decorators import method_decorator
from django.views.generic import TemplateView

try:  # Django 5.1+
    from django.contrib.auth.decorators import login_not_required
except ImportError:  # pragma: no cover
    login_not_required = lambda view: view  # noqa: E731

from actions.models import ActionItem
from correspondence.models import Letter
from directory.forums import visible_forums
from directory.models import Forum
from hatecrime.models import DeliveryPlan, Objective, PlanAction
from meetings.models import Meeting
from wrc.access import RoleRequiredMixin
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


@dataclass
class ForumSection:
    """What the home page shows of one forum: its next meeting, the user's open actions from
    its meetings and its recent letters."""

    forum: Forum
    next_meeting: Meeting | None = None
    actions: list = field(default_factory=list)
    letters: list = field(default_factory=list)


def next_meetings(user, forums):
    """The next meeting of each of ``forums`` (``MeetingQuerySet.next_of_forums``), in one
    query, each marked with whether its page opens for ``user``."""
    meetings = list(Meeting.objects.next_of_forums(forums).select_related("forum"))
    for meeting in meetings:
        meeting.page_open = meeting.is_visible_to(user)
    return meetings


def recent_letters(user):
    """The latest RECENT_LETTERS letters of each forum that ``user`` may see, in one query."""
    rank = Window(RowNumber(), partition_by=F("forum"), order_by=[F("date").desc(), F("pk")])
    return (
        Letter.objects.visible_to(user)
        .annotate(rank=rank)
        .filter(rank__lte=RECENT_LETTERS)
        .select_related("forum")
        .order_by("-date", "reference")
    )


def forum_sections(forums, *, meetings, actions, letters):
    """One section per visible forum (by name), then any other forum the user's actions or
    letters come from; actions of no meeting are left for the caller."""
    sections = {forum.pk: ForumSection(forum) for forum in forums}

    def section_of(forum):
        return sections.setdefault(forum.pk, ForumSection(forum))

    for meeting in meetings:
        section_of(meeting.forum).next_meeting = meeting
    for action in actions:
        if action.meeting is not None:
            section_of(action.meeting.forum).actions.append(action)
    for letter in letters:
        section_of(letter.forum).letters.append(letter)
    return list(sections.values())


class HomeView(RoleRequiredMixin, TemplateView):
    """One forum: the user's open actions, the next meeting and recent letters. Someone who
    sees several forums gets them grouped by forum. A fixed number of queries either way."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        forums = visible_forums(user)
        plan = DeliveryPlan.objects.visible_to(user).select_related("forum").first()
        my_actions = list(
            ActionItem.objects.owned_by(user)
            .active()
            .open()
            .select_related("meeting__forum")
            .order_by("due_date", "pk")
        )
        # Every role may know when and where its forums meet next (members are invited);
        # whether the meeting's page opens depends on its notes being visible to them.
        meetings = next_meetings(user, forums)
        letters = list(recent_letters(user))
        sections = forum_sections(forums, meetings=meetings, actions=my_actions, letters=letters)
        return super().get_context_data(
            grouped=len(forums) > 1,
            sections=sections,
            other_actions=[action for action in my_actions if action.meeting is None],
            my_actions=my_actions,
            next_meeting=meetings[0] if meetings else None,
            recent_letters=letters[:RECENT_LETTERS],
            plan=plan,
            plan_objectives=plan_summary(plan) if plan else [],
            statuses=PlanAction.Status,
            **kwargs,
        )
