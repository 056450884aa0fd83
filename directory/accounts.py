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
from django.core.mail import EmailMultiAlternatives
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
from wrc import access

TEMPLATE = "directory/email/invitation"
logger = logging.getLogger(__name__)


class AccountError(Exception):
    """The change cannot be made to this person's account; the message says why."""


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "wrc.directory.accounts.InvitationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        latest = (
            AccountInvitation.objects.filter(person__user=user).values_list("pk", "sent_at").first()
        )
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
    the audit record the inviter's address."""
    _check_invitable(person)
    with transaction.atomic():
        user = person.user or _account_create(person)
        invitation = AccountInvitation.objects.create(person=person, invited_by=invited_by)
    # Sent while the request waits, as Django sends password reset links: the page then says
    # whether it went. A failure raises; the next invitation is a new link.
    invitation_email_build(invitation=invitation, user=user).send()
    audit.record(audit.Kind.INVITATION_SENT, actor=invited_by, subject=person, request=request)
    logger.info("Person %s invited by user %s", person.pk, invited_by.pk)
    return invitation


def invitation_link(user) -> str:
    path = reverse(
        "invitation_accept",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": invitation_token_generator.make_token(user),
        },
    )
    return settings.SITE_URL.rstrip("/") + path


def invitation_email_build(*, invitation: AccountInvitation, user) -> EmailMultiAlternatives:
    """The invitation email, in the person's preferred language."""
    person = invitation.person
    with translation.override(person.preferred_language):
        context = {
            "name": person.full_name,
            "username": user.get_username(),
            "forum_name": settings.FORUM_NAME,
            "link": invitation_link(user),
            "days": settings.INVITATION_TIMEOUT_SECONDS // (24 * 60 * 60),
            "language": person.preferred_language,
        }
        message = EmailMultiAlternatives(
            subject=render_to_string(f"{TEMPLATE}_subject.txt", context).strip(),
            body=render_to_string(f"{TEMPLATE}.txt", context),
            to=[person.email],
            headers={"Content-Language": person.preferred_language},
        )
        message.attach_alternative(render_to_string(f"{TEMPLATE}.html", context), "text/html")
    return message


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
