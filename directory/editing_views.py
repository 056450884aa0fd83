"""Officials and the secretariat keep the directory: organisations (with their other names) and
people (with their roles). Only officials merge duplicate organisations: it deletes a record.
Forum members may not edit the directory (403)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse, reverse_lazy
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.generic import CreateView, FormView

from directory import merge
from directory.forms import OrganisationForm, OrganisationMergeForm, PersonForm
from directory.models import Organisation, Person
from wrc import access
from wrc.archiving import ArchiveView, counted
from wrc.editing import VersionedFormMixin, VersionedUpdateView

FORM_TEMPLATE = "directory/edit/form.html"


class DirectoryEditorsMixin(access.RoleRequiredMixin):
    role_check = staticmethod(access.is_staff_role)


class OfficialsOnlyMixin(access.RoleRequiredMixin):
    role_check = staticmethod(access.is_official)


class PageMixin:
    page_title = ""
    parent_url = ""
    parent_label = ""

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            page_title=self.page_title,
            parent_url=self.parent_url,
            parent_label=self.parent_label,
            cancel_url=self.cancel_url(),
            **kwargs,
        )

    def cancel_url(self):
        obj = getattr(self, "object", None)
        return obj.get_absolute_url() if obj is not None and obj.pk else self.parent_url


class OrganisationPageMixin(DirectoryEditorsMixin, PageMixin):
    model = Organisation
    form_class = OrganisationForm
    template_name = FORM_TEMPLATE
    parent_url = reverse_lazy("directory:organisation_list")
    parent_label = _("Organisations")


class OrganisationCreateView(OrganisationPageMixin, VersionedFormMixin, CreateView):
    page_title = _("Add an organisation")
    success_message = _("The organisation has been added.")


class OrganisationUpdateView(OrganisationPageMixin, VersionedUpdateView):
    page_title = _("Change an organisation")

    def get_queryset(self):
        return Organisation.objects.select_related("parent")


class PersonPageMixin(DirectoryEditorsMixin, PageMixin):
    model = Person
    form_class = PersonForm
    template_name = FORM_TEMPLATE
    parent_url = reverse_lazy("directory:person_list")
    parent_label = _("People")

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}


class PersonCreateView(PersonPageMixin, VersionedFormMixin, CreateView):
    page_title = _("Add a person")
    success_message = _("The person has been added.")


class PersonUpdateView(PersonPageMixin, VersionedUpdateView):
    page_title = _("Change a person's details")


class OrganisationMergeView(OfficialsOnlyMixin, PageMixin, FormView):
    """Choose a duplicate (GET ?duplicate=), see what moves, then merge (POST)."""

    form_class = OrganisationMergeForm
    template_name = "directory/edit/merge.html"
    page_title = _("Merge a duplicate into this organisation")
    parent_url = reverse_lazy("directory:organisation_list")
    parent_label = _("Organisations")

    @cached_property
    def survivor(self):
        return get_object_or_404(Organisation, slug=self.kwargs["slug"])

    def cancel_url(self):
        return self.survivor.get_absolute_url()

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs() | {"survivor": self.survivor}
        if self.request.method == "GET" and "duplicate" in self.request.GET:
            kwargs["data"] = self.request.GET
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(survivor=self.survivor, **kwargs)
        form = context["form"]
        duplicate = (
            form.cleaned_data.get("duplicate") if form.is_bound and form.is_valid() else None
        )
        if duplicate is not None:
            context["duplicate"] = duplicate
            context["preview"] = self.preview(duplicate)
            context["survivor_version"] = self.survivor.version
        return context

    def preview(self, duplicate):
        """Rows that will move, relation by relation, with readable names."""
        labels = {
            merge.link_label(model, fk): f"{model._meta.verbose_name_plural} ({fk.verbose_name})"
            for model, fk in merge.organisation_links()
        }
        counts = merge.links_to(duplicate)
        return [(labels[key], count) for key, count in counts.items() if count]

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if not form.is_valid() or "confirm" not in request.POST:
            return self.form_invalid(form)
        duplicate = form.cleaned_data["duplicate"]
        # A missing version counts as stale: the merge is only made from the comparison page.
        expected = {self.survivor.pk: form.cleaned_data["survivor_version"]}
        expected[duplicate.pk] = form.cleaned_data["duplicate_version"]
        try:
            merge.organisation_merge(
                survivor=self.survivor,
                duplicate=duplicate,
                expected_versions=expected,
                merged_by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            request,
            _("%(duplicate)s has been merged into %(survivor)s.")
            % {"duplicate": duplicate.name, "survivor": self.survivor.name},
        )
        return HttpResponseRedirect(
            reverse("directory:organisation_detail", args=[self.survivor.slug])
        )


class OrganisationArchiveView(ArchiveView):
    model = Organisation
    extra_context = {"record_kind": _("Organisation")}

    def affects(self):
        organisation = self.object
        people = organisation.people.count()
        members = organisation.memberships.current().count()
        leads = organisation.plan_lead_links.count()
        letters = organisation.letters_received.count() + organisation.letters_cc.count()
        actions = organisation.owned_actions.count()
        attendance = organisation.attendance.count()
        return counted(
            [
                (people, ngettext("%(count)s person", "%(count)s people", people)),
                (
                    members,
                    ngettext(
                        "%(count)s current forum membership",
                        "%(count)s current forum memberships",
                        members,
                    ),
                ),
                (
                    leads,
                    ngettext(
                        "%(count)s delivery plan action it leads",
                        "%(count)s delivery plan actions it leads",
                        leads,
                    ),
                ),
                (letters, ngettext("%(count)s letter", "%(count)s letters", letters)),
                (
                    actions,
                    ngettext("%(count)s action it owns", "%(count)s actions it owns", actions),
                ),
                (
                    attendance,
                    ngettext(
                        "%(count)s attendance record", "%(count)s attendance records", attendance
                    ),
                ),
            ]
        )


class OrganisationRestoreView(OrganisationArchiveView):
    restore = True


class PersonArchiveView(ArchiveView):
    model = Person
    extra_context = {"record_kind": _("Person")}

    def affects(self):
        person = self.object
        members = person.memberships.current().count()
        actions = person.owned_actions.count()
        attendance = person.attendance.count()
        letters = person.letters_received.count()
        return counted(
            [
                (
                    members,
                    ngettext(
                        "%(count)s current forum membership",
                        "%(count)s current forum memberships",
                        members,
                    ),
                ),
                (
                    actions,
                    ngettext("%(count)s action they own", "%(count)s actions they own", actions),
                ),
                (
                    attendance,
                    ngettext(
                        "%(count)s attendance record", "%(count)s attendance records", attendance
                    ),
                ),
                (
                    letters,
                    ngettext(
                        "%(count)s letter addressed to them",
                        "%(count)s letters addressed to them",
                        letters,
                    ),
                ),
            ]
        )


class PersonRestoreView(PersonArchiveView):
    restore = True
