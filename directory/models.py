"""Organisations, people, the forum and the roles that own actions.

The directory has its own app because every other record points at it: attendance rows, action
owners, plan leads and letter recipients all resolve to an organisation, a person or a role here.
"""

import re
import secrets
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from search.vectors import search_vector_field


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    WELSH = "cy", _("Welsh")


def normalise_name(value: str) -> str:
    """A key under which spellings of one name compare equal.

    Case, accents, punctuation, "&" versus "and" and surrounding space are ignored, so
    "Romani Cultural & Arts Company" and "romani cultural and arts company" meet.
    """
    value = unicodedata.normalize("NFKD", value or "")
    value = "".join(ch for ch in value if not unicodedata.combining(ch))
    value = value.lower().replace("&", " and ")
    value = re.sub(r"[^a-z0-9]+", " ", value)
    return " ".join(value.split())


def unique_slug(instance, name: str, *, fallback: str) -> str:
    """A slug of ``name`` that no other row of ``instance``'s model has: "wlga", "wlga-2"...
    Short enough for the field to take the "-n" suffix."""
    model = type(instance)
    room = model._meta.get_field("slug").max_length - 5
    base = slugify(name)[:room] or fallback
    slug, n = base, 2
    while model.objects.filter(slug=slug).exclude(pk=instance.pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


class VersionedModel(models.Model):
    """A record with a version number, raised on every save, for optimistic locking.

    ``save()`` raises it from the value in the database (under a row lock), so every save
    counts, the admin's and code's included, and an edit form opened before refuses to
    overwrite. An edit form that has already claimed the next version with its conditional
    UPDATE (``wrc.editing.VersionedModelForm.claim_version``) marks it, and that save keeps it.
    Queryset ``update()`` and ``bulk_update()`` bypass ``save()``: raise ``version`` there
    yourself.
    """

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._state.adding or self.pk is None or kwargs.get("force_insert"):
            return super().save(*args, **kwargs)
        if getattr(self, "_claimed_version", None) == self.version:
            self._claimed_version = None
            return super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "version"}
        with transaction.atomic(using=kwargs.get("using")):
            current = (
                type(self)
                ._base_manager.filter(pk=self.pk)
                .order_by()
                .select_for_update(of=("self",))
                .values_list("version", flat=True)
                .first()
            )
            if current is not None:
                self.version = current + 1
            return super().save(*args, **kwargs)


class ArchivableQuerySet(models.QuerySet):
    def active(self):
        """Not archived: what lists, choices and counts show by default."""
        return self.filter(archived_at__isnull=True)

    def archived(self):
        return self.filter(archived_at__isnull=False)

    def for_choice(self, *keep):
        """What a form offers: the records not archived, and ``keep`` (the values the records
        being edited already hold: records, ids, or a values queryset of ids, which stays a
        subquery), so an edit never drops a link to an archived record."""
        kept = Q()
        for value in keep:
            if isinstance(value, models.QuerySet):
                kept |= Q(pk__in=value)
            elif value:
                kept |= Q(pk=getattr(value, "pk", value))
        return self.filter(Q(archived_at__isnull=True) | kept)


