import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from directory.models import Organisation, OwnerRole, Person, VersionedModel
from meetings.models import AgendaItem, Meeting
from search.vectors import search_vector_field
from wrc import access


def due_soon_days() -> int:
    """How many days ahead "due soon" reaches: the one window for the actions list's filter,
    My actions, the downloads filtered like the list and the reminders (their "due soon"
    notice goes this many days before the due date). One setting, REMINDERS_DUE_SOON_DAYS."""
    return settings.REMINDERS["DUE_SOON_DAYS"]


def due_soon_until(today: datetime.date) -> datetime.date:
    """The last day that counts as due soon seen from ``today`` (today itself counts)."""
    return today + datetime.timedelta(days=due_soon_days())


def is_due_soon(due_date: datetime.date | None, today: datetime.date) -> bool:
    return due_date is not None and today <= due_date <= due_soon_until(today)


def _due_soon_label() -> str:
    return gettext("Due in the next %(days)s days") % {"days": due_soon_days()}


# What every page calls the window, in the reader's language when it is shown.
DUE_SOON_LABEL = lazy(_due_soon_label, str)()


class ActionQuerySet(models.QuerySet):
    def active(self):
        """Not archived: what lists, formsets and counts show by default."""
        return self.filter(archived_at__isnull=True)

    def open(self):
        return self.filter(status__in=ActionItem.OPEN_STATUSES)

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.open().filter(due_date__lt=today)

    def due_soon(self, today=None):
        """Open and due from ``today`` to ``due_soon_until(today)``: see ``due_soon_days``."""
        today = today or timezone.localdate()
        return self.open().filter(due_date__gte=today, due_date__lte=due_soon_until(today))

    def no_date(self):
        return self.open().filter(due_date__isnull=True)

    def owned_by_person(self, person):
        """Owned directly, through the person's organisation, or through a role they hold."""
        if person is None:
            return self.none()
        condition = Q(owner_person=person) | Q(owner_role__holders=person)
        if person.organisation_id:
            condition |= Q(owner_organisation_id=person.organisation_id)
        return self.filter(condition).distinct()

    def owned_by(self, user):
        return self.owned_by_person(access.person_of(user))

    def visible_to(self, user):
        """Officials see all; the secretariat the actions of their forums' meetings; members
        the actions of meetings shared with them, and every action they own wherever it is."""
        scope = access.forum_scope(user)
        if scope.every_forum:
            return self
        if not access.has_any_role(user):
            return self.none()
        shared = Meeting.objects.visible_to(user)
        mine = self.owned_by(user).values("pk")
        return self.filter(Q(meeting__in=shared) | Q(pk__in=mine))

    def editable_by(self, user):
        """Actions whose records ``user`` may change as secretariat: those of forums they
        manage (owners update their own actions through the progress form, not this)."""
        return self.filter(access.managed_forums_q(user, "meeting__forum"))


class ActionItem(VersionedModel):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class DueRule(models.TextChoices):
        NONE = "", _("No date")
        FIXED = "fixed", _("A fixed date")
        NEXT_MEETING = "next_meeting", _("Before the next meeting")

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="actions"
    )
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    number = models.PositiveSmallIntegerField(
        _("number"), null=True, blank=True, help_text=_("Its number in the Summary of Actions")
    )
    text = models.TextField(_("action"))
    inline_text = models.TextField(
        _("as recorded under the item"), blank=True, help_text=_("The 'Action:' line in the notes")
    )
    owner_text = models.CharField(_("owner (as written)"), max_length=255, blank=True)
    owner_person = models.ForeignKey(
        Person,
        verbose_name=_("owner (person)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,  # an action never silently loses its owner
        related_name="owned_actions",
    )
    owner_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("owner (organisation)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_actions",
    )
    owner_role = models.ForeignKey(
        OwnerRole,
        verbose_name=_("owner (role)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_actions",
    )
    deadline_text = models.CharField(
        _("deadline (as written)"), max_length=255, blank=True, help_text=_("As soon as possible")
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    due_rule = models.CharField(max_length=20, choices=DueRule, default=DueRule.NONE, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.OPEN)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    completion_note = models.TextField(_("completion note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    archived_at = models.DateTimeField(
        _("archived"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Removed from lists; its page, progress notes and history are kept."),
    )
    search_vector = search_vector_field(
        english=[("text", "A"), ("inline_text", "B"), ("owner_text", "C"), ("completion_note", "C")]
    )
    history = HistoricalRecords(excluded_fields=["search_vector"])

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["meeting__starts_at", "number", "pk"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "number"],
                condition=Q(number__isnull=False),
                name="unique_action_number_per_meeting",
            )
        ]
        indexes = [
            # The lists and downloads sort by due date (actions.views.ACTION_SORTS) and "my
            # actions" orders by it.
            models.Index(fields=["due_date"], name="action_due_date"),
            # The status filter and sort of the actions list (actions.filters.ActionFilter).
            models.Index(fields=["status", "due_date"], name="action_status_due"),
            # Pending work: overdue, due soon and no date (ActionQuerySet.overdue, due_soon,
            # no_date) and the reminder sweep's window (reminders.services) read open actions
            # by due date only.
            models.Index(
                fields=["due_date"],
                name="action_open_due",
                condition=Q(status__in=["open", "in_progress"]),
            ),
        ]

    def __str__(self):
        prefix = f"{self.number}. " if self.number else ""
        return f"{prefix}{self.text[:80]}"

    def get_absolute_url(self):
        return reverse("actions:detail", args=[self.pk])

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES

    @property
    def is_archived(self):
        return self.archived_at is not None

    def archive(self):
        """Take the action off every list instead of deleting it: its page, progress notes and
        history stay. The version rises, so forms opened before refuse to save over it."""
        self.archived_at = timezone.now()
        self.save(update_fields=["archived_at", "updated_at"])

    def is_overdue(self, today=None):
        today = today or timezone.localdate()
        return self.is_open and self.due_date is not None and self.due_date < today

    @property
    def overdue(self):
        return self.is_overdue()

    @property
    def owner_display(self):
        resolved = self.owner_person or self.owner_organisation or self.owner_role
        return self.owner_text or (str(resolved) if resolved else "")


class ActionUpdate(models.Model):
    """A dated progress note on an action, written by its owner or the secretariat."""

    # The product never deletes an action (it archives it: ActionItem.archive); the importers'
    # clean re-imports and generate_volume do, with their notes.
    action = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=12, choices=ActionItem.Status)
    note = models.TextField(_("progress note"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")

    def __str__(self):
        return f"{self.action_id} {self.get_status_display()} {self.created_at:%Y-%m-%d}"
