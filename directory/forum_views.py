"""The forums' own pages: the list of forums a user may see and each forum's page, with its next
meeting, open actions, members, letters and delivery plans. Officials set forums up; a forum's
managers (``access.can_manage_forum``) add and end its memberships.

A forum the user may not see is a 404; a change they may not make to one they see is a 403.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse_lazy
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import CreateView, DetailView, FormView, ListView, UpdateView

from actions.models import ActionItem
from correspondence.models import Letter
from directory.forum_forms import ForumForm, MembershipEndForm, MembershipForm
from directory.models import Forum, Membership
from hatecrime.models import DeliveryPlan
from meetings.models import Meeting
from wrc import access

FORM_TEMPLATE = "directory/edit/form.html"
RECENT_LETTERS = 5


def forum_for_user(user, slug):
    """The forum ``slug`` if ``user`` may see it, else 404."""
    return get_object_or_404(Forum.objects.visible_to(user), slug=slug)


def current_member_count():
    """Per forum (OuterRef "pk"): its current memberships, by the one rule of ``current()``."""
    rows = Membership.objects.current().filter(forum=OuterRef("pk")).values("forum")
    return Subquery(rows.annotate(n=Count("pk")).values("n")[:1])


class ForumListView(access.RoleRequiredMixin, ListView):
    template_name = "directory/forum_list.html"
    context_object_name = "forums"

    def get_queryset(self):
        # The member count of each row, in the one list query.
        return Forum.objects.visible_to(self.request.user).annotate(
            member_count=current_member_count()
        )


class ForumDetailView(DetailView):
    """Outsiders and members of other forums get a 404: the forum is not theirs to see."""

    template_name = "directory/forum_detail.html"
    context_object_name = "forum"

    def get_object(self, queryset=None):
        return forum_for_user(self.request.user, self.kwargs["slug"])

    def get_context_data(self, **kwargs):
        user, forum = self.request.user, self.object
        current, others = self.memberships()
        return super().get_context_data(
            next_meeting=self.next_meeting(),
            open_action_count=ActionItem.objects.visible_to(user)
            .filter(meeting__forum=forum)
            .active()
            .open()
            .count(),
            current_memberships=current,
            other_memberships=others,
            recent_letters=Letter.objects.visible_to(user).filter(forum=forum)[:RECENT_LETTERS],
            plans=self.plans(),
            can_manage=access.can_manage_forum(user, forum),
            can_edit=access.is_official(user),
            show_contact_details=access.can_see_contact_details(user),
            **kwargs,
        )

    def next_meeting(self):
        # The home page's rule: members are told when their forum meets next even while the
        # notes are a draft; whether its page opens is the meeting's own visibility.
        meeting = Meeting.objects.next_of_forums([self.object]).first()
        if meeting is not None:
            meeting.page_open = meeting.is_visible_to(self.request.user)
        return meeting

    def memberships(self):
        """Current memberships, and the others (ended, or not begun yet): history is kept."""
        rows = self.object.memberships.select_related("organisation", "person__organisation")
        current = list(rows.current())
        others = list(rows.exclude(pk__in=[m.pk for m in current]).order_by("-left_on", "role"))
        return current, others

    def plans(self):
        """Plans the forum monitors and plans shared with it, that the user may see."""
        shared = self.object.shared_delivery_plans.values("pk")
        return (
            DeliveryPlan.objects.visible_to(self.request.user)
            .filter(Q(forum=self.object) | Q(pk__in=shared))
            .select_related("forum")
            .order_by("-period")
        )


class FormPageMixin:
    """Context for directory/edit/form.html: title, breadcrumb parent and where Cancel goes."""

    page_title = ""

    def parent(self):
        return reverse_lazy("directory:forum_list"), _("Forums")

    def get_page_title(self):
        return self.page_title

    def get_context_data(self, **kwargs):
        parent_url, parent_label = self.parent()
        return super().get_context_data(
            page_title=self.get_page_title(),
            parent_url=parent_url,
            parent_label=parent_label,
            cancel_url=parent_url,
            **kwargs,
        )


class ForumCreateView(access.RoleRequiredMixin, FormPageMixin, CreateView):
    role_check = staticmethod(access.is_official)
    model = Forum
    form_class = ForumForm
    template_name = FORM_TEMPLATE
    page_title = _("Add a forum")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("The forum has been added."))
        return response


class ForumUpdateView(FormPageMixin, UpdateView):
    model = Forum
    form_class = ForumForm
    template_name = FORM_TEMPLATE
    page_title = _("Change a forum")

    def get_object(self, queryset=None):
        forum = forum_for_user(self.request.user, self.kwargs["slug"])
        if not access.is_official(self.request.user):
            raise PermissionDenied
        return forum

    def parent(self):
        return self.object.get_absolute_url(), self.object.local_name

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("The forum has been changed."))
        return response


class ManagedForumMixin(FormPageMixin):
    """Pages that change a forum's memberships: 404 unless the user sees the forum, 403 unless
    they keep its records."""

    def dispatch(self, request, *args, **kwargs):
        self.forum = forum_for_user(request.user, kwargs["slug"])
        access.require_manage_forum(request.user, self.forum)
        return super().dispatch(request, *args, **kwargs)

    def parent(self):
        return self.forum.get_absolute_url(), self.forum.local_name

    def get_success_url(self):
        return self.forum.get_absolute_url()


class MembershipCreateView(ManagedForumMixin, CreateView):
    form_class = MembershipForm
    template_name = FORM_TEMPLATE

    def get_page_title(self):
        return _("Add a member to %(forum)s") % {"forum": self.forum.local_name}

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"forum": self.forum}

    def form_valid(self, form):
        response = super().form_valid(form)
        membership = self.object
        messages.success(
            self.request,
            _("%(member)s has been added to the forum (%(role)s).")
            % {
                "member": membership.person or membership.organisation,
                "role": membership.get_role_display(),
            },
        )
        return response


class MembershipEndView(ManagedForumMixin, FormView):
    """End a current membership on a given day. The row stays: who belonged when is history."""

    form_class = MembershipEndForm
    template_name = "directory/membership_end.html"

    def get_page_title(self):
        return _("End a membership of %(forum)s") % {"forum": self.forum.local_name}

    @cached_property
    def membership(self):
        rows = self.forum.memberships.current().select_related("organisation", "person")
        return get_object_or_404(rows, pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"membership": self.membership}

    def get_context_data(self, **kwargs):
        return super().get_context_data(membership=self.membership, **kwargs)

    def form_valid(self, form):
        membership = self.membership
        # Conditional: if someone else ended or changed it meanwhile, nothing is overwritten.
        changed = Membership.objects.filter(pk=membership.pk, left_on=membership.left_on).update(
            left_on=form.cleaned_data["left_on"]
        )
        who = membership.person or membership.organisation
        if changed:
            messages.success(
                self.request, _("%(member)s's membership has ended.") % {"member": who}
            )
        else:
            messages.error(
                self.request,
                _("%(member)s's membership was changed by someone else; check it below.")
                % {"member": who},
            )
        return HttpResponseRedirect(self.get_success_url())
