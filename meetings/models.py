import uuid

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from directory.models import (
    ArchivableModel,
    ArchivableQuerySet,
    Forum,
    Organisation,
    Person,
    VersionedModel,
)
from search.vectors import search_vector_field
from wrc import access
from wrc.lib.bilingual import PublishedBilingually
from wrc.lib.dates import long_date


def still_to_come(now=None) -> Q:
    """The one rule for a meeting still to come at ``now`` (the home page, the forum page, the
    diary, "the next meeting" everywhere): it starts at or after ``now``; or, when the notes
    gave only its date (stored at midnight, ``time_recorded`` off), it falls on ``now``'s day
    or later, so it does not drop off at the midnight that begins its own day."""
    now = now or timezone.now()
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return Q(starts_at__gte=now) | Q(time_recorded=False, starts_at__gte=start_of_day)


class MeetingQuerySet(ArchivableQuerySet):
    def visible_to(self, user):
        """Officials see every meeting; the secretariat every meeting of their forums; members
        the approved notes of the forums they belong to."""
        scope = access.forum_scope(user)
        if scope.every_forum:
            return self
        shared = Q(forum_id__in=scope.member, notes_status=Meeting.NotesStatus.APPROVED) & ~Q(
            status=Meeting.Status.CANCELLED
        )
        return self.filter(Q(forum_id__in=scope.staff) | shared)

    def editable_by(self, user):
        """Meetings whose records ``user`` may change: those of the forums they manage."""
        return self.filter(access.managed_forums_q(user))

    def diary_visible_to(self, user, now=None):
        """What a user may put in their diary: what they may see, and for members also every
        meeting still to come of their forums (they are invited to it while its notes are a
        draft)."""
        scope = access.forum_scope(user)
        if scope.every_forum:
            return self
        now = now or timezone.now()
        upcoming = still_to_come(now) & Q(status=Meeting.Status.PLANNED, forum_id__in=scope.member)
        return self.filter(Q(pk__in=self.visible_to(user).values("pk")) | upcoming)

    def not_cancelled(self):
        """The meetings that count when meetings follow one another ("the next meeting", "the
        previous meeting"): neither cancelled nor archived."""
        return self.active().exclude(status=Meeting.Status.CANCELLED)

    def upcoming(self, now=None):
        return self.not_cancelled().filter(still_to_come(now))

    def next_of_forums(self, forums, now=None):
        """The next meeting of each of ``forums`` (Forums or ids) among these, in one query."""
        first = (
            self.upcoming(now)
            .filter(forum=models.OuterRef("forum"))
            .order_by("starts_at", "pk")
            .values("pk")[:1]
        )
        return self.filter(forum__in=forums, pk=models.Subquery(first)).order_by("starts_at")


class Meeting(ArchivableModel, PublishedBilingually, VersionedModel):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    class NotesStatus(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")

    forum = models.ForeignKey(Forum, on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField(_("title"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    # Notes that give a date but no time are stored at midnight with this off: the meeting is
    # shown as "time not recorded" and its diary entry is an all-day one, never an invented time.
    time_recorded = models.BooleanField(_("time recorded"), default=True)
    venue = models.CharField(_("venue"), max_length=255, blank=True)
    online_platform = models.CharField(
        _("online platform"), max_length=100, blank=True, help_text=_("For example Teams")
    )
    online_link = models.URLField(_("online link"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PLANNED)
    notes_status = models.CharField(
        _("notes"), max_length=10, choices=NotesStatus, default=NotesStatus.DRAFT
    )
    source_document = models.CharField(max_length=255, blank=True, editable=False)
    # Diary markers: a stable UID and a sequence raised whenever the invitation changes.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    ics_sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    search_vector = search_vector_field(english=[("title", "A"), ("venue", "C")])
    history = HistoricalRecords(excluded_fields=["search_vector"])

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            # A meeting is identified by its forum and when it starts: two forums may meet on
            # the same day, and one forum twice on a day at different times.
            models.UniqueConstraint(fields=["forum", "starts_at"], name="unique_meeting_start"),
        ]
        indexes = [
            # The meetings list across forums sorts by date (its default), and the actions list
            # by its meeting's date (ActionItem.Meta.ordering); unique_meeting_start leads with
            # the forum, so it cannot serve either.
            models.Index(fields=["starts_at"], name="meeting_starts_at"),
        ]

    def __str__(self):
        # The date only: never the stored midnight of a meeting whose time was not recorded.
        # The product's date format, in the reader's language (wrc.lib.dates).
        return f"{self.title or self.forum.name} – {long_date(self.local_date)}"

    @property
    def local_date(self):
        """The day of the meeting where the forum meets, whether or not its time is known."""
        return timezone.localdate(self.starts_at)

    def get_absolute_url(self):
        return reverse("meetings:detail", args=[self.pk])

    def is_visible_to(self, user) -> bool:
        """``MeetingQuerySet.visible_to`` for this one meeting, without a query: whether its
        page opens for ``user`` (everyone invited knows when it is; not all may read it)."""
        scope = access.forum_scope(user)
        if scope.every_forum or self.forum_id in scope.staff:
            return True
        return (
            self.forum_id in scope.member
            and self.notes_status == Meeting.NotesStatus.APPROVED
            and self.status != Meeting.Status.CANCELLED
        )

    @property
    def where(self):
        if self.venue and self.online_platform:
            return f"{self.venue} and via {self.online_platform}"
        if self.online_platform:
            return f"Via {self.online_platform}"
        return self.venue

    def previous(self):
        return (
            Meeting.objects.not_cancelled()
            .filter(forum=self.forum, starts_at__lt=self.starts_at)
            .order_by("-starts_at")
            .first()
        )

    def next(self):
        return (
            Meeting.objects.not_cancelled()
            .filter(forum=self.forum, starts_at__gt=self.starts_at)
            .order_by("starts_at")
            .first()
        )


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=255)
    title_cy = models.CharField(_("title (Welsh)"), max_length=255, blank=True)
    # Who the notes say led the item ("3. Hate crime update (Gwent Police)"), as written.
    presenter = models.CharField(_("presented by"), max_length=200, blank=True)
    discussion = models.TextField(_("discussion"), blank=True)
    discussion_cy = models.TextField(_("discussion (Welsh)"), blank=True)
    search_vector = search_vector_field(
        english=[("title", "A"), ("discussion", "B")],
        welsh=[("title_cy", "A"), ("discussion_cy", "B")],
    )
    history = HistoricalRecords(excluded_fields=["search_vector"])

    class Meta:
        ordering = ["meeting", "number"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="unique_item_number")
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        APOLOGIES = "apologies", _("Apologies")
        ABSENT = "absent", _("Absent")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    order = models.PositiveSmallIntegerField(default=0)
    as_written = models.CharField(
        _("as written"), max_length=255, help_text=_("The row as the notes give it")
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    organisation_text = models.CharField(_("organisation or role"), max_length=255, blank=True)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="attendance"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="attendance"
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.PRESENT)
    # The heading the notes list the row under ("Welsh Government officials", "Secretariat",
    # "Guests"…); blank for the main list.
    group = models.CharField(_("group"), max_length=120, blank=True)
    initials = models.CharField(
        _("initials"), max_length=12, blank=True, help_text=_("As the notes abbreviate the person")
    )
    deputy_for = models.CharField(
        _("attending for"), max_length=200, blank=True, help_text=_("Whom the person deputised for")
    )

    class Meta:
        ordering = ["meeting", "status", "order"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")

    def __str__(self):
        return self.as_written
