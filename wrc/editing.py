"""Optimistic locking for the product's edit forms.

Two officials may open the same record at once. Each edit form carries the ``version`` the record
had when it was opened and a signed snapshot of the values it showed. Saving claims the record
with one conditional UPDATE (``version = opened`` → ``version + 1``); if another save got there
first, nothing is written, the form is shown again with the user's input intact, the message
"This record has changed since you opened it" at the top and a table of what changed (value when
opened against value now). Saving again after reading the table is a deliberate overwrite.

Use it like this::

    class PlanActionForm(VersionedModelForm):
        class Meta:
            model = PlanAction
            fields = ["reference", "text", ...]

    class PlanActionUpdateView(RoleRequiredMixin, VersionedUpdateView):
        model = PlanAction
        form_class = PlanActionForm
        template_name = "hatecrime/edit/action_form.html"   # includes includes/stale_edit.html

Function views call ``save_versioned_form(form)``; code that changes a versioned record without a
form just saves it: ``VersionedModel.save()`` raises the version, so open forms notice the change.
"""

import datetime
import decimal
import uuid
from dataclasses import dataclass

from crispy_forms_gds.helper import FormHelper
from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.db.models import F
from django.forms import modelform_factory
from django.http import HttpResponseRedirect
from django.utils import formats
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import DeleteView, UpdateView

VERSION_FIELD = "opened_version"
SNAPSHOT_FIELD = "opened_snapshot"
LOCKING_FIELDS = (VERSION_FIELD, SNAPSHOT_FIELD)
SNAPSHOT_SALT = "wrc.editing.snapshot"

STALE_MESSAGE = _(
    "This record has changed since you opened it. Your changes have not been saved. Check what "
    "changed below: if you save again, your version replaces it."
)
DELETED_MESSAGE = _(
    "This record has been deleted since you opened it. Your changes were not saved."
)


class StaleEditError(Exception):
    """Another save reached the record after the form was opened; nothing was written."""


@dataclass(frozen=True)
class FieldChange:
    """One field that someone else changed while the form was open."""

    name: str
    label: str
    when_opened: str
    now: str


