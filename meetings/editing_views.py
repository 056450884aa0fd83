"""Officials and the secretariat write up a meeting in one flow: details, agenda, attendance,
actions, and the actions of the meeting before. Forum members and outsiders get 403; the
secretariat of another forum gets 404 for a meeting they may not see and 403 for one they may
see but whose forum they do not keep the records of."""

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import CreateView

from actions.forms import PreviousActionsFormSetClass, action_formset_class
from actions.models import ActionItem
from actions.services import refresh_next_meeting_due_dates
from directory.forms import new_record_forums
from meetings import services
from meetings.forms import AgendaFormSet, AttendanceFormSet, MeetingForm, MeetingLockForm
from meetings.models import Meeting
from wrc import access
from wrc.archiving import ArchiveView, counted
from wrc.editing import StaleEditError, VersionedFormMixin, VersionedUpdateView
from wrc.lib import bilingual
from wrc.lib.numbering import next_number_after

STEPS = (
    ("meetings:edit", _("Details")),
    ("meetings:edit_agenda", _("Agenda and discussion")),
    ("meetings:edit_attendance", _("Attendance")),
    ("meetings:edit_actions", _("Actions")),
    ("meetings:edit_previous_actions", _("Actions from the last meeting")),
)


class StaffOnlyMixin(access.RoleRequiredMixin):
    role_check = staticmethod(access.is_staff_role)


def meeting_for_editing(user, pk, queryset=None) -> Meeting:
    """The meeting ``user`` may change: 404 if they may not see it, 403 if its forum is not
    one whose records they keep."""
    queryset = Meeting.objects.all() if queryset is None else queryset
    meeting = get_object_or_404(queryset.visible_to(user).select_related("forum"), pk=pk)
    access.require_manage_forum(user, meeting.forum_id)
    return meeting


def step_links(meeting, current):
    return [
        {"url": reverse(name, args=[meeting.pk]), "label": label, "current": name == current}
        for name, label in STEPS
    ]


def next_step_url(meeting, current):
    names = [name for name, _label in STEPS]
    index = names.index(current)
    if index + 1 < len(names):
        return reverse(names[index + 1], args=[meeting.pk])
    return meeting.get_absolute_url()


class MeetingCreateView(StaffOnlyMixin, VersionedFormMixin, CreateView):
    model = Meeting
    form_class = MeetingForm
    template_name = "meetings/edit/meeting_form.html"
    success_message = _("The meeting has been created. Now add its agenda.")

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"forums": new_record_forums(self.request.user)}

    def get_initial(self):
        # ?forum=<slug>, from a forum's page: the new meeting is that forum's, if it is theirs.
        slug = self.request.GET.get("forum", "")
        forum = access.managed_forums(self.request.user).filter(slug=slug).first()
        return {"forum": forum} if forum else {}

    def save_form(self, form):
        return services.meeting_create(meeting=form.save(commit=False))

    def get_success_url(self):
        return reverse("meetings:edit_agenda", args=[self.object.pk])


