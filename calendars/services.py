"""Diary-marker workflows: who is invited, sending invitations exactly once, feed tokens."""

import datetime
import logging
import smtplib
from dataclasses import dataclass, field
from email.mime.text import MIMEText

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from actions.models import ActionItem
from calendars import ics
from calendars.models import InvitationDelivery
from directory.models import Forum, Membership, Person, new_calendar_token
from meetings.models import Meeting
from wrc import access

logger = logging.getLogger(__name__)


def meeting_invitees(meeting: Meeting):
    """People with an email who belong to the meeting's forum: the people of its member
    organisations, its individual members and the holders of its roles."""
    memberships = Membership.objects.current().filter(forum_id=meeting.forum_id)
    condition = (
        Q(organisation_id__in=memberships.exclude(organisation=None).values("organisation_id"))
        | Q(pk__in=memberships.exclude(person=None).values("person_id"))
        | Q(pk__in=Person.objects.filter(owner_roles__forum_id=meeting.forum_id).values("pk"))
    )
    return Person.objects.filter(condition).exclude(email="").order_by("full_name", "pk")


def invitation_recipients(meeting: Meeting):
    """The invitees; for a cancellation also everyone sent an earlier version, so that a
    person who has since left still has the meeting taken out of their diary."""
    invitees = meeting_invitees(meeting)
    if ics.invitation_method(meeting) != ics.CANCEL:
        return invitees
    earlier = meeting.invitations.filter(status=InvitationDelivery.Status.SENT)
    return (
        Person.objects.filter(Q(pk__in=invitees.values("pk")) | Q(pk__in=earlier.values("person")))
        .exclude(email="")
        .order_by("full_name", "pk")
    )


@dataclass
class SendResult:
    sent: int = 0
    skipped: int = 0
    failed: list[str] = field(default_factory=list)
    retry_later: bool = False


