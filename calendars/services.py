"""Diary-marker workflows: who is invited, queueing invitations on the outbox, feed tokens.

An invitation is one outgoing message per person and version of the meeting (its
``ics_sequence``): a change of time, place or status is a new version and so a new message, and
pressing "send" again queues nothing already queued or sent. The sending itself, its retries and
its recovery after a dead worker are the outbox's (outbox/services.py).
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from actions.models import ActionItem
from calendars import ics
from directory.models import Forum, Membership, Person, new_calendar_token
from meetings.models import Meeting
from outbox import services as outbox
from outbox.email import Attachment, Composed, MessageRefused
from outbox.models import OutgoingMail
from wrc import access

logger = logging.getLogger(__name__)

KIND = OutgoingMail.Kind.DIARY_INVITATION


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


def invitations_of(meeting: Meeting):
    """Every invitation message of the meeting, of every version."""
    return OutgoingMail.objects.filter(kind=KIND, meeting=meeting)


def invitation_key(*, meeting_id: int, sequence: int, person_id: int) -> str:
    return f"diary:{meeting_id}:seq:{sequence}:person:{person_id}"


def _version_prefix(meeting: Meeting) -> str:
    return f"diary:{meeting.pk}:seq:{meeting.ics_sequence}:"


def invitation_recipients(meeting: Meeting):
    """The invitees; for a cancellation also everyone sent an earlier version, so that a
    person who has since left still has the meeting taken out of their diary."""
    invitees = meeting_invitees(meeting)
    if ics.invitation_method(meeting) != ics.CANCEL:
        return invitees
    earlier = invitations_of(meeting).filter(status=OutgoingMail.Status.SENT)
    return (
        Person.objects.filter(Q(pk__in=invitees.values("pk")) | Q(pk__in=earlier.values("person")))
        .exclude(email="")
        .order_by("full_name", "pk")
    )


def _subject(context) -> str:
    return " ".join(render_to_string("calendars/email/invitation_subject.txt", context).split())


def _context(meeting: Meeting, person: Person, *, updated: bool) -> dict:
    language = person.preferred_language
    return {
        "meeting": meeting,
        "person": person,
        "cancelled": ics.invitation_method(meeting) == ics.CANCEL,
        "updated": updated,
        "where": ics.meeting_location(meeting),
        "agenda": ics.agenda_titles_of(meeting, language),
    }


def invitation_composed(*, meeting: Meeting, person: Person, updated=False) -> Composed:
    """The invitation to one person in their language: the wording, and the calendar both as
    the inline part calendar clients act on and as an .ics file for those that only save one.

    ``updated``: the person was sent an earlier version, so the email says what changed.
    """
    method = ics.invitation_method(meeting)
    with translation.override(person.preferred_language):
        context = _context(meeting, person, updated=updated)
        calendar = ics.meeting_invitation(
            meeting, attendee=person, language=person.preferred_language
        ).decode()
        return Composed(
            subject=_subject(context),
            text=render_to_string("calendars/email/invitation.txt", context),
            html=render_to_string("calendars/email/invitation.html", context),
            calendar=calendar,
            calendar_method=method,
            attachments=[Attachment("invitation.ics", calendar, "text/calendar")],
        )


def _sent_an_earlier_version(meeting: Meeting, person_ids, sequence: int) -> set:
    """Of ``person_ids``, those sent a version of the meeting's invitation before ``sequence``."""
    rows = invitations_of(meeting).filter(person_id__in=person_ids, status=OutgoingMail.Status.SENT)
    return {
        person_id
        for person_id, payload in rows.values_list("person_id", "payload")
        if payload.get("sequence", 0) < sequence
    }


def invitation_build(mail: OutgoingMail) -> Composed:
    """The outbox's builder for a diary invitation, read from the meeting at send time.

    A message queued for a version the meeting has since moved past is not sent: the newer
    version is its own message, and sending the old one would put a stale time in a diary.
    """
    meeting = (
        Meeting.objects.select_related("forum").prefetch_related("items").get(pk=mail.meeting_id)
    )
    sequence = mail.payload["sequence"]
    if meeting.ics_sequence != sequence:
        raise MessageRefused(
            _("The meeting changed after this invitation was queued: send the new version.")
        )
    person = mail.person
    person.email = mail.email  # the address it was queued for
    updated = bool(_sent_an_earlier_version(meeting, [person.pk], sequence))
    return invitation_composed(meeting=meeting, person=person, updated=updated)


def invitations_queue(*, meeting: Meeting) -> list[int]:
    """Queue the current version of the invitation for every recipient not yet sent it, and
    return the ids to hand to the worker. Queueing again adds nothing already queued or sent."""
    meeting = Meeting.objects.select_related("forum").prefetch_related("items").get(pk=meeting.pk)
    sequence, method = meeting.ics_sequence, ics.invitation_method(meeting)
    recipients = list(invitation_recipients(meeting))
    earlier = _sent_an_earlier_version(meeting, [p.pk for p in recipients], sequence)
    mails = []
    for person in recipients:
        with translation.override(person.preferred_language):
            subject = _subject(_context(meeting, person, updated=person.pk in earlier))
        mails.append(
            OutgoingMail(
                kind=KIND,
                key=invitation_key(meeting_id=meeting.pk, sequence=sequence, person_id=person.pk),
                forum_id=meeting.forum_id,
                meeting=meeting,
                person=person,
                email=person.email,
                language=person.preferred_language,
                subject=subject[:300],
                payload={"sequence": sequence, "method": method},
            )
        )
    with transaction.atomic():
        return outbox.queue_many(mails)


def invitations_send(*, meeting: Meeting) -> bool:
    """Queue the invitations and hand them to the worker; False when the worker cannot be
    reached (they stay queued and the outbox's sweeper hands them over later)."""
    return outbox.dispatch(invitations_queue(meeting=meeting))


def invitation_progress(meeting: Meeting) -> list[tuple[Person, OutgoingMail | None]]:
    """Each recipient of the current version with its outgoing message, if any."""
    mails = invitations_of(meeting).filter(key__startswith=_version_prefix(meeting))
    by_person = {mail.person_id: mail for mail in mails}
    recipients = invitation_recipients(meeting).select_related("organisation")
    return [(person, by_person.get(person.pk)) for person in recipients]


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
