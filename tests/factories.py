"""factory-boy factories for every model, used across the suite."""

import datetime
import uuid

import factory
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from simple_history.models import HistoricalChanges

from actions.models import ActionItem, ActionUpdate
from correspondence.models import CarbonCopy, Enclosure, Letter
from directory.models import (
    AccountInvitation,
    AuditEvent,
    Forum,
    Language,
    Membership,
    Organisation,
    OrganisationAlias,
    OwnerRole,
    Person,
)
from hatecrime.models import (
    DeliveryArea,
    DeliveryPlan,
    Objective,
    PlanAction,
    PlanActionLead,
    PlanSection,
)
from meetings.models import AgendaItem, Attendance, Meeting
from outbox.models import OutgoingMail
from reminders.models import ReminderClaim, ReminderKind, SweepRun
from wrc import access


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            for name in extracted:
                self.groups.add(Group.objects.get_or_create(name=name)[0])
        if create:
            self.save()


def official_user(**kwargs):
    return UserFactory(groups=[access.OFFICIALS], **kwargs)


def secretariat_user(forum=None, person=None, **kwargs):
    """A secretariat account: the secretariat of ``forum`` (the Wales Race Forum by default)."""
    user = UserFactory(groups=[access.SECRETARIAT], **kwargs)
    # No organisation or address of their own by default: the secretariat is not one of the
    # forum's invitees or reminder recipients unless a test says so.
    person = person or PersonFactory(organisation=None, email="")
    person.user = user
    person.save()
    MembershipFactory(
        forum=forum or ForumFactory(), person=person, organisation=None, role="secretariat"
    )
    return user


def member_user(person=None, forum=None, **kwargs):
    """A member account whose person belongs to ``forum`` (the Wales Race Forum by default);
    ``forum=False`` for a member of no forum."""
    user = UserFactory(groups=[access.MEMBERS], **kwargs)
    person = person or PersonFactory()
    person.user = user
    person.save()
    if forum is not False:
        MembershipFactory(forum=forum or ForumFactory(), person=person, organisation=None)
    return user


class ForumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Forum
        django_get_or_create = ("slug",)

    name = "Wales Race Forum"
    name_cy = "Fforwm Hil Cymru"
    slug = "wales-race-forum"

    class Params:
        # A second body of the same shape, for tests that two forums keep apart.
        board = factory.Trait(
            name="Hate and Community Tensions Board Cymru",
            name_cy="Bwrdd Casineb a Thensiynau Cymunedol Cymru",
            short_name="HCTB",
            kind=Forum.Kind.BOARD,
            slug="hate-and-community-tensions-board-cymru",
        )


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Community Organisation {n}")
    kind = Organisation.Kind.THIRD_SECTOR


class OrganisationAliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationAlias

    organisation = factory.SubFactory(OrganisationFactory)
    alias = factory.Sequence(lambda n: f"Alias {n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    full_name = factory.Faker("name", locale="en_GB")
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    organisation = factory.SubFactory(OrganisationFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    forum = factory.SubFactory(ForumFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "member"


class OwnerRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OwnerRole

    forum = factory.SubFactory(ForumFactory)
    name = factory.Sequence(lambda n: f"Role {n}")
    category = "member"


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    forum = factory.SubFactory(ForumFactory)
    title = "Wales Race Forum"
    starts_at = factory.Sequence(
        lambda n: (
            datetime.datetime(2025, 3, 17, 12, 0, tzinfo=timezone.get_current_timezone())
            + datetime.timedelta(days=7 * n)
        )
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=1))
    online_platform = "Teams"
    status = Meeting.Status.HELD
    notes_status = Meeting.NotesStatus.APPROVED


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Agenda item {n}")
    discussion = "The forum discussed the item."


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    meeting = factory.SubFactory(MeetingFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    as_written = factory.LazyAttribute(lambda o: o.organisation.name)
    organisation_text = factory.LazyAttribute(lambda o: o.organisation.name)


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionItem

    meeting = factory.SubFactory(MeetingFactory)
    number = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Share document {n} with Forum members.")
    owner_text = "Secretariat"
    deadline_text = "As soon as possible"


class ActionUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionUpdate

    action = factory.SubFactory(ActionItemFactory)
    status = ActionItem.Status.IN_PROGRESS
    note = "Work has started."


class DeliveryPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeliveryPlan
        django_get_or_create = ("period",)

    forum = factory.SubFactory(ForumFactory)
    title_en = "Tackling Hate Crimes and Incidents: Framework for Action – Delivery Plan"
    period = "2016-17"


class PlanSectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanSection

    plan = factory.SubFactory(DeliveryPlanFactory)
    position = factory.Sequence(lambda n: n)
    heading_en = "Independent Advisory Group"
    text_en = "The group advises on the plan's delivery and meets each quarter."


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    plan = factory.SubFactory(DeliveryPlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    title_en = factory.Sequence(lambda n: f"Objective title {n}")


class DeliveryAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeliveryArea

    objective = factory.SubFactory(ObjectiveFactory)
    number = factory.Sequence(lambda n: n + 1)
    title_en = factory.Sequence(lambda n: f"Delivery area title {n}")


class PlanActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanAction

    area = factory.SubFactory(DeliveryAreaFactory)
    plan = factory.LazyAttribute(lambda o: o.area.objective.plan)
    reference = factory.Sequence(lambda n: f"9.{n + 1}")
    text = factory.Sequence(lambda n: f"We will deliver programme {n}.")
    leads_text = "Welsh Government"


class PlanActionLeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanActionLead

    action = factory.SubFactory(PlanActionFactory)
    organisation = factory.SubFactory(OrganisationFactory)


class LetterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Letter

    forum = factory.SubFactory(ForumFactory)
    # Numbered from 1000 so they never collide with the real references tests write out.
    reference = factory.Sequence(lambda n: f"JH/PO/{n + 1000}/2025")
    date = datetime.date(2025, 1, 30)
    sender_name = "Jane Hutt AS/MS"
    sender_titles_en = "Cabinet Secretary for Social Justice, Trefnydd and Chief Whip"
    subject_en = "Support for social media misinformation"
    body_en = "I am writing to let you know we stand in solidarity with you."
    welsh_language_statement_en = "We welcome receiving correspondence in Welsh."
    welsh_language_statement_cy = "Rydym yn croesawu derbyn gohebiaeth yn Gymraeg."
    status = Letter.Status.SENT


class CarbonCopyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CarbonCopy

    letter = factory.SubFactory(LetterFactory)
    as_written = "WCVA"


class EnclosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enclosure

    letter = factory.SubFactory(LetterFactory)
    title = "Draft Misinformation toolkit"


class LetterMailFactory(factory.django.DjangoModelFactory):
    """One recipient's copy of a letter in the outbox."""

    class Meta:
        model = OutgoingMail

    kind = OutgoingMail.Kind.LETTER
    letter = factory.SubFactory(LetterFactory)
    person = factory.SubFactory(PersonFactory)
    key = factory.LazyAttribute(lambda o: f"letter:{o.letter.pk}:person:{o.person.pk}")
    forum = factory.LazyAttribute(lambda o: o.letter.forum)
    email = factory.LazyAttribute(lambda o: o.person.email)
    language = Language.ENGLISH
    subject = factory.LazyAttribute(lambda o: o.letter.subject)
    payload = factory.LazyFunction(lambda: {"copy_to": None})


class AccountInvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountInvitation

    person = factory.SubFactory(PersonFactory)


class ReminderClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReminderClaim

    action = factory.SubFactory(ActionItemFactory)
    subject_key = factory.LazyAttribute(lambda o: f"action:{o.action.pk}")
    kind = ReminderKind.DUE_SOON
    occasion = datetime.date(2025, 7, 1)
    recipient = factory.SubFactory(PersonFactory)
    mail = factory.LazyAttribute(
        lambda o: OutgoingMail.objects.create(
            kind=OutgoingMail.Kind.REMINDER,
            key=f"reminder:{o.occasion}:person:{o.recipient.pk}:run:{uuid.uuid4().hex[:12]}",
            person=o.recipient,
            email=o.recipient.email,
            language=Language.ENGLISH,
        )
    )


class SweepRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SweepRun

    day = factory.Sequence(lambda n: datetime.date(2025, 1, 1) + datetime.timedelta(days=n))


PROJECT_APPS = (
    "directory",
    "meetings",
    "actions",
    "hatecrime",
    "correspondence",
    "calendars",
    "reminders",
    "exports",
    "search",
)


def project_models():
    """Concrete models of the project's own apps, without simple_history's Historical* copies
    (get_models already leaves out auto-created many-to-many tables)."""
    return [
        model
        for label in PROJECT_APPS
        for model in apps.get_app_config(label).get_models()
        if not model._meta.abstract
        and not model._meta.proxy
        and not issubclass(model, HistoricalChanges)
    ]


class ReportingPeriodFactory(factory.django.DjangoModelFactory):
    """A reporting period open today: it started a month ago and returns are due next month."""

    class Meta:
        model = "progress.ReportingPeriod"

    plan = factory.SubFactory(DeliveryPlanFactory)
    label = factory.Sequence(lambda n: f"2016-17 Q{n + 1}")
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=10))
    due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))


class ProgressReturnFactory(factory.django.DjangoModelFactory):
    """An accepted return for an action in a period of the action's plan."""

    class Meta:
        model = "progress.ProgressReturn"

    action = factory.SubFactory(PlanActionFactory)
    period = factory.LazyAttribute(lambda o: ReportingPeriodFactory(plan=o.action.plan))
    status = "on_track"
    narrative_en = factory.Sequence(lambda n: f"Workshops held in {n + 1} local authority areas.")
    state = "accepted"
    submitted_at = factory.LazyFunction(timezone.now)
    reviewed_at = factory.LazyFunction(timezone.now)


class AuditEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEvent

    kind = AuditEvent.Kind.SIGN_IN
    actor_name = "official"
    ip_address = "192.0.2.10"


def deliver_outbox() -> int:
    """What the worker does with every queued message, through the outbox's real send path
    (claim, build, the configured mail backend), for tests that run no worker."""
    from outbox import services
    from outbox.models import OutgoingMail

    queued = OutgoingMail.objects.filter(status=OutgoingMail.Status.QUEUED)
    ids = list(queued.order_by("pk").values_list("pk", flat=True))
    for mail_id in ids:
        services.send(mail_id=mail_id)
    return len(ids)