def is_transient(error: Exception) -> bool:
    """Worth trying again later: a dropped connection or a 4xx answer from the mail server."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _msg in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return isinstance(error, smtplib.SMTPServerDisconnected | ConnectionError | TimeoutError)


def invitation_claim(*, meeting: Meeting, person: Person) -> InvitationDelivery | None:
    """Take the (meeting, sequence, person) row before sending; None if it is sent or in flight.

    The unique constraint decides between two workers; a failed row may be claimed again.
    """
    key = {"meeting": meeting, "sequence": meeting.ics_sequence, "person": person}
    try:
        with transaction.atomic():
            return InvitationDelivery.objects.create(
                **key, email=person.email, method=ics.invitation_method(meeting)
            )
    except IntegrityError:
        claimed = InvitationDelivery.objects.filter(
            **key, status=InvitationDelivery.Status.FAILED
        ).update(status=InvitationDelivery.Status.SENDING, error="", email=person.email)
        return InvitationDelivery.objects.get(**key) if claimed == 1 else None


def invitation_message(*, meeting: Meeting, person: Person, updated=False, connection=None):
    """The email to one invitee: only that person in To, the calendar as a text/calendar part.

    ``updated``: the person was sent an earlier version, so the email says what changed.
    """
    method = ics.invitation_method(meeting)
    with translation.override(person.preferred_language):
        context = {
            "meeting": meeting,
            "person": person,
            "cancelled": method == ics.CANCEL,
            "updated": updated,
            "where": ics.meeting_location(meeting),
            "agenda": ics.agenda_titles_of(meeting, person.preferred_language),
            "FORUM_NAME": settings.FORUM_NAME,
        }
        subject = render_to_string("calendars/email/invitation_subject.txt", context)
        text = render_to_string("calendars/email/invitation.txt", context)
        html = render_to_string("calendars/email/invitation.html", context)
        calendar = ics.meeting_invitation(
            meeting, attendee=person, language=person.preferred_language
        )
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()), body=text, to=[person.email], connection=connection
    )
    message.attach_alternative(html, "text/html")
    part = MIMEText(calendar.decode(), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="invitation.ics")
    message.attach(part)
    return message


def invitation_deliver(
    *, delivery: InvitationDelivery, meeting: Meeting, updated: bool, connection, result
):
    message = invitation_message(
        meeting=meeting, person=delivery.person, updated=updated, connection=connection
    )
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        transient = is_transient(error)
        result.retry_later |= transient
        result.failed.append(delivery.email)
        delivery.status = InvitationDelivery.Status.FAILED
        delivery.error = f"{'Temporary' if transient else 'Permanent'} failure: {error}"[:1000]
        delivery.save(update_fields=["status", "error"])
        logger.warning("Invitation %s to %s failed: %s", meeting.pk, delivery.email, error)
        return
    delivery.status = InvitationDelivery.Status.SENT
    delivery.sent_at = timezone.now()
    delivery.save(update_fields=["status", "sent_at"])
    result.sent += 1


def invitations_send(*, meeting_id: int) -> SendResult | None:
    """Send the current version of a meeting's invitation to every invitee not yet sent it.

    Safe to run again: a person already sent this version (or being sent it by another worker)
    is skipped. Returns None when the meeting no longer exists.
    """
    meeting = (
        Meeting.objects.select_related("forum").prefetch_related("items").filter(pk=meeting_id)
    ).first()
    if meeting is None:
        return None
    result = SendResult()
    sent_before = set(
        meeting.invitations.filter(
            status=InvitationDelivery.Status.SENT, sequence__lt=meeting.ics_sequence
        ).values_list("person_id", flat=True)
    )
    with get_connection() as connection:
        for person in invitation_recipients(meeting):
            delivery = invitation_claim(meeting=meeting, person=person)
            if delivery is None:
                result.skipped += 1
                continue
            delivery.person = person
            invitation_deliver(
                delivery=delivery,
                meeting=meeting,
                updated=person.pk in sent_before,
                connection=connection,
                result=result,
            )
    return result


def invitations_enqueue(*, meeting: Meeting) -> None:
    """Queue sending once the current transaction has committed."""
    from calendars.tasks import send_meeting_invitations

    send_meeting_invitations.delay_on_commit(meeting.pk)


def invitation_progress(meeting: Meeting) -> list[tuple[Person, InvitationDelivery | None]]:
    """Each recipient of the current version with its delivery row, if any."""
    deliveries = {d.person_id: d for d in meeting.invitations.filter(sequence=meeting.ics_sequence)}
    recipients = invitation_recipients(meeting).select_related("organisation")
    return [(person, deliveries.get(person.pk)) for person in recipients]


# Personal calendar feeds -------------------------------------------------------------------


def feed_person(token: str) -> Person | None:
    """The person whose feed ``token`` opens; None for an unknown token, or when the person's
    account is deleted, disabled or has lost every role (taking someone off the forum ends their
    feed). The address is only ever shown to a signed-in account, so no account, no feed."""
    if not token:
        return None
    person = Person.objects.select_related("user").filter(calendar_token=token).first()
    if person is None:
        return None
    user = person.user
    if user is None or not (user.is_active and access.has_any_role(user)):
        return None
    return person


def feed_meetings(person: Person):
    """The meetings of the forums the person currently belongs to (the secretariat's are among
    them; every forum for officials), from a year back: times and places only, never the
    notes."""
    since = timezone.now() - datetime.timedelta(days=366)
    meetings = Meeting.objects.filter(starts_at__gte=since)
    if not (person.user and access.forum_scope(person.user).every_forum):
        belongs = Q(person=person)
        if person.organisation_id:
            belongs |= Q(organisation_id=person.organisation_id)
        current = Membership.objects.current().filter(belongs).values("forum")
        forums = Forum.objects.filter(Q(pk__in=current) | Q(owner_roles__holders=person))
        meetings = meetings.filter(forum__in=forums.values("pk"))
    return meetings.select_related("forum").prefetch_related("items").order_by("starts_at")


def feed_actions(person: Person):
    """The person's open actions that have a due date (owned directly, by organisation or role)."""
    return ActionItem.objects.owned_by_person(person).open().exclude(due_date=None)


def personal_feed(person: Person) -> bytes:
    language = person.preferred_language
    with translation.override(language):
        return ics.personal_feed(
            name=settings.FORUM_NAME,
            meetings=feed_meetings(person),
            actions=feed_actions(person),
            language=language,
        )


def calendar_token_regenerate(*, person: Person) -> str:
    """Give the person a new feed address; the old one stops working at once."""
    person.calendar_token = new_calendar_token()
    person.save(update_fields=["calendar_token"])
    return person.calendar_token
