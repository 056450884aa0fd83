"""Pages that bring people in from a spreadsheet and take them out again, and the choice of an
organisation's main contact. The rules are in directory/contacts.py.

Officials and the secretariat only: the files carry people's contact details. The uploaded rows
wait in the user's session between the preview and the import, never in the page, so what is
imported is what the server read; the import page carries only the token naming them.
"""

import json
import os
import secrets

from crispy_forms_gds.helper import FormHelper
from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import FormView, TemplateView

from directory import audit, contacts
from directory.models import Forum, Organisation
from wrc import access

SESSION_KEY = "directory.contacts_import"
# What the session may hold for one upload: a few thousand rows of short cells.
MAX_SESSION_BYTES = 2 * 1024 * 1024
EXTENSIONS = (".csv", ".txt", ".tsv", ".xlsx")


class StaffOnlyMixin(access.RoleRequiredMixin):
    role_check = staticmethod(access.is_staff_role)


class ContactFileForm(forms.Form):
    file = forms.FileField(
        label=_("Contacts file"),
        help_text=_(
            "A CSV or Excel (.xlsx) file with a row per person and headings such as Name, Job "
            "title, Email, Phone, Organisation, Role, Forums, Preferred language and Main contact."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's <form> has the token

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if os.path.splitext(upload.name)[1].lower() not in EXTENSIONS:
            raise forms.ValidationError(
                _("“%(name)s” is not a CSV or Excel (.xlsx) file."), params={"name": upload.name}
            )
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("“%(name)s” is larger than %(limit)s. Upload a smaller file."),
                params={"name": upload.name, "limit": filesizeformat(settings.IMPORT_MAX_BYTES)},
            )
        # One byte past the limit: a file that grew since it was measured is refused too.
        data = upload.read(settings.IMPORT_MAX_BYTES + 1)
        try:
            self.contact_file = contacts.read_contacts(data, os.path.basename(upload.name))
        except contacts.ContactFileError as error:
            raise forms.ValidationError(str(error)) from error
        return upload


def pending_import(request) -> dict | None:
    pending = request.session.get(SESSION_KEY)
    if not isinstance(pending, dict) or pending.get("user") != request.user.pk:
        return None
    return pending


class ContactImportView(StaffOnlyMixin, FormView):
    """Upload a contacts file; the rows are read and kept for the preview, nothing is saved."""

    form_class = ContactFileForm
    template_name = "directory/contacts_import.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            export_forums=access.managed_forums(self.request.user).order_by("name"), **kwargs
        )

    def form_valid(self, form):
        pending = {
            "token": secrets.token_urlsafe(16),
            "user": self.request.user.pk,
            "file": form.contact_file.as_data(),
        }
        if len(json.dumps(pending)) > MAX_SESSION_BYTES:
            form.add_error(
                "file", _("The file holds too much to check at once; split it into smaller files.")
            )
            return self.form_invalid(form)
        self.request.session[SESSION_KEY] = pending
        return HttpResponseRedirect(reverse("directory:contacts_preview"))


class ContactPreviewView(StaffOnlyMixin, TemplateView):
    """Each row's outcome, and the button that imports them."""

    template_name = "directory/contacts_preview.html"

    def get(self, request, *args, **kwargs):
        self.pending = pending_import(request)
        if self.pending is None:
            return HttpResponseRedirect(reverse("directory:contacts_import"))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        contact_file = contacts.ContactFile.from_data(self.pending["file"])
        return super().get_context_data(
            preview=contacts.preview(contact_file, user=self.request.user),
            token=self.pending["token"],
            **kwargs,
        )


class ContactCommitView(StaffOnlyMixin, View):
    """Import the previewed rows (POST). A token that is not the latest upload's is refused: the
    file checked in another tab since is not imported unseen."""

    http_method_names = ["post"]

    def post(self, request):
        pending = pending_import(request)
        if pending is None or request.POST.get("token") != pending["token"]:
            messages.error(
                request, _("Nothing was imported: upload the file again and check it first.")
            )
            return HttpResponseRedirect(reverse("directory:contacts_import"))
        contact_file = contacts.ContactFile.from_data(pending["file"])
        result = contacts.commit(contact_file, user=request.user)
        del request.session[SESSION_KEY]
        messages.success(request, import_message(result))
        return HttpResponseRedirect(reverse("directory:person_list"))


def import_message(result: contacts.ImportResult) -> str:
    parts = [
        ngettext("%(count)d person added", "%(count)d people added", result.created)
        % {"count": result.created},
        ngettext("%(count)d person updated", "%(count)d people updated", result.updated)
        % {"count": result.updated},
        ngettext(
            "%(count)d organisation added", "%(count)d organisations added", result.organisations
        )
        % {"count": result.organisations},
        ngettext(
            "%(count)d forum membership added",
            "%(count)d forum memberships added",
            result.memberships,
        )
        % {"count": result.memberships},
    ]
    message = "; ".join(parts) + "."
    if result.skipped:
        rows = ", ".join(str(line) for line in result.skipped)
        message += " " + ngettext(
            "Row %(rows)s had an error and was skipped.",
            "Rows %(rows)s had errors and were skipped.",
            len(result.skipped),
        ) % {"rows": rows}
    return message


class ContactExportView(StaffOnlyMixin, View):
    """A forum's people as CSV (default) or XLSX (?format=xlsx), for those who keep its
    records."""

    def get(self, request, slug):
        forum = get_object_or_404(Forum.objects.visible_to(request.user), slug=slug)
        access.require_manage_forum(request.user, forum)
        fmt = request.GET.get("format", "csv")
        if fmt not in contacts.FORMATS:
            fmt = "csv"
        download = contacts.export_contacts(forum, user=request.user, fmt=fmt)
        audit.record(
            audit.Kind.CONTACTS_EXPORTED,
            actor=request.user,
            forum=forum,
            detail=download.filename,
            request=request,
        )
        response = HttpResponse(download.content, content_type=download.content_type)
        response["Content-Disposition"] = f'attachment; filename="{download.filename}"'
        # Contact details: never kept by the browser or a shared cache.
        patch_cache_control(response, private=True, no_store=True)
        return response


class OrganisationMainContactView(StaffOnlyMixin, View):
    """Choose the organisation's main contact among its people, or none (POST)."""

    http_method_names = ["post"]
    NONE = "none"

    def post(self, request, slug):
        organisation = get_object_or_404(Organisation, slug=slug)
        choice = request.POST.get("main_contact", "")
        url = organisation.get_absolute_url() + "#people"
        if choice == self.NONE:
            contacts.main_contact_set(organisation, None)
            messages.success(
                request,
                _("%(organisation)s has no main contact now.")
                % {"organisation": organisation.name},
            )
            return HttpResponseRedirect(url)
        person = organisation.people.filter(pk=choice).first() if choice.isdigit() else None
        if person is None:
            messages.error(request, _("Choose one of the organisation’s people."))
            return HttpResponseRedirect(url)
        contacts.main_contact_set(organisation, person)
        messages.success(
            request,
            _("%(person)s is now the main contact of %(organisation)s.")
            % {"person": person.full_name, "organisation": organisation.name},
        )
        return HttpResponseRedirect(url)
