"""Documents brought into the records (meeting notes, delivery plans, letters), and the values
each import last wrote, so that a later import can tell an official's correction from a change
in the document."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from directory.models import Forum
from wrc import access


class DocumentImportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Imports of the forums ``user`` manages: reviewing one shows every attendee and
        restricted letter text, so members never see them."""
        return self.filter(access.managed_forums_q(user))


class DocumentImport(models.Model):
    class Kind(models.TextChoices):
        MEETING = "meeting", _("Meeting notes")
        PLAN = "plan", _("Delivery plan")
        LETTER = "letter", _("Letter")

    class Status(models.TextChoices):
        REVIEWING = "reviewing", _("Under review")
        COMMITTED = "committed", _("Imported")
        UNDONE = "undone", _("Undone")
        DISCARDED = "discarded", _("Discarded")

    class Via(models.TextChoices):
        BROWSER = "browser", _("Uploaded in the browser")
        COMMAND = "command", _("Command line")

    forum = models.ForeignKey(Forum, on_delete=models.PROTECT, related_name="document_imports")
    kind = models.CharField(_("kind of document"), max_length=10, choices=Kind)
    status = models.CharField(_("state"), max_length=10, choices=Status, default=Status.REVIEWING)
    via = models.CharField(max_length=10, choices=Via, default=Via.BROWSER)
    source_name = models.CharField(_("document"), max_length=255)
    source_format = models.CharField(_("format"), max_length=20, blank=True)
    encoding = models.CharField(_("encoding"), max_length=40, blank=True)
    source_text = models.TextField(_("text of the document"))
    # The reviewer's corrections to what the parser understood (imports.corrections).
    corrections = models.JSONField(default=dict, blank=True)
    summary = models.TextField(_("what changed"), blank=True)
    notices = models.JSONField(default=list, blank=True)
    # Every row the commit created, changed or removed, as serialised before and after: what
    # "undo" puts back, and how it knows nothing has changed since.
    changes = models.JSONField(default=list, blank=True, editable=False)
    record_url = models.CharField(max_length=255, blank=True)
    record_label = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    committed_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    objects = DocumentImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("document import")
        verbose_name_plural = _("document imports")

    def __str__(self):
        return f"{self.source_name} ({self.get_kind_display()})"

    def get_absolute_url(self):
        return reverse("imports:review", args=[self.pk])

    @property
    def lines(self) -> list[str]:
        return self.source_text.split("\n")


class ImportedRecord(models.Model):
    """The values an import last wrote to one record's fields, as text. A field whose value
    differs from this was changed in the product since, and a re-import keeps it."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    values = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="unique_imported_record"
            )
        ]

    def __str__(self):
        return f"{self.content_type.model} {self.object_id}"
