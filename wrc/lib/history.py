"""The change history of a record, as the history panel on its page shows it.

Every record people edit keeps a django-simple-history table; the request middleware stores who
made each change. Here consecutive history rows are compared (``diff_against``) into "who, when,
what changed" entries. The panel costs a fixed number of queries however long the history is:
one for the rows with their users, and one per kind of related record whose value changed
(to show a name rather than a number).
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _

# The panel shows the newest changes; older ones are in the admin's history.
HISTORY_LIMIT = 30


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: object
    who: str
    kind: str  # "created", "changed", "deleted" or "first" (the oldest row kept, not a creation)
    reason: str = ""
    changes: list[FieldChange] = field(default_factory=list)


def user_name(user) -> str:
    if user is None:
        return _("Automatic (import or scheduled task)")
    return user.get_full_name() or user.get_username()


def history_rows(instance, limit):
    """The newest ``limit`` + 1 history rows of ``instance``: the extra one is the baseline
    the oldest shown change is compared with."""
    return list(
        instance.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )


def history_of(instance, *, limit=HISTORY_LIMIT) -> tuple[list[HistoryEntry], bool]:
    """(entries newest first, whether older changes were left out)."""
    if instance is None or instance.pk is None or not hasattr(instance, "history"):
        return [], False
    rows = history_rows(instance, limit)
    more = len(rows) > limit
    raw = []
    for index, row in enumerate(rows[:limit]):
        previous = rows[index + 1] if index + 1 < len(rows) else None
        raw.append((row, previous, diff(row, previous)))
    names = related_names(instance, [delta for _row, _prev, delta in raw])
    entries = []
    for row, previous, delta in raw:
        entry = entry_for(row, previous, delta, names)
        if entry is not None:
            entries.append(entry)
    return entries, more


def diff(row, previous):
    if previous is None or row.history_type == "-":
        return []
    return row.diff_against(previous).changes


def entry_for(row, previous, changes, names) -> HistoryEntry | None:
    kind = {"+": "created", "-": "deleted"}.get(row.history_type, "changed")
    if kind == "changed" and previous is None:
        kind = "first"
    if kind == "changed" and not changes:
        return None  # a save that changed nothing people see (a version number, a timestamp)
    model = row.instance_type
    return HistoryEntry(
        when=row.history_date,
        who=user_name(row.history_user),
        kind=kind,
        reason=row.history_change_reason or "",
        changes=[
            FieldChange(
                label=str(model._meta.get_field(c.field).verbose_name).capitalize(),
                old=display(model, c.field, c.old, names),
                new=display(model, c.field, c.new, names),
            )
            for c in changes
        ],
    )


def related_names(instance, deltas) -> dict:
    """{(related model, pk): str(record)} for every foreign key value in ``deltas``: one query
    per related model."""
    model = type(instance)
    wanted = defaultdict(set)
    for changes in deltas:
        for change in changes:
            field_ = model._meta.get_field(change.field)
            if isinstance(field_, models.ForeignKey):
                for value in (change.old, change.new):
                    if value is not None:
                        wanted[field_.related_model].add(value)
    names = {}
    for related, pks in wanted.items():
        for pk, obj in related._base_manager.in_bulk(list(pks)).items():
            names[(related, pk)] = str(obj)
    return names


def display(model, name, value, names) -> str:
    """``value`` of field ``name`` as people read it."""
    field_ = model._meta.get_field(name)
    if value in (None, ""):
        return _("(empty)")
    if isinstance(field_, models.ForeignKey):
        return names.get((field_.related_model, value), _("(deleted record)"))
    if field_.choices:
        return str(dict(field_.flatchoices).get(value, value))
    if isinstance(field_, models.BooleanField):
        return _("Yes") if value else _("No")
    if isinstance(field_, models.DateTimeField):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return formats.date_format(local, "DATETIME_FORMAT")
    if isinstance(field_, models.DateField):
        return formats.date_format(value, "DATE_FORMAT")
    return str(value)