class ArchivableModel(models.Model):
    """A record that others point at is archived, never deleted: it leaves lists and choices,
    and its page, its links (actions, attendance, letters, plan leads) and its history stay.
    The same pattern as ``actions.models.ActionItem.archive``."""

    archived_at = models.DateTimeField(
        _("archived"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Removed from lists and choices; its page, links and history are kept."),
    )

    class Meta:
        abstract = True

    @property
    def is_archived(self):
        return self.archived_at is not None

    def archive(self):
        """Take the record off every list. A versioned record's version rises, so forms
        opened before refuse to save over it."""
        self.archived_at = timezone.now()
        self.save(update_fields=self._archive_fields())

    def restore(self):
        self.archived_at = None
        self.save(update_fields=self._archive_fields())

    def _archive_fields(self):
        names = {field.name for field in self._meta.concrete_fields}
        return ["archived_at", *(["updated_at"] if "updated_at" in names else [])]


class OrganisationQuerySet(ArchivableQuerySet):
    def resolve(self, name: str):
        """The organisation that ``name`` means: by name, short name or alias; None if unknown."""
        key = normalise_name(name)
        if not key:
            return None
        found = self.filter(Q(normalised_name=key) | Q(aliases__normalised=key)).first()
        if found is None:
            found = self.filter(short_name__iexact=name.strip()).exclude(short_name="").first()
        return found


class Organisation(ArchivableModel, VersionedModel):
    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government")
        GOVERNMENT_TEAM = "government_team", _("Government team")
        PUBLIC_BODY = "public_body", _("Public body")
        POLICE = "police", _("Police and criminal justice")
        THIRD_SECTOR = "third_sector", _("Third sector")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=255, unique=True)
    short_name = models.CharField(
        _("short name or acronym"), max_length=50, blank=True, help_text=_("For example WLGA")
    )
    normalised_name = models.CharField(max_length=255, unique=True, editable=False)
    slug = models.SlugField(max_length=255, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.OTHER)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="teams",
    )
    website = models.URLField(_("website"), blank=True)
    search_vector = search_vector_field(english=[("name", "A"), ("short_name", "A")])
    history = HistoricalRecords(excluded_fields=["search_vector"])

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.normalised_name = normalise_name(self.name)
        if not self.slug:
            self.slug = unique_slug(self, self.name, fallback="organisation")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("directory:organisation_detail", args=[self.slug])

    @property
    def display_name(self):
        if self.short_name and self.short_name.lower() not in self.name.lower():
            return f"{self.name} ({self.short_name})"
        return self.name


class OrganisationAlias(models.Model):
    """Another spelling of an organisation's name, as found in the documents."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="aliases")
    alias = models.CharField(_("alias"), max_length=255)
    normalised = models.CharField(max_length=255, unique=True, editable=False)

    class Meta:
        ordering = ["alias"]
        verbose_name = _("organisation alias")
        verbose_name_plural = _("organisation aliases")

    def __str__(self):
        return self.alias

    def save(self, *args, **kwargs):
        self.normalised = normalise_name(self.alias)
        super().save(*args, **kwargs)


def new_calendar_token():
    return secrets.token_urlsafe(32)


class PersonQuerySet(ArchivableQuerySet):
    pass


class Person(ArchivableModel, VersionedModel):
    full_name = models.CharField(_("name"), max_length=200)
    honorific = models.CharField(
        _("post-nominals"),
        max_length=30,
        blank=True,
        # Translators: post-nominals for a Member of the Senedd, given as an example.
        help_text=pgettext_lazy("post-nominals", "MS"),
    )
    title_en = models.CharField(_("job title (English)"), max_length=255, blank=True)
    title_cy = models.CharField(_("job title (Welsh)"), max_length=255, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
    )
    is_organisation_contact = models.BooleanField(
        _("main contact for the organisation"),
        default=False,
        help_text=_("Receives reminders for actions owned by the organisation."),
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language, default=Language.ENGLISH
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    calendar_token = models.CharField(
        max_length=64, unique=True, default=new_calendar_token, editable=False
    )
    history = HistoricalRecords(excluded_fields=["calendar_token"])

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self):
        return self.full_name

    def get_absolute_url(self):
        return reverse("directory:person_detail", args=[self.pk])

    @property
    def display_name(self):
        return f"{self.full_name} {self.honorific}".strip()


class ForumQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Officials see every forum; others the forums they belong to or are secretariat of."""
        from wrc import access

        scope = access.forum_scope(user)
        if scope.every_forum:
            return self
        return self.filter(pk__in=scope.staff | scope.member)


