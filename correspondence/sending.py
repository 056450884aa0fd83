"""Sending a letter: one outgoing message per recipient, through the outbox.

Each organisation on the letter's cc list gets one copy too, through its main contact, marked
as a copy; a person who is also a recipient gets the letter once, as a recipient.

Every copy is a row of the outbox (outbox.models.OutgoingMail, kind "letter", key
"letter:<letter>:person:<person>"), which claims it before the mail server sees it, retries only
what cannot have arrived, and leaves anything ambiguous "uncertain" for a person to settle
(outbox/services.py holds those rules). This module decides who receives the letter, refuses a
letter that cannot go as it is, and marks the letter sent once none of its copies is pending.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Prefetch, Q, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from correspondence.emails import letter_subject
from correspondence.models import CarbonCopy, Letter
from directory.contacts import main_contacts
from directory.models import Membership, Organisation, Person
from outbox import services as outbox
from outbox.models import OutgoingMail
from wrc.lib import bilingual

Status = OutgoingMail.Status
KIND = OutgoingMail.Kind.LETTER


def letter_mails(letter: Letter | int):
    """The outbox rows of a letter: one per recipient and cc copy."""
    letter_id = letter if isinstance(letter, int) else letter.pk
    return OutgoingMail.objects.filter(kind=KIND, letter_id=letter_id)


def letter_mail_key(letter_id: int, person_id: int) -> str:
    return f"letter:{letter_id}:person:{person_id}"


# Recipients ---------------------------------------------------------------------------------


def letter_recipients(*, letter: Letter):
    """Everyone the letter is addressed to, with or without an email address."""
    if letter.audience == Letter.Audience.ALL_MEMBERS:
        # The letter's forum only, and the one rule of who is a member today.
        current = Membership.objects.current().filter(forum_id=letter.forum_id)
        # A member organisation is reached through the people the directory lists for it.
        condition = Q(pk__in=current.filter(person__isnull=False).values("person")) | Q(
            organisation__in=current.filter(person__isnull=True).values("organisation")
        )
    elif letter.audience == Letter.Audience.ORGANISATIONS:
        condition = Q(organisation__in=letter.recipient_organisations.values("pk"))
    else:
        condition = Q(pk__in=letter.recipient_people.values("pk"))
    return Person.objects.filter(condition).select_related("organisation").distinct()


@dataclass(frozen=True)
class CopyContact:
    """Who receives the copy for one entry of the cc list: nobody when ``person`` is None."""

    as_written: str
    organisation: Organisation | None
    person: Person | None


def letter_cc_contacts(*, letter: Letter) -> list[CopyContact]:
    """Each entry of the cc list with the main contact who receives its copy, in the letter's
    order; an organisation written twice is listed once.

    The main contact is the person the directory marks as the organisation's contact and who
    has an email address (the first by name if several are marked), as for action reminders.
    """
    # Into the letter's own cc list, which the letter's email then reads without a query more.
    cc_rows = CarbonCopy.objects.select_related("organisation")
    prefetch_related_objects([letter], Prefetch("cc", queryset=cc_rows))
    copies = list(letter.cc.all())
    contacts = main_contacts(copy.organisation_id for copy in copies if copy.organisation_id)
    result, seen = [], set()
    for copy in copies:
        if copy.organisation_id is not None:
            if copy.organisation_id in seen:
                continue
            seen.add(copy.organisation_id)
        person = contacts.get(copy.organisation_id)
        result.append(CopyContact(copy.as_written, copy.organisation, person))
    return result


# Refusing what cannot be sent ---------------------------------------------------------------


class SendProblem(str):
    """A reason the letter may not be sent as it is."""

    refuses = True
    # Whether a reason given by the sender lets the letter go all the same.
    overridable = False


class OneLanguageRefusal(SendProblem):
    """The letter is to go in both languages and one is incomplete: the sender may still send
    it as it is, with the reason recorded on the letter."""

    overridable = True


class SendWarning(SendProblem):
    """Something the sender should know before sending, which does not stop the letter."""

    refuses = False


class SendProblems(list):
    """The problems of a letter, refusals and warnings, in the order they are shown."""

    @property
    def refusals(self) -> list[SendProblem]:
        return [problem for problem in self if problem.refuses]

    @property
    def warnings(self) -> list[SendProblem]:
        return [problem for problem in self if not problem.refuses]

    @property
    def overridable(self) -> bool:
        """Whether every refusal is one a reason from the sender can overrule."""
        refusals = self.refusals
        return bool(refusals) and all(problem.overridable for problem in refusals)


def letter_send_problems(letter: Letter) -> SendProblems:
    """What stops the letter being sent as it is (``refusals``), and what the sender should know
    first (``warnings``: a cc organisation nobody can receive the copy for)."""
    problems = SendProblems(map(SendProblem, _refusals(letter)))
    if one_language := bilingual.refusal(letter):
        problems.append(OneLanguageRefusal(one_language))
    problems += map(SendWarning, _cc_warnings(letter))
    return problems


def _cc_warnings(letter: Letter) -> list[str]:
    warnings = []
    for contact in letter_cc_contacts(letter=letter):
        if contact.organisation is None:
            warnings.append(
                _("%(name)s will not receive a copy: it is not an organisation in the directory.")
                % {"name": contact.as_written}
            )
        elif contact.person is None:
            warnings.append(
                _("%(name)s will not receive a copy: no main contact with an email.")
                % {"name": contact.organisation.name}
            )
    return warnings


def _refusals(letter: Letter) -> list[str]:
    problems = []
    if not letter.welsh_language_statement_en.strip():
        problems.append(
            _(
                "Add the Welsh language statement in English before sending: the Welsh Language "
                "Standards require every letter to say that correspondence in Welsh is welcome."
            )
        )
    if not letter.welsh_language_statement_cy.strip():
        problems.append(
            _(
                "Add the Welsh language statement in Welsh before sending: the Welsh Language "
                "Standards require every letter to say that correspondence in Welsh is welcome."
            )
        )
    # The subject is an email header, which cannot carry a line break (the outbox would refuse
    # every copy): say so here, where it can still be corrected.
    if any(char in letter.subject_en for char in "\r\n"):
        problems.append(_("Put the subject in English on one line: it contains a line break."))
    if any(char in letter.subject_cy for char in "\r\n"):
        problems.append(_("Put the subject in Welsh on one line: it contains a line break."))
    return problems


@dataclass
class Queued:
    """What sending a letter did: ``count`` copies queued; ``dispatched`` is False when the
    broker could not take them (they wait in the outbox for the sweeper), None until the
    transaction that queued them has committed."""

    count: int
    dispatched: bool | None = None


def letter_send(*, letter: Letter, user=None, monolingual_reason: str = "") -> Queued:
    """Queue one outgoing message per recipient with an email address and hand them to the
    worker once committed.

    A letter marked to go in both languages with one of them incomplete is refused unless
    ``monolingual_reason`` says why it goes as it is: the reason, ``user`` and the time are then
    recorded on the letter.

    Each cc organisation's main contact gets a copy marked as such, unless they are a recipient
    already. Sending twice (a double click, two tabs) is refused: only a draft can be sent (an
    archived letter never is), and the outbox keys make each copy unique anyway.
    """
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter.pk)
        if letter.status != Letter.Status.DRAFT:
            raise ValidationError(_("This letter has already been sent."))
        problems = letter_send_problems(letter)
        refusals = problems.refusals
        monolingual_reason = monolingual_reason.strip()
        if monolingual_reason:
            refusals = [problem for problem in refusals if not problem.overridable]
        if refusals:
            # All of them: the preview explains every one, warnings included.
            raise ValidationError(list(problems))
        one_language = monolingual_reason and any(p.overridable for p in problems.refusals)
        people = list(letter_recipients(letter=letter).exclude(email=""))
        if not people:
            raise ValidationError(
                _("Nobody would receive this letter: no recipient has an email address.")
            )
        addressed = {person.pk for person in people}
        copies = [
            contact
            for contact in letter_cc_contacts(letter=letter)
            if contact.person is not None and contact.person.pk not in addressed
        ]
        mails = [_mail(letter, person, None) for person in people]
        mails += [_mail(letter, c.person, c.organisation) for c in copies]
        ids = outbox.queue_many(mails)
        letter.status, letter.sent_at = Letter.Status.SENDING, timezone.now()
        fields = ["status", "sent_at"]
        if one_language:
            fields += bilingual.record_one_language(letter, user=user, reason=monolingual_reason)
        # save() raises the version under the row lock: a draft form still open refuses to
        # save over the letter now.
        letter.save(update_fields=fields)
        queued = Queued(count=len(mails))
        transaction.on_commit(lambda: _dispatch(queued, ids))
    return queued


def _dispatch(queued: Queued, ids: list[int]) -> None:
    queued.dispatched = outbox.dispatch(ids)


def _mail(letter: Letter, person: Person, copy_to: Organisation | None) -> OutgoingMail:
    language = person.preferred_language
    return OutgoingMail(
        kind=KIND,
        key=letter_mail_key(letter.pk, person.pk),
        forum_id=letter.forum_id,
        person=person,
        email=person.email,
        language=language,
        subject=letter_subject(letter=letter, preferred=language)[:300],
        letter=letter,
        payload={"copy_to": copy_to.pk if copy_to else None},
    )


# Settling by hand -------------------------------------------------------------------------------


def letter_confirm_sent(*, letter: Letter, mails, user, reason: str) -> int:
    """Record uncertain copies of the letter as arrived, with who said so and why."""
    return outbox.confirm_sent(_of_letter(letter, mails), user=user, reason=reason)


def letter_resend(*, letter: Letter, mails, user, reason: str) -> int:
    """Queue again copies that failed or are uncertain (someone has checked they did not
    arrive); the letter is being sent again until they are done. Returns how many."""
    with transaction.atomic():
        count = outbox.resend(_of_letter(letter, mails), user=user, reason=reason)
        if count:
            Letter.objects.filter(pk=letter.pk).update(
                status=Letter.Status.SENDING, version=F("version") + 1
            )
    return count


def letter_resend_failed(*, letter: Letter, user, reason: str) -> int:
    """Queue again only the copies that failed; returns how many."""
    failed = letter_mails(letter).filter(status=Status.FAILED)
    return letter_resend(letter=letter, mails=failed, user=user, reason=reason)


def _of_letter(letter: Letter, mails):
    """Only this letter's rows, whatever ids a form posted."""
    return letter_mails(letter).filter(pk__in=mails.values("pk"))


