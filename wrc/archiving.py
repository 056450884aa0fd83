"""Archiving and restoring the records others point at (organisations, people, meetings).

Nothing is deleted: an archived record leaves lists and choices, and its page, its links and
its history stay (``directory.models.ArchivableModel``). Officials archive and restore, after a
page that says what the record is linked to and so what stays.
"""

from django.contrib import messages
from django.forms import modelform_factory
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import UpdateView

from wrc import access
from wrc.editing import VersionedFormMixin, VersionedModelForm


def counted(lines) -> list[str]:
    """``(count, "%(count)s …" translated for that count)`` pairs as sentences, leaving out
    the noughts: what a confirmation page lists as linked to the record."""
    return [text % {"count": count} for count, text in lines if count]


class ArchiveView(access.RoleRequiredMixin, VersionedFormMixin, UpdateView):
    """Confirm, then archive (or, with ``restore``, bring back) one record. A stale page (the
    record changed after it was opened) is refused like any other edit."""

    role_check = staticmethod(access.is_official)
    template_name = "includes/archive_confirm.html"
    restore = False
    archive_message = _(
        "Archived: it no longer appears in lists and choices; its page, links and history are kept."
    )
    restore_message = _("Restored: it appears in lists and choices again.")

    def get_form_class(self):
        return modelform_factory(self.model, form=VersionedModelForm, fields=[])

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.already_done() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.already_done() or super().post(request, *args, **kwargs)

    def already_done(self):
        """Back to the record's page when it is archived (or restored) already: a second
        click, or another official was first."""
        if self.object.is_archived != self.restore:
            messages.info(self.request, self.already_message)
            return HttpResponseRedirect(self.object.get_absolute_url())
        return None

    @property
    def already_message(self):
        if self.restore:
            return _("It is not archived.")
        return _("It is archived already.")

    def affects(self) -> list[str]:
        """What the record is linked to, one sentence a line: all of it is kept."""
        return []

    def after(self) -> None:
        """What else follows from archiving or restoring (``self.object`` is saved)."""

    def save_form(self, form):
        form.claim_version()
        if self.restore:
            self.object.restore()
        else:
            self.object.archive()
        self.after()
        return self.object

    @property
    def success_message(self):
        return self.restore_message if self.restore else self.archive_message

    def get_success_url(self):
        return self.object.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            record=self.object,
            restore=self.restore,
            affects=self.affects(),
            cancel_url=self.object.get_absolute_url(),
            **kwargs,
        )


class ArchivedListMixin:
    """A list of archivable records: the archived ones are left out; officials (who restore
    them) see only those with ``?archived=yes``."""

    def showing_archived(self) -> bool:
        return self.request.GET.get("archived") == "yes" and access.is_official(self.request.user)

    def active_or_archived(self, queryset):
        return queryset.archived() if self.showing_archived() else queryset.active()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            showing_archived=self.showing_archived(),
            can_see_archived=access.is_official(self.request.user),
            **kwargs,
        )


class ArchiveLinksMixin:
    """A record's page: "archived" when it is, and for officials the link to archive or
    restore it (``archive_url_name`` and ``restore_url_name`` take ``url_args``)."""

    archive_url_name = ""
    restore_url_name = ""

    def url_args(self):
        return [self.object.pk]

    def get_context_data(self, **kwargs):
        record, official = self.object, access.is_official(self.request.user)
        name = self.restore_url_name if record.is_archived else self.archive_url_name
        return super().get_context_data(
            is_archived=record.is_archived,
            archive_link=reverse(name, args=self.url_args()) if official else "",
            **kwargs,
        )