class Forum(models.Model):
    """A forum, board, group or panel: the home of its own meetings, memberships, owner roles,
    letters and delivery plans. People and organisations are shared between forums."""

    class Kind(models.TextChoices):
        FORUM = "forum", _("Forum")
        BOARD = "board", _("Board")
        GROUP = "group", _("Group")
        PANEL = "panel", _("Panel")

    name = models.CharField(_("name"), max_length=200, unique=True)
    name_cy = models.CharField(_("name (Welsh)"), max_length=200, blank=True)
    short_name = models.CharField(
        _("short name"), max_length=50, blank=True, help_text=_("For example WRF")
    )
    short_name_cy = models.CharField(_("short name (Welsh)"), max_length=50, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.FORUM)
    slug = models.SlugField(unique=True)
    reminders_enabled = models.BooleanField(
        _("send reminders"),
        default=True,
        help_text=_("Owners of this forum's open actions receive deadline reminders."),
    )
    reminder_days_before_meeting = models.PositiveSmallIntegerField(
        _("days before a meeting that open actions are raised"), default=7
    )
    history = HistoricalRecords()

    objects = ForumQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("forum")
        verbose_name_plural = _("forums")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.name, fallback="forum")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("directory:forum_detail", args=[self.slug])

    def name_in(self, language: str) -> str:
        """The forum's name in ``language`` ("en" or "cy"), English when it has no Welsh name."""
        return self.name_cy if language == Language.WELSH and self.name_cy else self.name

    def short_name_in(self, language: str) -> str:
        if language == Language.WELSH and self.short_name_cy:
            return self.short_name_cy
        return self.short_name or self.name_in(language)

    @property
    def local_name(self) -> str:
        """The name in the language of the current request."""
        return self.name_in((get_language() or "en")[:2])

    @classmethod
    def default(cls):
        """The first forum: the Wales Race Forum (``FORUM_NAME``), which holds the records of
        the installation from before it held several forums."""
        forum, _created = cls.objects.get_or_create(
            slug=slugify(settings.FORUM_NAME),
            defaults={"name": settings.FORUM_NAME, "name_cy": "Fforwm Hil Cymru"},
        )
        return forum

    @classmethod
    def lookup(cls, name: str):
        """The forum called ``name`` (English or Welsh name, short name or slug); None if none."""
        key = (name or "").strip()
        if not key:
            return None
        return cls.objects.filter(
            Q(name__iexact=key)
            | Q(name_cy__iexact=key)
            | Q(slug__iexact=key)
            | (Q(short_name__iexact=key) & ~Q(short_name=""))
            | (Q(short_name_cy__iexact=key) & ~Q(short_name_cy=""))
        ).first()


class MembershipRole(models.TextChoices):
    CHAIR = "chair", _("Chair")
    MEMBER = "member", _("Member")
    SECRETARIAT = "secretariat", _("Secretariat")
    OFFICIAL = "official", _("Official")
    OBSERVER = "observer", _("Observer")


class MembershipQuerySet(models.QuerySet):
    def current(self, on=None):
        """Memberships that hold on ``on`` (today by default). ``left_on`` is the last day of
        membership: someone leaving today is still a member today. The one rule every "all
        members" list (letters, invitations, access) uses."""
        on = on or timezone.localdate()
        return self.filter(Q(joined_on__isnull=True) | Q(joined_on__lte=on)).filter(
            Q(left_on__isnull=True) | Q(left_on__gte=on)
        )


class Membership(models.Model):
    """An organisation or a person belonging to one forum, in one role, between two dates."""

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="memberships")
    # PROTECT: a member's past memberships decide which letters and meetings they see; deleting
    # the organisation or person would hide them. End the membership (left_on) instead.
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(
        _("role"), max_length=20, choices=MembershipRole, default=MembershipRole.MEMBER
    )
    joined_on = models.DateField(_("joined"), null=True, blank=True)
    left_on = models.DateField(_("left"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["role", "organisation__name", "person__full_name"]
        verbose_name = _("forum membership")
        verbose_name_plural = _("forum memberships")
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | Q(person__isnull=False),
                name="membership_has_member",
            ),
            models.UniqueConstraint(
                fields=["forum", "organisation", "person", "role"], name="unique_membership"
            ),
        ]

    def __str__(self):
        who = self.person or self.organisation
        return f"{who} – {self.get_role_display()}"


