"""Accounts for people in the directory: invitations, deactivation and the account's state.

An invited person gets an account with no usable password in the "Forum members" group, and an
email in their language with a link to choose one. The link is Django's password reset token
with its own salt and timeout; it works once (choosing the password changes the hash it signs),
for ``INVITATION_TIMEOUT_SECONDS``, and only for the latest invitation (its pk and time are
signed too), so sending again cancels the earlier link. Deactivating keeps the account, the
person and their history; Django's session check and the calendar feed refuse an inactive
account at once.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode
from django.utils.translation import gettext as _

from directory import audit
from directory.models import AccountInvitation, Membership, Person
from outbox import services as outbox
from outbox.email import Composed, MessageRefused
from outbox.models import OutgoingMail
from wrc import access

TEMPLATE = "directory/email/invitation"
logger = logging.getLogger(__name__)


class AccountError(Exception):
    """The change cannot be made to this person's account; the message says why."""


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "wrc.directory.accounts.InvitationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        latest = (
            AccountInvitation.objects.filter(person__user=user)
            .values_list("pk", "sent_at", "person__email")
            .first()
        )
        # The directory's address is signed too: correcting a mistyped address cancels a link
        # that went to the wrong mailbox.
        return f"{super()._make_hash_value(user, timestamp)}{latest}"

    def check_token(self, user, token):
        # Django's check uses PASSWORD_RESET_TIMEOUT (a day); an invitation has its own.
        if not (user and token and user.is_active):
            return False
        try:
            timestamp = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        if self._num_seconds(self._now()) - timestamp > settings.INVITATION_TIMEOUT_SECONDS:
            return False
        return any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )


invitation_token_generator = InvitationTokenGenerator()


def person_forum_ids(person: Person) -> set:
    """The forums ``person`` currently belongs to, in their own name or their organisation's."""
    belongs = Q(person_id=person.pk)
    if person.organisation_id:
        belongs |= Q(organisation_id=person.organisation_id)
    return set(Membership.objects.current().filter(belongs).values_list("forum_id", flat=True))


def can_manage_account(user, person: Person) -> bool:
    """Officials, and the secretariat of one of the person's forums."""
    scope = access.forum_scope(user)
    if scope.every_forum:
        return True
    return access.is_staff_role(user) and bool(scope.staff & person_forum_ids(person))


@dataclass(frozen=True)
class AccountState:
    """What the person's page says about their account."""

    code: str  # none, invited, active, never_signed_in, deactivated
    invitation: AccountInvitation | None = None
    last_login: object = None


def account_state(person: Person) -> AccountState:
    user = person.user
    invitation = person.account_invitations.first()
    if user is not None and not user.is_active:
        return AccountState("deactivated", invitation)
    if user is not None and user.has_usable_password():
        if user.last_login:
            return AccountState("active", invitation, user.last_login)
        return AccountState("never_signed_in", invitation)
    if invitation is not None:
        return AccountState("invited", invitation)
    return AccountState("none")


def _username_for(email: str) -> str:
    User = get_user_model()
    base = email.strip().lower()[: User._meta.get_field("username").max_length - 4]
    username, n = base, 2
    while User.objects.filter(username__iexact=username).exists():
        username, n = f"{base}-{n}", n + 1
    return username


def _account_create(person: Person):
    user = get_user_model()(username=_username_for(person.email), email=person.email)
    user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get_or_create(name=access.MEMBERS)[0])
    person.user = user
    person.save(update_fields=["user"])
    return user


def _check_invitable(person: Person) -> None:
    if not person.email:
        raise AccountError(_("They have no email address: add one before inviting them."))
    user = person.user
    if user is not None and not user.is_active:
        raise AccountError(_("Their account is deactivated: reactivate it first."))
    if user is not None and user.has_usable_password():
        raise AccountError(_("They already have an account with a password."))


