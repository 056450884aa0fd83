"""Removing an action: a confirmation page that says what the removal affects, then the action
is archived, never deleted, so that its page, progress notes and history survive."""

from django.db.models import Count
from django.forms import modelform_factory
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import UpdateView

from actions.models import ActionItem
from wrc import access
from wrc.editing import VersionedFormMixin, VersionedModelForm

ActionRemoveForm = modelform_factory(ActionItem, form=VersionedModelForm, fields=[])


class ActionRemoveView(access.RoleRequiredMixin, VersionedFormMixin, UpdateView):
    role_check = staticmethod(access.is_staff_role)
    template_name = "actions/actionitem_confirm_remove.html"
    context_object_name = "action"
    form_class = ActionRemoveForm
    success_message = _(
        "The action has been archived: it no longer appears in lists, and its page, progress "
        "notes and history are kept."
    )

    def get_queryset(self):
        # The page names the meeting and its forum and counts the progress notes kept.
        return (
            ActionItem.objects.visible_to(self.request.user)
            .active()
            .select_related("meeting__forum", "owner_person", "owner_organisation", "owner_role")
            .annotate(note_count=Count("updates"))
        )

    def get_object(self, queryset=None):
        action = super().get_object(queryset)
        access.require_manage_forum(self.request.user, action.meeting.forum_id)
        return action

    def save_form(self, form):
        form.claim_version()
        self.object.archive()
        return self.object

    def get_success_url(self):
        return reverse("meetings:edit_actions", args=[self.object.meeting_id])