def plain(value):
    """``value`` as JSON-friendly data that compares equal when the shown value is the same."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple, set, frozenset, models.QuerySet)):
        return sorted((plain(v) for v in value), key=lambda v: (str(type(v)), str(v)))
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    return value


def model_value(instance, name):
    """The value of model field ``name`` on ``instance`` (pks for relations), or KeyError."""
    try:
        field = instance._meta.get_field(name)
    except FieldDoesNotExist:
        raise KeyError(name) from None
    if field.many_to_many:
        if instance.pk is None:
            return []
        return list(getattr(instance, name).values_list("pk", flat=True))
    if field.is_relation:
        return getattr(instance, field.attname)
    return field.value_from_object(instance)


class VersionedModelForm(forms.ModelForm):
    """A ModelForm for a ``VersionedModel`` that refuses to overwrite a newer version.

    Subclasses list their fields in ``Meta`` as usual. Form fields that are not model fields
    (an aliases text box, say) appear in the "what changed" table when ``extra_snapshot``
    returns their current value. Work that must happen in the same transaction as the save
    (a through table with an order, child rows) goes in ``save_related``.
    """

    opened_version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={
            code: _("This form was sent without the version it was opened at. Open the page again.")
            for code in ("required", "invalid", "min_value")
        },
    )
    opened_snapshot = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stale_changes: list[FieldChange] = []
        self.stale_record = None
        self.stale_by = None
        self.stale_by_name = ""
        # Records with a ``version`` are claimed by version; others (objectives, delivery areas)
        # by comparing the values shown with the values in the database, under a row lock.
        self.uses_version = has_version(type(self.instance))
        self.is_versioned_edit = self.instance.pk is not None
        if self.is_versioned_edit:
            if self.uses_version:
                self.fields[VERSION_FIELD].initial = self.instance.version
            else:
                del self.fields[VERSION_FIELD]
            # A callable, evaluated when the form is rendered: subclasses add their fields after
            # this __init__ returns, and the snapshot must include them.
            self.fields[SNAPSHOT_FIELD].initial = lambda: self.sign_snapshot(self.instance)
        else:
            for name in LOCKING_FIELDS:
                del self.fields[name]
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's <form> has the token

    # What the form shows, as data -------------------------------------------------------------

    def snapshot_field_names(self):
        return [name for name in self.fields if name not in LOCKING_FIELDS]

    def extra_snapshot(self, instance) -> dict:
        """Current values of form fields that are not model fields; override to include them."""
        return {}

    def snapshot(self, instance) -> dict:
        values = self.extra_snapshot(instance)
        for name in self.snapshot_field_names():
            if name not in values:
                try:
                    values[name] = model_value(instance, name)
                except KeyError:
                    continue
        return {name: plain(value) for name, value in values.items()}

    def sign_snapshot(self, instance) -> str:
        return signing.dumps(self.snapshot(instance), salt=SNAPSHOT_SALT, compress=True)

    def opened_snapshot_values(self, opened_version):
        """The values shown when the form was opened: from the signed snapshot the form carried,
        else from the record's history at that version (relations are then not compared)."""
        raw = self.data.get(self.add_prefix(SNAPSHOT_FIELD), "")
        try:
            return signing.loads(raw, salt=SNAPSHOT_SALT)
        except signing.BadSignature:
            pass
        history = getattr(type(self.instance), "history", None)
        if history is None or opened_version is None:
            return None
        record = (
            history.filter(id=self.instance.pk, version=opened_version)
            .order_by("-history_date")
            .first()
        )
        if record is None:
            return None
        values = self.snapshot(record.instance)
        current = self.snapshot(self.instance)
        # The historical row has no relations of its own: do not claim they were unchanged or
        # changed, leave them out.
        for name in list(values):
            field = self.fields.get(name)
            if isinstance(field, forms.ModelMultipleChoiceField) or name not in current:
                values.pop(name)
        return values

    # The check and the claim --------------------------------------------------------------------

    def fresh_record(self):
        return type(self.instance)._base_manager.filter(pk=self.instance.pk).first()

    def clean(self):
        cleaned = super().clean()
        if self.is_versioned_edit and not self.has_error(VERSION_FIELD) and self.is_stale():
            self.refuse_stale()
        return cleaned

    def is_stale(self, record=None) -> bool:
        manager = type(self.instance)._base_manager
        if self.uses_version:
            current = manager.filter(pk=self.instance.pk).values_list("version", flat=True)
            return current.first() != self.cleaned_data.get(VERSION_FIELD)
        record = record or manager.filter(pk=self.instance.pk).first()
        opened = self.opened_snapshot_values(None)
        return record is None or opened is None or opened != self.snapshot(record)

    def refuse_stale(self):
        """Add the "changed since you opened it" error with the table of changes, and carry the
        current version forward so that saving again is a deliberate overwrite."""
        fresh = self.fresh_record()
        if fresh is None:
            self.add_error(None, ValidationError(DELETED_MESSAGE, code="deleted"))
            return
        opened_version = self.data.get(self.add_prefix(VERSION_FIELD))
        opened = self.opened_snapshot_values(_int_or_none(opened_version))
        self.stale_changes = self.changes_between(opened, self.snapshot(fresh))
        self.stale_record = fresh
        self.stale_by = latest_change_of(fresh)
        if self.stale_by is not None:
            user = self.stale_by.history_user
            self.stale_by_name = (user.get_full_name() or user.get_username()) if user else ""
        if not self.has_error(NON_FIELD_ERRORS, code="stale"):
            self.add_error(None, ValidationError(STALE_MESSAGE, code="stale"))
        self.data = self.data.copy()
        if self.uses_version:
            self.data[self.add_prefix(VERSION_FIELD)] = str(fresh.version)
        self.data[self.add_prefix(SNAPSHOT_FIELD)] = self.sign_snapshot(fresh)

    def changes_between(self, opened, now) -> list[FieldChange]:
        if opened is None:
            return []
        changes = []
        for name, value in now.items():
            if name in opened and opened[name] != value and name in self.fields:
                changes.append(
                    FieldChange(
                        name=name,
                        label=str(self.fields[name].label or name),
                        when_opened=self.display_value(name, opened[name]),
                        now=self.display_value(name, value),
                    )
                )
        return changes

    def display_value(self, name, value) -> str:
        return display_value(self.fields[name], value)

    def claim_version(self):
        """Take the record for this save, or raise StaleEditError if it moved on since opened:
        the version goes from the one opened to the next in one conditional UPDATE; a record
        without a version is locked and compared with the values shown."""
        manager = type(self.instance)._base_manager
        if not self.uses_version:
            locked = lock_rows(manager.filter(pk=self.instance.pk)).first()
            if self.is_stale(locked):
                raise StaleEditError
            return
        opened = self.cleaned_data[VERSION_FIELD]
        claimed = manager.filter(pk=self.instance.pk, version=opened).update(
            version=F("version") + 1
        )
        if not claimed:
            raise StaleEditError
        self.instance.version = opened + 1
        # Tells VersionedModel.save() that this version is already taken for this save.
        self.instance._claimed_version = self.instance.version

    def save(self, commit=True):
        """Claim the record and save it, in one transaction. ``commit=False`` claims nothing:
        whoever saves the instance must call ``claim_version()`` in the same transaction."""
        if not commit:
            return super().save(commit=False)
        with transaction.atomic():
            if self.is_versioned_edit:
                self.claim_version()
            instance = super().save(commit=True)
            self.save_related(instance)
        return instance

    def save_related(self, instance):
        """Hook: writes that belong to the same save (run inside its transaction)."""