class MeetingDetailsView(StaffOnlyMixin, VersionedUpdateView):
    form_class = MeetingForm
    template_name = "meetings/edit/meeting_form.html"
    context_object_name = "meeting"
    step = "meetings:edit"

    def get_object(self, queryset=None):
        return meeting_for_editing(self.request.user, self.kwargs["pk"])

    def save_form(self, form):
        sequence_before = form.instance.ics_sequence
        if form.one_language:
            reason = form.cleaned_data["one_language_reason"]
            bilingual.record_one_language(form.instance, user=self.request.user, reason=reason)
        meeting = form.save()
        # A moved or cancelled meeting changes when "before the next meeting" actions are due.
        refresh_next_meeting_due_dates(meeting.forum)
        # Saving raises the diary marker's sequence when the time, place or status changed
        # (calendars.signals); invitees' diaries only change when the new marker is sent.
        self.diary_changed = meeting.ics_sequence != sequence_before
        return meeting

    @property
    def success_message(self):
        if not getattr(self, "diary_changed", False):
            return VersionedUpdateView.success_message
        url = reverse("calendars:meeting_invitations", args=[self.object.pk])
        if self.object.status == Meeting.Status.CANCELLED:
            return format_html(
                '{} <a class="govuk-notification-banner__link" href="{}">{}</a>',
                _(
                    "The meeting is cancelled: invitees' diaries still show it until the "
                    "cancellation is sent."
                ),
                url,
                _("Send the cancellation to invitees"),
            )
        return format_html(
            '{} <a class="govuk-notification-banner__link" href="{}">{}</a>',
            _("Your changes have been saved. The time, place or status changed."),
            url,
            _("Send the updated diary marker to invitees"),
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(steps=step_links(self.object, self.step), **kwargs)

    def get_success_url(self):
        if "continue" in self.request.POST:
            return next_step_url(self.object, self.step)
        return self.request.path


class MeetingStepView(StaffOnlyMixin, View):
    """One page of the flow that edits rows belonging to the meeting through a formset."""

    template_name = ""
    step = ""
    page_title = ""
    success_message = _("Your changes have been saved.")
    locks_meeting = True

    @cached_property
    def meeting(self):
        return meeting_for_editing(self.request.user, self.kwargs["pk"])

    def get_formset(self, data=None):
        raise NotImplementedError

    def save_formset(self, formset):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        lock = MeetingLockForm(instance=self.meeting) if self.locks_meeting else None
        return self.render(lock, self.get_formset())

    def post(self, request, *args, **kwargs):
        lock = MeetingLockForm(request.POST, instance=self.meeting) if self.locks_meeting else None
        formset = self.get_formset(request.POST)
        lock_ok = lock is None or lock.is_valid()
        if not (lock_ok and formset.is_valid()):
            return self.render(lock, formset)
        if self.deletions(formset) and "confirm_delete" not in request.POST:
            # Rows ticked for removal go only once the page has said what goes with them; the
            # page comes back with every change still in it and a button that confirms.
            return self.render(lock, formset)
        try:
            with transaction.atomic():
                claim_meeting(lock)
                response = self.save_formset(formset)
        except StaleEditError:
            return self.render(lock, formset)
        messages.success(request, response.get("message") or self.success_message)
        return HttpResponseRedirect(response.get("url") or self.success_url())

    def success_url(self):
        if "continue" in self.request.POST:
            return next_step_url(self.meeting, self.step)
        return self.request.path

    def get_context_data(self, **kwargs):
        return {
            "meeting": self.meeting,
            "steps": step_links(self.meeting, self.step),
            "page_title": self.page_title,
            **kwargs,
        }

    def deletions(self, formset) -> list[str]:
        """What removing the rows ticked in ``formset`` deletes, a sentence each."""
        if not formset.is_bound or not formset.is_valid():
            return []
        return [self.describe_deletion(form.instance) for form in formset.deleted_forms]

    def describe_deletion(self, row) -> str:
        return str(row)

    def render(self, lock, formset):
        has_errors = bool((lock is not None and lock.errors) or not formset_ok(formset))
        context = self.get_context_data(
            form=lock,
            formset=formset,
            formsets=[formset],
            has_errors=has_errors,
            deletions=[] if has_errors else self.deletions(formset),
        )
        return render(self.request, self.template_name, context)


def claim_meeting(lock):
    if lock is None:
        return
    try:
        lock.claim_version()
    except StaleEditError:
        lock.refuse_stale()
        raise


def formset_ok(formset):
    if not formset.is_bound:
        return True
    return formset.is_valid() and not any(form.non_field_errors() for form in formset.forms)


class AgendaView(MeetingStepView):
    template_name = "meetings/edit/agenda.html"
    step = "meetings:edit_agenda"
    page_title = _("Agenda and discussion")

    def get_formset(self, data=None):
        return AgendaFormSet(data, instance=self.meeting, prefix="items")

    def describe_deletion(self, item):
        actions = item.actions.active().count()
        if not actions:
            return _("Item %(number)s, “%(title)s”, and its discussion.") % {
                "number": item.number,
                "title": item.title,
            }
        return ngettext(
            "Item %(number)s, “%(title)s”, and its discussion. Its %(count)s action stays, "
            "under no item.",
            "Item %(number)s, “%(title)s”, and its discussion. Its %(count)s actions stay, "
            "under no item.",
            actions,
        ) % {"number": item.number, "title": item.title, "count": actions}

    def save_formset(self, formset):
        saved = formset.save(commit=False)
        for item in formset.deleted_objects:
            item.delete()
        number = next_number_after(item.number for item in self.meeting.items.all())
        for item in saved:
            if item.pk is None:
                item.number, number = number, number + 1
            item.save()
        services.agenda_renumber(self.meeting, list(self.meeting.items.order_by("number", "pk")))
        return self.apply_move()

    def apply_move(self):
        pk, _sep, direction = self.request.POST.get("move", "").partition(":")
        if not pk.isdigit() or direction not in ("up", "down"):
            return {}
        services.agenda_move(self.meeting, item_pk=int(pk), direction=direction)
        message = _("The agenda has been reordered.")
        return {"url": f"{self.request.path}#item-{pk}", "message": message}

    def get_context_data(self, **kwargs):
        previous_actions = services.previous_open_actions(self.meeting).select_related(
            "owner_person", "owner_organisation", "owner_role"
        )
        return super().get_context_data(
            previous_actions=previous_actions,
            previous_actions_title=services.PREVIOUS_ACTIONS_TITLE,
            **kwargs,
        )


class AttendanceView(MeetingStepView):
    template_name = "meetings/edit/attendance.html"
    step = "meetings:edit_attendance"
    page_title = _("Attendance")

    def get_formset(self, data=None):
        return AttendanceFormSet(data, instance=self.meeting, prefix="attendance")

    def describe_deletion(self, row):
        return _("The attendance row “%(row)s”.") % {"row": row.as_written or row.name}

    def save_formset(self, formset):
        saved = formset.save(commit=False)
        for row in formset.deleted_objects:
            row.delete()
        order = next_number_after(row.order for row in self.meeting.attendance.all())
        for row in saved:
            if row.pk is None:
                row.order, order = order, order + 1
            row.save()
        if "copy_previous" not in self.request.POST:
            return {}
        added = services.attendance_copy_from_previous(self.meeting)
        if self.meeting.previous() is None:
            message = _("There is no earlier meeting to copy attendance from.")
        else:
            message = _("%(count)d rows copied from the previous meeting.") % {"count": added}
        return {"url": self.request.path, "message": message}

    def get_context_data(self, **kwargs):
        return super().get_context_data(previous=self.meeting.previous(), **kwargs)


class ActionsView(MeetingStepView):
    template_name = "meetings/edit/actions.html"
    step = "meetings:edit_actions"
    page_title = _("Actions")
    locks_meeting = False  # each action carries its own version

    def get_formset(self, data=None):
        extra = 2 if self.meeting.items.exists() else 0
        return action_formset_class(extra)(data, meeting=self.meeting, prefix="actions")

    def save_formset(self, formset):
        # Removing an action is a page of its own (actions:remove), which archives it.
        for form in formset.forms:
            try:
                if form.row_edited:
                    form.save()
            except StaleEditError:
                form.refuse_stale()
                raise
        refresh_next_meeting_due_dates(self.meeting.forum)
        return {}


class PreviousActionsView(MeetingStepView):
    template_name = "meetings/edit/previous_actions.html"
    step = "meetings:edit_previous_actions"
    page_title = _("Actions from the last meeting")
    locks_meeting = False  # each action carries its own version
    success_message = _("The actions of the last meeting have been updated.")

    @cached_property
    def previous(self):
        return self.meeting.previous()

    def get_formset(self, data=None):
        # Bound to every action of that meeting, so that an action closed by its owner after
        # this page was opened is still found by its id.
        queryset = ActionItem.objects.filter(meeting=self.previous).order_by("number", "pk")
        if data is None:
            queryset = queryset.open()
        return PreviousActionsFormSetClass(
            data, queryset=queryset, author=self.request.user, prefix="previous"
        )

    def save_formset(self, formset):
        for form in formset.forms:
            if form.row_edited:
                try:
                    form.save()
                except StaleEditError:
                    form.refuse_stale()
                    raise
        return {}

    def get_context_data(self, **kwargs):
        closed = []
        if self.previous is not None:
            closed = ActionItem.objects.filter(meeting=self.previous).exclude(
                status__in=ActionItem.OPEN_STATUSES
            )
        return super().get_context_data(previous=self.previous, closed_actions=closed, **kwargs)


class MeetingArchiveView(ArchiveView):
    """Officials archive a meeting entered by mistake or twice, rather than delete it with its
    actions, attendance and notes."""

    model = Meeting
    extra_context = {"record_kind": _("Meeting")}

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user).select_related("forum")

    def affects(self):
        meeting = self.object
        actions = meeting.actions.active().count()
        items = meeting.items.count()
        attendance = meeting.attendance.count()
        return counted(
            [
                (actions, ngettext("%(count)s action", "%(count)s actions", actions)),
                (items, ngettext("%(count)s agenda item", "%(count)s agenda items", items)),
                (
                    attendance,
                    ngettext(
                        "%(count)s attendance record", "%(count)s attendance records", attendance
                    ),
                ),
            ]
        )

    def after(self):
        # The meeting no longer follows (or again follows) the one before it: "before the
        # next meeting" actions take the date of the meeting that now comes next.
        refresh_next_meeting_due_dates(self.object.forum)


class MeetingRestoreView(MeetingArchiveView):
    restore = True
