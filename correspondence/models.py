"""Letters to forum members: the record of what was written, to whom, with what enclosures.

Correspondence has its own app because a letter is not a meeting record: it has recipients,
enclosures and a restricted-sharing note. Each recipient's copy is a row of the outbox
(outbox.models.OutgoingMail, kind "letter"), which holds its sending state.
"""

import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from directory.models import Forum, Organisation, Person, VersionedModel
from wrc import access
from wrc.lib.bilingual import PublishedBilingually


class LanguageMode(models.TextChoices):
    PREFERRED = "preferred", _("Each recipient's preferred language")
    BOTH = "both", _("Both languages, the recipient's preferred language first")


class LetterQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Officials see every letter; the secretariat every letter of their forums; members
        the letters sent (or archived as sent) to all members of a forum they belong to, and
        letters sent to them or their organisation by name. An archived letter addressed to one
        person is seen by that person and the forum's staff only."""
        scope = access.forum_scope(user)
        if scope.every_forum:
            return self
        if not access.has_any_role(user):
            return self.none()
        sent = Q(status__in=Letter.DELIVERED)
        condition = Q(forum_id__in=scope.staff) | (
            sent & Q(audience=Letter.Audience.ALL_MEMBERS, forum_id__in=scope.member)
        )
        person = access.person_of(user)
        if person is not None:
            addressed = Q(pk__in=self.filter(recipient_people=person).values("pk"))
            if person.organisation_id:
                addressed |= Q(
                    pk__in=self.filter(recipient_organisations=person.organisation_id).values("pk")
                )
            condition |= sent & addressed
        return self.filter(condition)

    def editable_by(self, user):
        return self.filter(access.managed_forums_q(user))


