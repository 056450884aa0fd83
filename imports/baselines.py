"""What earlier imports wrote to each record, field by field (``ImportedRecord``), so that a
re-import can tell a field an official corrected from one the document changed."""

from types import SimpleNamespace

from django.contrib.contenttypes.models import ContentType

from imports.models import ImportedRecord


class Baselines:
    def __init__(self):
        self._loaded: dict = {}

    @staticmethod
    def as_text(obj, name: str, value) -> str:
        """``value`` of field ``name`` as the text Django's serialisers would write."""
        field = obj._meta.get_field(name)
        if field.is_relation and field.many_to_one:
            raw = value.pk if hasattr(value, "pk") else value
            return "" if raw is None else str(raw)
        text = field.value_to_string(SimpleNamespace(**{field.attname: value}))
        return "" if text is None else str(text)

    def _record(self, obj) -> ImportedRecord:
        key = (obj._meta.label_lower, str(obj.pk))
        if key not in self._loaded:
            content_type = ContentType.objects.get_for_model(type(obj))
            self._loaded[key] = ImportedRecord.objects.filter(
                content_type=content_type, object_id=str(obj.pk)
            ).first() or ImportedRecord(content_type=content_type, object_id=str(obj.pk))
        return self._loaded[key]

    def written(self, obj) -> dict:
        return dict(self._record(obj).values)

    def remember(self, obj, values: dict) -> None:
        record = self._record(obj)
        merged = {**record.values, **{n: self.as_text(obj, n, v) for n, v in values.items()}}
        if merged != record.values or record.pk is None:
            record.values = merged
            record.save()

    def unchanged_since_import(self, obj) -> bool:
        """Whether an import wrote ``obj`` and every field it wrote still holds that value."""
        written = self.written(obj)
        if not written:
            return False
        return all(
            self.as_text(obj, name, getattr(obj, name)) == text for name, text in written.items()
        )
