"""Raise a meeting's ``ics_sequence`` when what a diary shows of it changes.

Calendar clients only replace an event they already hold when the SEQUENCE of the new copy is
higher, so the counter must move with every change of time, place or status, however the meeting
was saved (form, admin, importer). Counting is all this does; sending stays an explicit step.
"""

from django.db.models import F
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from meetings.models import Meeting

DIARY_FIELDS = (
    "starts_at",
    "ends_at",
    "time_recorded",
    "venue",
    "online_platform",
    "online_link",
    "status",
)


@receiver(pre_save, sender=Meeting, dispatch_uid="calendars_note_diary_change")
def note_diary_change(sender, instance, raw=False, update_fields=None, **kwargs):
    instance._diary_changed = False
    if raw or instance.pk is None:
        return
    fields = [f for f in DIARY_FIELDS if update_fields is None or f in update_fields]
    if not fields:
        return
    stored = Meeting.objects.filter(pk=instance.pk).values(*fields).first()
    if stored is not None:
        instance._diary_changed = any(stored[f] != getattr(instance, f) for f in fields)


@receiver(post_save, sender=Meeting, dispatch_uid="calendars_raise_sequence")
def raise_sequence(sender, instance, created=False, raw=False, **kwargs):
    if raw or not getattr(instance, "_diary_changed", False):
        return
    instance._diary_changed = False
    # An UPDATE with F() so two saves at once both count, whatever update_fields said.
    Meeting.objects.filter(pk=instance.pk).update(ics_sequence=F("ics_sequence") + 1)
    instance.refresh_from_db(fields=["ics_sequence"])