# When the last copy is done --------------------------------------------------------------------


def letters_finished(mails: list[OutgoingMail]) -> None:
    """The outbox's finisher for letter rows: mark each of their letters sent once nothing of
    it is waiting or being sent."""
    for letter_id in {mail.letter_id for mail in mails if mail.letter_id}:
        letter_finish_if_done(letter_id=letter_id)


def letter_finish_if_done(*, letter_id: int) -> bool:
    """Mark a letter sent once none of its copies is waiting or being sent."""
    # A read first: on all but the last copy it ends here, without taking a write lock.
    if letter_mails(letter_id).pending().exists():
        return False
    return letter_mark_sent(letter_id=letter_id)


def letter_mark_sent(*, letter_id: int) -> bool:
    """Mark a letter being sent as sent, in one conditional update that does nothing while a
    copy of it is still waiting or being sent."""
    return bool(_sent_letters(Letter.objects.filter(pk=letter_id)))


def letters_catch_up() -> int:
    """The sweeper's catch-up: letters still "sending" with nothing left to send (the worker
    of their last copy stopped before marking them) are marked sent."""
    return _sent_letters(Letter.objects.all())


def _sent_letters(letters) -> int:
    pending = OutgoingMail.objects.pending().filter(kind=KIND, letter=OuterRef("pk"))
    return (
        letters.filter(status=Letter.Status.SENDING)
        .filter(~Exists(pending))
        .update(status=Letter.Status.SENT)
    )
