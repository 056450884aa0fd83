"""Merge a duplicate organisation into the one that stays, without losing a link.

Imports meet the same organisation under two spellings ("Race Council Cymru", "RCC"). Merging
moves everything that points at the duplicate to the survivor, keeps the duplicate's name as an
alias, then deletes the duplicate: all in one transaction. The relations are found from
``Organisation._meta.related_objects``, so a model added later that points at organisations is
moved too without changing this module.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_update_with_history

from directory.models import Organisation, OrganisationAlias, normalise_name
from wrc.editing import has_version, lock_rows, save_new_version

STALE_MERGE = _(
    "One of the two organisations has changed since you opened this page. Check them both and "
    "merge again."
)


@dataclass
class MergeResult:
    survivor: Organisation
    moved: dict = field(default_factory=dict)  # "app.Model.field" → rows now on the survivor
    already_linked: dict = field(default_factory=dict)  # rows dropped: the survivor had them


def organisation_links():
    """Every (model, foreign key) that points at an organisation.

    A many-to-many with an automatic table is reached through that table's foreign key; one
    with an explicit ``through`` model is skipped here because that model's own foreign key is
    listed. History tables are hidden relations and are left alone: they record the past.
    """
    links = []
    for relation in Organisation._meta.related_objects:
        if relation.many_to_many:
            through = relation.through
            if not through._meta.auto_created:
                continue
            fk = next(
                f for f in through._meta.fields if f.is_relation and f.related_model is Organisation
            )
            links.append((through, fk))
        else:
            links.append((relation.related_model, relation.field))
    return links


def link_label(model, fk):
    return f"{model._meta.label}.{fk.name}"


def links_to(organisation) -> dict:
    """How many rows of each relation point at ``organisation`` (for the merge preview)."""
    return {
        link_label(model, fk): model._base_manager.filter(**{fk.name: organisation}).count()
        for model, fk in organisation_links()
    }


def organisation_merge(
    *, survivor: Organisation, duplicate: Organisation, expected_versions=None, merged_by=None
) -> MergeResult:
    """Fold ``duplicate`` into ``survivor``.

    Raises ValidationError and changes nothing if that is not possible: the same organisation
    twice, or either changed since ``expected_versions`` ({pk: version}) was read.
    """
    if survivor.pk == duplicate.pk:
        raise ValidationError(_("An organisation cannot be merged into itself."))
    with transaction.atomic():
        locked = lock_rows(Organisation.objects.all()).in_bulk([survivor.pk, duplicate.pk])
        if len(locked) != 2 or any(
            locked[pk].version != version for pk, version in (expected_versions or {}).items()
        ):
            raise ValidationError(STALE_MERGE, code="stale")
        survivor, duplicate = locked[survivor.pk], locked[duplicate.pk]
        result = MergeResult(survivor=survivor)
        for model, fk in organisation_links():
            moved, dropped = move_links(model, fk, survivor, duplicate, merged_by)
            result.moved[link_label(model, fk)] = moved
            result.already_linked[link_label(model, fk)] = dropped
        result.moved[COPY_TO_LABEL] = move_copy_to(survivor, duplicate)
        survivor.refresh_from_db()
        fill_blanks(survivor, duplicate)
        duplicate.delete()
        keep_names_as_aliases(survivor, duplicate)
        save_new_version(survivor)
    return result


def move_links(model, fk, survivor, duplicate, merged_by):
    """Point the duplicate's rows at the survivor. A row the survivor already has (the same
    action led, the same letter received) is deleted instead, as a unique constraint demands."""
    rows = model._base_manager.filter(**{fk.name: duplicate})
    if model is Organisation:
        rows = rows.exclude(pk=survivor.pk)  # the survivor itself stops being a team of it
    rows = list(lock_rows(rows))
    clashing = clashing_rows(model, fk, rows, survivor)
    if clashing:
        model._base_manager.filter(pk__in=clashing).delete()
    keep = [row for row in rows if row.pk not in clashing]
    fields = [fk.name]
    for row in keep:
        setattr(row, fk.name, survivor)
    if keep and has_version(model):
        for row in keep:
            row.version += 1
        fields.append("version")
    if keep and hasattr(model, "history") and not model._meta.auto_created:
        bulk_update_with_history(
            keep,
            model,
            fields,
            default_user=merged_by,
            default_change_reason="Organisations merged",
        )
    elif keep:
        model._base_manager.bulk_update(keep, fields)
    if model is Organisation:
        break_parent_cycle(survivor, duplicate)
    return len(keep), len(clashing)


COPY_TO_LABEL = "outbox.OutgoingMail.payload.copy_to"


def move_copy_to(survivor, duplicate) -> int:
    """A letter's copy to a cc organisation names it in the outbox row's payload (an id, not a
    foreign key, so ``organisation_links`` does not see it): point those at the survivor."""
    from outbox.models import OutgoingMail

    rows = list(lock_rows(OutgoingMail.objects.filter(payload__copy_to=duplicate.pk)))
    for row in rows:
        row.payload = {**row.payload, "copy_to": survivor.pk}
    OutgoingMail.objects.bulk_update(rows, ["payload"])
    return len(rows)


def unique_groups(model, fk):
    """The field groups that must stay unique together and include ``fk``, with any condition."""
    groups = [(tuple(names), None) for names in model._meta.unique_together if fk.name in names]
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and fk.name in constraint.fields:
            groups.append((tuple(constraint.fields), constraint.condition))
    if fk.unique:
        groups.append(((fk.name,), None))
    return groups


def clashing_rows(model, fk, rows, survivor) -> set:
    clashing = set()
    for names, condition in unique_groups(model, fk):
        others = [model._meta.get_field(name).attname for name in names if name != fk.name]
        if not others:
            # A one-to-one: both cannot keep theirs, and deleting one would lose a link.
            if rows and model._base_manager.filter(**{fk.name: survivor}).exists():
                raise ValidationError(
                    _("Both organisations have a %(what)s; merge them by hand."),
                    params={"what": model._meta.verbose_name},
                )
            continue
        scope = model._base_manager.filter(**{fk.name: survivor})
        candidates = rows
        if condition is not None:
            scope = scope.filter(condition)
            allowed = set(
                model._base_manager.filter(condition, pk__in=[r.pk for r in rows]).values_list(
                    "pk", flat=True
                )
            )
            candidates = [row for row in rows if row.pk in allowed]
        taken = set(scope.values_list(*others))
        for row in candidates:
            if tuple(getattr(row, name) for name in others) in taken:
                clashing.add(row.pk)
    return clashing


def break_parent_cycle(survivor, duplicate):
    """If the survivor was (under) a team of the duplicate, it now sits where the duplicate sat."""
    survivor.refresh_from_db(fields=["parent"])
    ancestor, seen = survivor.parent, {survivor.pk}
    while ancestor is not None:
        if ancestor.pk in seen or ancestor.pk == duplicate.pk:
            new_parent = duplicate.parent_id if duplicate.parent_id != survivor.pk else None
            Organisation.objects.filter(pk=survivor.pk).update(parent=new_parent)
            survivor.parent_id = new_parent
            return
        seen.add(ancestor.pk)
        ancestor = ancestor.parent


def fill_blanks(survivor, duplicate):
    """What the survivor does not record, it takes from the duplicate."""
    for name in ("short_name", "website"):
        if not getattr(survivor, name) and getattr(duplicate, name):
            setattr(survivor, name, getattr(duplicate, name))
    if survivor.kind == Organisation.Kind.OTHER:
        survivor.kind = duplicate.kind
    if survivor.parent_id is None and duplicate.parent_id not in (None, survivor.pk):
        survivor.parent_id = duplicate.parent_id


def keep_names_as_aliases(survivor, duplicate):
    """The duplicate's name (and short name) still resolve, to the survivor."""
    for name in (duplicate.name, duplicate.short_name):
        key = normalise_name(name)
        if not key or key == survivor.normalised_name:
            continue
        if name == duplicate.short_name and name.lower() == survivor.short_name.lower():
            continue
        if not OrganisationAlias.objects.filter(normalised=key).exists():
            OrganisationAlias.objects.create(organisation=survivor, alias=name)