def lock_rows(queryset):
    """``queryset`` locked for this transaction. Only its own rows are locked, with no ordering:
    PostgreSQL refuses FOR UPDATE across the outer joins a default ordering can add."""
    return queryset.order_by("pk").select_for_update(of=("self",))


def has_version(model) -> bool:
    try:
        model._meta.get_field("version")
    except FieldDoesNotExist:
        return False
    return True


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def display_value(field, value) -> str:
    """How a form field's value reads in the "what changed" table."""
    if value in (None, "", [], ()):
        return gettext("(empty)")
    if isinstance(field, forms.ModelMultipleChoiceField):
        found = field.queryset.model._base_manager.filter(pk__in=value)
        return ", ".join(sorted(str(obj) for obj in found)) or gettext("(empty)")
    if isinstance(field, forms.ModelChoiceField):
        found = field.queryset.model._base_manager.filter(pk=value).first()
        return str(found) if found is not None else gettext("(deleted)")
    if isinstance(field, forms.BooleanField):
        return gettext("Yes") if value else gettext("No")
    if isinstance(field, forms.DateTimeField) and parse_datetime(str(value)):
        return formats.date_format(parse_datetime(str(value)), "DATETIME_FORMAT")
    if isinstance(field, forms.DateField) and parse_date(str(value)):
        return formats.date_format(parse_date(str(value)), "DATE_FORMAT")
    choices = getattr(field, "choices", None)
    if choices:
        labels = {}
        for key, label in choices:
            if isinstance(label, (list, tuple)):
                labels.update({str(k): v for k, v in label})
            else:
                labels[str(key)] = label
        return str(labels.get(str(value), value))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def latest_change_of(instance):
    """The newest history record of ``instance`` (who changed it, when), or None."""
    history = getattr(type(instance), "history", None)
    if history is None:
        return None
    return (
        history.filter(id=instance.pk).select_related("history_user").order_by("-history_date")
    ).first()


def save_versioned_form(form):
    """Save ``form`` or, if another save got there first, add the stale error to it.

    Returns the saved instance, or None when the save was refused (the form then carries the
    error and the table of changes; render it again).
    """
    try:
        return form.save()
    except StaleEditError:
        form.refuse_stale()
        return None


def save_new_version(instance, *, update_fields=None):
    """Save a versioned record changed by code rather than an edit form. ``save()`` raises the
    version itself now; this remains the name code reaches for, and says why it saves."""
    instance.save(update_fields=update_fields)
    return instance


class VersionedFormMixin:
    """View mixin for editing a versioned record with a ``VersionedModelForm``.

    ``save_form`` runs inside one transaction with the version claim; override it to save
    formsets or related rows too. A refused save re-renders the form with the user's input, the
    error summary and ``stale_changes`` (a list of ``FieldChange``) in the context.
    """

    success_message = _("Your changes have been saved.")

    def save_form(self, form):
        return form.save()

    def form_valid(self, form):
        try:
            with transaction.atomic():
                self.object = self.save_form(form)
        except StaleEditError:
            form.refuse_stale()
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context.get("form")
        context["stale_changes"] = getattr(form, "stale_changes", [])
        context["stale_by"] = getattr(form, "stale_by", None)
        return context


class VersionedUpdateView(VersionedFormMixin, UpdateView):
    """UpdateView for a versioned record: refuses stale saves instead of overwriting."""


class VersionedDeleteView(VersionedFormMixin, DeleteView):
    """Confirm-then-delete that refuses if the record changed after the page was opened.

    A record with a version is compared by version. For one without, list in ``lock_fields`` the
    fields the confirmation page shows: they travel as hidden fields and are compared.
    """

    lock_fields: tuple = ()
    success_message = _("Deleted.")

    def get_form_class(self):
        fields = list(self.lock_fields)
        widgets = dict.fromkeys(fields, forms.HiddenInput)
        return modelform_factory(
            self.model, form=VersionedModelForm, fields=fields, widgets=widgets
        )

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"instance": self.object}

    def save_form(self, form):
        form.claim_version()
        self.object.delete()
        return self.object
