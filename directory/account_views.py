"""Inviting people, deactivating and reactivating their accounts (from the person's page), and
the public page where an invited person chooses their password."""

import logging
import smtplib

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from directory import accounts, audit
from directory.models import Person
from wrc import access
from wrc.forms import NewPasswordForm

logger = logging.getLogger(__name__)


def _person_for_account_change(request, pk) -> Person:
    """404 for no such person; 403 unless the user is an official or the secretariat of one of
    the person's forums."""
    if not access.is_staff_role(request.user):
        raise PermissionDenied
    person = get_object_or_404(Person.objects.select_related("user"), pk=pk)
    if not accounts.can_manage_account(request.user, person):
        raise PermissionDenied
    return person


@require_POST
def person_invite(request, pk):
    person = _person_for_account_change(request, pk)
    try:
        accounts.account_invite(person=person, invited_by=request.user, request=request)
    except accounts.AccountError as error:
        messages.error(request, str(error))
    except (smtplib.SMTPException, OSError):
        logger.exception("The invitation to person %s could not be sent", person.pk)
        messages.error(request, _("The invitation could not be sent. Try again later."))
    else:
        messages.success(
            request, _("The invitation has been sent to %(email)s.") % {"email": person.email}
        )
    return redirect(person)


@require_POST
def people_invite(request):
    """Invite the people ticked on the people list, one invitation email each (the same as from
    a person's page). Those who cannot be invited are named with the reason: no email, an
    account already in use, or no forum of theirs whose records the user keeps."""
    if not access.is_staff_role(request.user):
        raise PermissionDenied
    chosen = {int(pk) for pk in request.POST.getlist("person") if pk.isdigit()}
    people = Person.objects.filter(pk__in=chosen).select_related("user").order_by("full_name")
    if not people:
        messages.error(request, _("Choose the people to invite."))
        return redirect("directory:person_list")
    invited = 0
    for person in people:
        reason = _invitation_refused(request, person)
        if reason:
            messages.warning(
                request,
                _("%(name)s was not invited: %(reason)s")
                % {"name": person.display_name, "reason": reason},
            )
        else:
            invited += 1
    if invited:
        messages.success(
            request,
            ngettext(
                "%(count)s invitation has been sent.",
                "%(count)s invitations have been sent.",
                invited,
            )
            % {"count": invited},
        )
    return redirect("directory:person_list")


def _invitation_refused(request, person) -> str:
    """Invite ``person``; the reason if they were not invited, else ""."""
    if not accounts.can_manage_account(request.user, person):
        return _("they belong to no forum whose records you keep.")
    try:
        accounts.account_invite(person=person, invited_by=request.user, request=request)
    except accounts.AccountError as error:
        return str(error)
    except (smtplib.SMTPException, OSError):
        logger.exception("The invitation to person %s could not be sent", person.pk)
        return _("the invitation could not be sent. Try again later.")
    return ""


@require_POST
def person_deactivate(request, pk):
    person = _person_for_account_change(request, pk)
    try:
        accounts.account_deactivate(person=person, by=request.user)
    except accounts.AccountError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The account has been deactivated."))
    return redirect(person)


@require_POST
def person_reactivate(request, pk):
    person = _person_for_account_change(request, pk)
    try:
        accounts.account_reactivate(person=person, by=request.user)
    except accounts.AccountError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The account has been reactivated."))
    return redirect(person)


@method_decorator(login_not_required, name="dispatch")
class InvitationAcceptView(auth_views.PasswordResetConfirmView):
    """Django's reset page with the invitation's token: choosing the password signs them in."""

    form_class = NewPasswordForm
    token_generator = accounts.invitation_token_generator
    template_name = "registration/invitation_accept.html"
    post_reset_login = True
    # Named because settings list two backends (django-axes first); the password was just set.
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        accounts.invitation_accepted(user=form.user)
        audit.record(
            audit.Kind.INVITATION_ACCEPTED,
            actor=form.user,
            subject=getattr(form.user, "person", None),
            request=self.request,
        )
        messages.success(self.request, _("Your password is saved and you are signed in."))
        return response