def account_invite(*, person: Person, invited_by, request=None) -> AccountInvitation:
    """Create the person's account if they have none and email them a link to choose its
    password. Inviting again sends a new link and cancels the earlier one. ``request`` gives
    the audit record the inviter's address.

    The email goes through the outbox but is sent while the request waits, as Django sends
    password reset links: the page then says whether it went. Raises AccountError when it did
    not (it stays on the outbox page with the reason; the next invitation is a new link).
    """
    _check_invitable(person)
    with transaction.atomic():
        if person.user is None:
            _account_create(person)
        invitation = AccountInvitation.objects.create(person=person, invited_by=invited_by)
        mail_id = outbox.queue(
            OutgoingMail(
                kind=OutgoingMail.Kind.ACCOUNT_INVITATION,
                key=f"account-invitation:{invitation.pk}",
                person=person,
                email=person.email,
                language=person.preferred_language,
                subject=_invitation_subject(person)[:300],
                # The builder makes the link when it sends: no sign-in link is ever stored.
                payload={"invitation": invitation.pk},
            )
        )
    audit.record(audit.Kind.INVITATION_SENT, actor=invited_by, subject=person, request=request)
    logger.info("Person %s invited by user %s", person.pk, invited_by.pk)
    _send_now(mail_id, _("The invitation could not be sent"))
    return invitation


def _send_now(mail_id: int | None, failed: str) -> None:
    """Send one account email in this request; AccountError saying why when it did not go."""
    outcome = outbox.send(mail_id=mail_id) if mail_id is not None else None
    if outcome is None or outcome.status == OutgoingMail.Status.SENT:
        return
    reason = OutgoingMail.objects.values_list("reason", flat=True).get(pk=mail_id)
    if outcome.retry_in is not None:
        # The mail server asked to try later: the worker does, with the outbox's backoff.
        from outbox.tasks import send_outgoing_mail

        try:
            send_outgoing_mail.apply_async((mail_id,), countdown=outcome.retry_in)
        except Exception:  # the broker is down: the outbox's sweeper hands it over later
            logger.warning("The broker could not take outgoing mail %s", mail_id, exc_info=True)
        raise AccountError(
            _("%(failed)s yet (%(reason)s): it is queued and will be tried again.")
            % {"failed": failed, "reason": reason}
        )
    raise AccountError(_("%(failed)s: %(reason)s") % {"failed": failed, "reason": reason})


def invitation_link(user) -> str:
    path = reverse(
        "invitation_accept",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": invitation_token_generator.make_token(user),
        },
    )
    return settings.SITE_URL.rstrip("/") + path


def _invitation_context(person: Person, user=None) -> dict:
    return {
        "name": person.full_name,
        "username": user.get_username() if user else "",
        "forum_name": settings.FORUM_NAME,
        "days": settings.INVITATION_TIMEOUT_SECONDS // (24 * 60 * 60),
        "language": person.preferred_language,
    }


def _invitation_subject(person: Person) -> str:
    with translation.override(person.preferred_language):
        context = _invitation_context(person)
        return " ".join(render_to_string(f"{TEMPLATE}_subject.txt", context).split())


def invitation_build(mail: OutgoingMail) -> Composed:
    """The outbox's builder for an account invitation, in the person's language.

    The link is made now, from the account as it is: it carries the latest invitation, so a
    message queued for an earlier one is refused rather than sent with a link that cannot work.
    """
    invitation = AccountInvitation.objects.select_related("person__user").get(
        pk=mail.payload["invitation"]
    )
    person, user = invitation.person, invitation.person.user
    latest = person.account_invitations.values_list("pk", flat=True).first()
    if user is None or latest != invitation.pk:
        raise MessageRefused(_("A later invitation replaces this one."))
    if person.email.strip().lower() != mail.email.strip().lower():
        # The link would work for the new address: it must not go to the one corrected.
        raise MessageRefused(_("The person's email address has changed since: invite them again."))
    with translation.override(mail.language):
        context = {**_invitation_context(person, user), "link": invitation_link(user)}
        return Composed(
            subject=" ".join(render_to_string(f"{TEMPLATE}_subject.txt", context).split()),
            text=render_to_string(f"{TEMPLATE}.txt", context),
            html=render_to_string(f"{TEMPLATE}.html", context),
        )