class Letter(PublishedBilingually, VersionedModel):
    class Audience(models.TextChoices):
        ALL_MEMBERS = "all_members", _("All forum members")
        ORGANISATIONS = "organisations", _("Chosen organisations")
        PEOPLE = "people", _("Chosen people")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        # Sent outside this service (an imported letter): a record, never sent again.
        ARCHIVED = "archived", _("Archived (sent outside this service)")

    # Statuses of a letter that has reached its audience.
    DELIVERED = (Status.SENT, Status.ARCHIVED)

    forum = models.ForeignKey(Forum, on_delete=models.PROTECT, related_name="letters")
    # Unique when given (see Meta); a letter without one is known by its forum, date and subject.
    reference = models.CharField(_("reference"), max_length=50, blank=True)
    their_reference = models.CharField(
        _("their reference"),
        max_length=50,
        blank=True,
        help_text=_("The reference of the letter this one answers (“Your ref”)"),
    )
    date = models.DateField(_("date"))
    sender = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="letters_sent"
    )
    sender_name = models.CharField(_("sender"), max_length=200)
    sender_titles_en = models.TextField(_("sender's titles (English)"), blank=True)
    sender_titles_cy = models.TextField(_("sender's titles (Welsh)"), blank=True)
    organisation_en = models.CharField(max_length=200, blank=True, default="Welsh Government")
    organisation_cy = models.CharField(max_length=200, blank=True, default="Llywodraeth Cymru")
    sender_address = models.TextField(_("sender's address and contact details"), blank=True)
    addressee = models.CharField(_("addressed to"), max_length=255, blank=True)
    addressee_address = models.TextField(
        _("addressee's title and address"),
        blank=True,
        help_text=_("The lines under the addressee's name, as the letter writes them"),
    )
    # A letter written in Welsh only has no English wording: every _en field may be empty.
    salutation_en = models.CharField(max_length=100, blank=True, default="Dear all,")
    salutation_cy = models.CharField(max_length=100, blank=True, default="Annwyl bawb,")
    subject_en = models.CharField(_("subject (English)"), max_length=255, blank=True)
    subject_cy = models.CharField(_("subject (Welsh)"), max_length=255, blank=True)
    body_en = models.TextField(_("body (English)"), blank=True)
    body_cy = models.TextField(_("body (Welsh)"), blank=True)
    closing_en = models.CharField(max_length=100, blank=True, default="Yours sincerely,")
    closing_cy = models.CharField(max_length=100, blank=True, default="Yn gywir,")
    welsh_language_statement_en = models.TextField(blank=True)
    welsh_language_statement_cy = models.TextField(blank=True)
    restricted_note = models.TextField(
        _("restricted-sharing note"),
        blank=True,
        help_text=_("What recipients must not share, and where"),
    )
    audience = models.CharField(
        _("send to"), max_length=20, choices=Audience, default=Audience.ALL_MEMBERS
    )
    recipient_people = models.ManyToManyField(Person, blank=True, related_name="letters_received")
    recipient_organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="letters_received"
    )
    language_mode = models.CharField(
        _("language of each copy"), max_length=10, choices=LanguageMode, default=LanguageMode.BOTH
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    sent_at = models.DateTimeField(null=True, blank=True)
    source_document = models.CharField(max_length=255, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[])

    objects = LetterQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "reference"]
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        constraints = [
            models.UniqueConstraint(
                fields=["reference"],
                condition=~Q(reference=""),
                name="letter_reference_unique_when_given",
            ),
        ]

    def __str__(self):
        return f"{self.reference} – {self.subject}" if self.reference else self.subject

    def validate_constraints(self, exclude=None):
        # A reference in use is an error of the reference field (as unique=True made it), not
        # of the whole form: a conditional constraint alone would report it without a field.
        exclude = set(exclude or ())
        if self.reference and "reference" not in exclude:
            taken = Letter.objects.filter(reference=self.reference).exclude(pk=self.pk)
            if taken.exists():
                raise ValidationError(
                    {"reference": self.unique_error_message(Letter, ["reference"])}
                )
        super().validate_constraints(exclude=exclude | {"reference"})

    @property
    def subject(self) -> str:
        """The subject in English, or in Welsh for a letter written in Welsh only."""
        return self.subject_en or self.subject_cy

    @property
    def is_welsh_only(self) -> bool:
        return bool(self.body_cy) and not self.body_en

    def get_absolute_url(self):
        return reverse("correspondence:detail", args=[self.pk])


class CarbonCopy(models.Model):
    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="cc")
    order = models.PositiveSmallIntegerField(default=0)
    as_written = models.CharField(_("as written"), max_length=255)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="letters_cc"
    )

    class Meta:
        ordering = ["letter", "order"]
        verbose_name = _("cc")
        verbose_name_plural = _("cc list")

    def __str__(self):
        return self.as_written


def validate_enclosure(file):
    ext = os.path.splitext(file.name)[1].lower().lstrip(".")
    if ext not in settings.ENCLOSURE_ALLOWED_EXTENSIONS:
        raise ValidationError(
            _("%(ext)s files cannot be enclosed. Use one of: %(allowed)s."),
            params={
                "ext": ext or "Extensionless",
                "allowed": ", ".join(settings.ENCLOSURE_ALLOWED_EXTENSIONS),
            },
        )
    if file.size > settings.ENCLOSURE_MAX_BYTES:
        raise ValidationError(
            _("The file is %(size)s MB; enclosures must be at most %(max)s MB."),
            params={
                "size": round(file.size / 1048576, 1),
                "max": round(settings.ENCLOSURE_MAX_BYTES / 1048576, 1),
            },
        )


class Enclosure(models.Model):
    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="enclosures")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("title"), max_length=255)
    file = models.FileField(
        _("file"),
        upload_to="enclosures/%Y/",
        blank=True,
        validators=[validate_enclosure],
    )

    class Meta:
        ordering = ["letter", "order"]
        verbose_name = _("enclosure")
        verbose_name_plural = _("enclosures")

    def __str__(self):
        return self.title