class OwnerRoleQuerySet(models.QuerySet):
    def resolve(self, text: str):
        key = normalise_name(text)
        if not key:
            return None
        for role in self.all():
            if key in role.normalised_names():
                return role
        return None


class OwnerRole(models.Model):
    """A role that can own actions in the notes, such as "Secretariat" or "Regional Convenor
    (North Wales)". Actions owned by a role reach the people who hold it."""

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="owner_roles")
    name = models.CharField(_("name"), max_length=200)
    name_cy = models.CharField(_("name (Welsh)"), max_length=200, blank=True)
    category = models.CharField(
        _("kind of role"), max_length=20, choices=MembershipRole, default=MembershipRole.MEMBER
    )
    aliases = models.JSONField(
        _("other names"), default=list, blank=True, help_text=_("Other ways the notes name it")
    )
    holders = models.ManyToManyField(
        Person, verbose_name=_("held by"), blank=True, related_name="owner_roles"
    )

    objects = OwnerRoleQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("owner role")
        verbose_name_plural = _("owner roles")
        constraints = [models.UniqueConstraint(fields=["forum", "name"], name="unique_role_name")]

    def __str__(self):
        return self.name

    def normalised_names(self):
        return {normalise_name(n) for n in [self.name, *self.aliases] if n}


class AccountInvitation(models.Model):
    """An email inviting a person to choose the password of their account. Only the latest
    invitation's link works (directory/accounts.py): sending again cancels the earlier link."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="account_invitations")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("account invitation")
        verbose_name_plural = _("account invitations")

    def __str__(self):
        return f"{self.person} – {self.sent_at:%Y-%m-%d}"

    @property
    def expires_at(self):
        return self.sent_at + timedelta(seconds=settings.INVITATION_TIMEOUT_SECONDS)

    @property
    def has_expired(self) -> bool:
        return self.accepted_at is None and timezone.now() > self.expires_at


class AuditEvent(models.Model):
    """Something done with people's accounts or data, kept for officials to read (who did what,
    when, from where). People here were targeted by harassment: officials must be able to see
    who signed in, who was invited and who took contact details away. Written by
    directory/audit.py; never edited. A failed sign-in keeps the username tried, never the
    password."""

    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", _("Signed in")
        SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
        SIGN_OUT = "sign_out", _("Signed out")
        INVITATION_SENT = "invitation_sent", _("Invitation sent")
        INVITATION_ACCEPTED = "invitation_accepted", _("Invitation accepted")
        TWO_FACTOR_SET_UP = "two_factor_set_up", _("Two-step sign-in set up")
        TWO_FACTOR_RESET = "two_factor_reset", _("Two-step sign-in reset")
        TWO_FACTOR_OFF = "two_factor_off", _("Two-step sign-in turned off")
        CONTACTS_EXPORTED = "contacts_exported", _("Contacts exported")
        LETTER_SENT = "letter_sent", _("Letter sent")
        OUTBOX_SETTLED = "outbox_settled", _("Outgoing messages settled by hand")

    at = models.DateTimeField(_("when"), default=timezone.now)
    kind = models.CharField(_("what"), max_length=32, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept as text too: the record still says who it was if the account is removed later.
    actor_name = models.CharField(_("account"), max_length=150, blank=True)
    subject = models.ForeignKey(
        Person,
        verbose_name=_("person concerned"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    forum = models.ForeignKey(
        Forum, verbose_name=_("forum"), null=True, blank=True, on_delete=models.SET_NULL
    )
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["-at", "-id"], name="directory_audit_newest"),
            models.Index(fields=["kind", "-at", "-id"], name="directory_audit_kind_newest"),
        ]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.actor_name}"
