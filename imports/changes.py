"""Every row an import creates, changes or removes, captured from the model signals while the
import runs, so that it can be undone exactly and "nothing has changed since" can be checked.

Capturing through signals rather than in each importer means rows written by shared helpers
(plan leads, memberships, organisations, due dates recomputed after a meeting) are recorded
too. Queryset ``update()`` bypasses signals; the importers save rows one by one.
"""

import contextvars
import json
from contextlib import contextmanager

from django.apps import apps
from django.contrib.admin.utils import NestedObjects
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import router
from django.db.models.signals import post_delete, post_save, pre_save

_current_log = contextvars.ContextVar("import_change_log", default=None)

# Rows that describe the import itself, and audit rows written beside every change.
IGNORED_LABELS = {"imports.documentimport", "sessions.session", "admin.logentry"}


def _ignored(model) -> bool:
    meta = model._meta
    return (
        meta.label_lower in IGNORED_LABELS
        or hasattr(model, "history_object")
        or (
            meta.model_name.startswith("historical")
            and "history_id" in {f.name for f in meta.fields}
        )
    )


def _stored_fields(model) -> list[str]:
    """The fields a row's own writes set: generated columns (search vectors) are the
    database's, recomputed on every write, so they are neither compared nor restored."""
    return [
        f.name
        for f in [*model._meta.concrete_fields, *model._meta.many_to_many]
        if not getattr(f, "generated", False) and not f.primary_key
    ]


def serialise(obj) -> dict:
    """The row as Django's "python" serialisation, made JSON-safe (dates as ISO text)."""
    data = serializers.serialize("python", [obj], fields=_stored_fields(type(obj)))[0]
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def key_of(entry: dict) -> tuple[str, str]:
    return entry["model"], str(entry["pk"])


class ChangeLog:
    def __init__(self):
        self.entries: list[dict] = []
        self._before: dict = {}

    def before_save(self, instance):
        if instance.pk is None or instance._state.adding:
            return
        stored = type(instance)._base_manager.filter(pk=instance.pk).first()
        if stored is not None:
            self._before[(instance._meta.label_lower, str(instance.pk))] = serialise(stored)

    def after_save(self, instance, created: bool):
        key = (instance._meta.label_lower, str(instance.pk))
        before = self._before.pop(key, None)
        after = serialise(instance)
        if created or before is None:
            self.entries.append(
                {"op": "created", "model": key[0], "pk": after["pk"], "after": after}
            )
        elif before != after:
            self.entries.append(
                {
                    "op": "updated",
                    "model": key[0],
                    "pk": after["pk"],
                    "before": before,
                    "after": after,
                }
            )

    def after_delete(self, instance):
        before = serialise(instance)
        self.entries.append(
            {
                "op": "deleted",
                "model": instance._meta.label_lower,
                "pk": before["pk"],
                "before": before,
            }
        )


@contextmanager
def capture_changes():
    log = ChangeLog()
    token = _current_log.set(log)
    try:
        yield log
    finally:
        _current_log.reset(token)


def _on_pre_save(sender, instance, raw=False, **kwargs):
    log = _current_log.get()
    if log is not None and not raw and not _ignored(sender):
        log.before_save(instance)


def _on_post_save(sender, instance, created, raw=False, **kwargs):
    log = _current_log.get()
    if log is not None and not raw and not _ignored(sender):
        log.after_save(instance, created)


def _on_post_delete(sender, instance, **kwargs):
    log = _current_log.get()
    if log is not None and not _ignored(sender):
        log.after_delete(instance)


def connect():
    pre_save.connect(_on_pre_save, dispatch_uid="imports.changes.pre_save")
    post_save.connect(_on_post_save, dispatch_uid="imports.changes.post_save")
    post_delete.connect(_on_post_delete, dispatch_uid="imports.changes.post_delete")


# --- undo ----------------------------------------------------------------------------------


class UndoRefused(Exception):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def final_states(entries: list[dict]) -> dict:
    """(model, pk) → the row as the import left it, or None when the import removed it."""
    final = {}
    for entry in entries:
        final[key_of(entry)] = None if entry["op"] == "deleted" else entry["after"]
    return final


def _model(label: str):
    return apps.get_model(label)


def _current(label: str, pk):
    return _model(label)._base_manager.filter(pk=pk).first()


def check_unchanged(entries: list[dict], *, describe) -> None:
    """Raise ``UndoRefused`` when any row the import wrote was changed, removed or re-created
    since, or when rows added since depend on rows it created."""
    final = final_states(entries)
    for (label, pk), state in final.items():
        current = _current(label, pk)
        if state is None:
            if current is not None:
                raise UndoRefused(describe("re-created", current))
            continue
        if current is None:
            raise UndoRefused(describe("removed", _model(label)(pk=pk)))
        if serialise(current) != state:
            raise UndoRefused(describe("changed", current))
    created = [
        _current(e["model"], e["pk"])
        for e in entries
        if e["op"] == "created" and final.get(key_of(e)) is not None
    ]
    created = [obj for obj in created if obj is not None]
    if not created:
        return
    by_model: dict = {}
    for obj in created:
        by_model.setdefault(type(obj), []).append(obj)
    for model_objects in by_model.values():
        # The collector takes rows of one model at a time.
        collector = NestedObjects(using=router.db_for_write(type(model_objects[0])))
        collector.collect(model_objects)
        for model, instances in collector.data.items():
            if _ignored(model):
                continue
            for obj in instances:
                if (model._meta.label_lower, str(obj.pk)) not in final:
                    raise UndoRefused(describe("added", obj))
        for obj in collector.protected:
            if (obj._meta.label_lower, str(obj.pk)) not in final:
                raise UndoRefused(describe("added", obj))


def _restore(state: dict, *, bump_version: bool):
    restored = next(serializers.deserialize("python", [state]))
    obj = restored.object
    if bump_version and hasattr(obj, "version"):
        # Raise the version past what the import left, so an edit form opened on the
        # imported row refuses to overwrite the restored one.
        current = _current(obj._meta.label_lower, obj.pk)
        if current is not None:
            obj.version = current.version + 1
    restored.save()


def undo_entries(entries: list[dict]) -> None:
    """Put back what the import found: remove the rows it created, restore the rows it changed
    or removed; newest first, so children go before their parents."""
    for entry in reversed(entries):
        label, pk = key_of(entry)
        if entry["op"] == "created":
            current = _current(label, pk)
            if current is not None:
                current.delete()
        else:
            _restore(entry["before"], bump_version=entry["op"] == "updated")