# Password reset ----------------------------------------------------------------------------

RESET_TEMPLATE = "registration/email/password_reset"


def password_reset_send(*, user, email: str = "") -> None:
    """Email ``user`` a link to choose a new password, through the outbox and the worker.
    Nothing is raised: the reset page says the same whatever happened, and a failure is on the
    outbox page with its reason.

    Only the account's id is stored. The link is Django's reset token, made by the builder when
    it sends, so no working link sits in the database: the token signs the account's password
    hash, last sign-in and the time, all of which the builder has at send time.

    One request a minute per account is sent: asking again and again for someone else's
    address would otherwise fill their mailbox (the key is the same within the minute).
    """
    person = getattr(user, "person", None)
    # The directory entry holds the address the secretariat keeps up to date; the account's
    # own field keeps the one it was invited at, which may be a mailbox the person has left.
    email = (person.email if person else "") or email
    if not email:
        return
    language = person.preferred_language if person else (translation.get_language() or "en")[:2]
    language = language if language in ("en", "cy") else "en"
    minute = timezone.now().strftime("%Y%m%dT%H%M")
    with translation.override(language):
        subject = " ".join(
            render_to_string(
                f"{RESET_TEMPLATE}_subject.txt", {"forum_name": settings.FORUM_NAME}
            ).split()
        )
    mail_id = outbox.queue(
        OutgoingMail(
            kind=OutgoingMail.Kind.PASSWORD_RESET,
            key=f"password-reset:user:{user.pk}:{minute}",
            person=person,
            email=email,
            language=language,
            subject=subject[:300],
            payload={"user": user.pk},
        )
    )
    if mail_id is not None:
        # The worker sends it, not this request: a request for an address with an account
        # must take as long as one for an address without, or the time would tell them apart.
        outbox.dispatch_on_commit([mail_id])


def password_reset_build(mail: OutgoingMail) -> Composed:
    """The outbox's builder for a reset link, in the account holder's language."""
    from django.contrib.auth.tokens import default_token_generator

    user = get_user_model().objects.filter(pk=mail.payload["user"]).first()
    if user is None or not user.is_active or not user.has_usable_password():
        raise MessageRefused(_("The account can no longer reset its password."))
    context = {
        "user": user,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        "site_url": settings.SITE_URL.rstrip("/"),
        "forum_name": settings.FORUM_NAME,
        "language": mail.language,
    }
    with translation.override(mail.language):
        return Composed(
            subject=" ".join(render_to_string(f"{RESET_TEMPLATE}_subject.txt", context).split()),
            text=render_to_string(f"{RESET_TEMPLATE}.txt", context),
            html=render_to_string(f"{RESET_TEMPLATE}.html", context),
        )


def invitation_accepted(*, user) -> None:
    """Called once the invited person has chosen their password."""
    AccountInvitation.objects.filter(person__user=user, accepted_at__isnull=True).update(
        accepted_at=timezone.now()
    )


def account_deactivate(*, person: Person, by) -> None:
    """Sign-in, open sessions and the calendar feed stop at once; everything else is kept."""
    user = person.user
    if user is None or not user.is_active:
        raise AccountError(_("They have no active account to deactivate."))
    user.is_active = False
    user.save(update_fields=["is_active"])
    logger.info("Account of person %s deactivated by user %s", person.pk, by.pk)


def account_reactivate(*, person: Person, by) -> None:
    user = person.user
    if user is None or user.is_active:
        raise AccountError(_("They have no deactivated account to reactivate."))
    user.is_active = True
    user.save(update_fields=["is_active"])
    logger.info("Account of person %s reactivated by user %s", person.pk, by.pk)
