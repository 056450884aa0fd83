"""Pages of two-step sign-in (directory/two_factor.py): the second step after the password,
setting up an authenticator app, the recovery codes, turning it on or off, and an official's
reset of another person's second step from their page in the directory."""

import django_otp
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from directory import audit, two_factor
from directory.models import Person
from wrc import access

# The recovery codes just made, kept in the session until the person says they have saved them.
RECOVERY_CODES_KEY = "wrc_recovery_codes"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
    )

    def __init__(self, *args, label=None, help_text=None, submit, numeric=False, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        if label:
            field.label = label
        field.help_text = help_text or ""
        if numeric:
            field.widget.attrs["inputmode"] = "numeric"
        self.helper = FormHelper()
        self.helper.form_tag = False  # the page's own <form> carries the next page
        self.helper.layout = Layout(Field.text("code", field_width=10), Button("submit", submit))


def next_url(request) -> str:
    """Where to go once the second step is done: the page asked for, if it is on this site."""
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _verified(request, device) -> None:
    """The session now counts as verified; a new session key, as at any change of privilege."""
    django_otp.login(request, device)
    request.session.cycle_key()


def verify(request):
    """The second step: a code from the app, or a recovery code. The page says nothing about
    the password: only someone who got past the first step sees it."""
    user = request.user
    if two_factor.is_verified(user) or not two_factor.has_second_step(user):
        return redirect(next_url(request))
    form = CodeForm(
        request.POST or None,
        label=_("Code"),
        help_text=_(
            "The 6-digit code from your authenticator app. If you do not have your phone, "
            "use one of your recovery codes."
        ),
        submit=_("Continue"),
    )
    if request.method == "POST" and form.is_valid():
        check = two_factor.code_check(user, form.cleaned_data["code"])
        if check.accepted:
            _verified(request, check.device)
            if check.recovery_code_used:
                left = two_factor.recovery_codes_left(user)
                messages.warning(
                    request,
                    ngettext(
                        "You used a recovery code. You have %(left)d recovery code left.",
                        "You used a recovery code. You have %(left)d recovery codes left.",
                        left,
                    )
                    % {"left": left},
                )
            return redirect(next_url(request))
        form.add_error("code", _code_refused(check.throttled))
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form, "next": next_url(request)},
    )


def _code_refused(throttled: bool) -> str:
    if throttled:
        return _("Too many wrong codes. Wait a minute, then enter a new code.")
    return _("The code is not right. Enter the code your app shows now, or a recovery code.")


def set_up(request):
    """Setting up an authenticator app: a QR code and the secret as text, then a code from the
    app confirms it and gives the recovery codes."""
    user = request.user
    if two_factor.owes_second_step(user):
        # Replacing the app needs the second step first: a password alone must not do it.
        return redirect(f"{reverse('two_factor:verify')}?{request.GET.urlencode()}")
    device = two_factor.pending_app_device(user)
    form = CodeForm(
        request.POST or None,
        label=_("Code from the app"),
        help_text=_("The 6-digit code the app shows for this account."),
        submit=_("Confirm"),
        numeric=True,
    )
    if request.method == "POST" and form.is_valid():
        if two_factor.app_confirm(device, form.cleaned_data["code"]):
            device.refresh_from_db()
            request.session[RECOVERY_CODES_KEY] = two_factor.recovery_codes_new(user)
            _verified(request, device)
            audit.record(audit.Kind.TWO_FACTOR_SET_UP, actor=user, request=request)
            messages.success(request, _("Two-step sign-in is on."))
            return redirect(_with_next(reverse("two_factor:recovery_codes"), request))
        form.add_error("code", _code_refused(not device.verify_is_allowed()[0]))
    return render(
        request,
        "registration/two_factor_set_up.html",
        {
            "form": form,
            "next": next_url(request),
            "qr_code": two_factor.qr_code_data_uri(device),
            "secret": two_factor.secret_text(device),
            "required": two_factor.is_required(user),
            "replacing": two_factor.has_second_step(user),
        },
    )


def _with_next(url, request) -> str:
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME)
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return f"{url}?{REDIRECT_FIELD_NAME}={target}"
    return url


def recovery_codes(request):
    """The new recovery codes, shown until the person says they have saved them, then never
    again (only how many are left)."""
    codes = request.session.get(RECOVERY_CODES_KEY)
    if not codes or not two_factor.is_verified(request.user):
        return redirect("two_factor:manage")
    if request.method == "POST":
        del request.session[RECOVERY_CODES_KEY]
        return redirect(next_url(request))
    return render(
        request,
        "registration/two_factor_recovery_codes.html",
        {"codes": codes, "next": next_url(request)},
    )


def manage(request):
    """The "Two-step sign-in" page: whether it is on, recovery codes left, turning it on or off."""
    user = request.user
    device = two_factor.app_device(user)
    return render(
        request,
        "registration/two_factor_manage.html",
        {
            "device": device,
            "codes_left": two_factor.recovery_codes_left(user) if device else 0,
            "required": two_factor.is_required(user),
        },
    )


@require_POST
def recovery_codes_renew(request):
    if not two_factor.has_second_step(request.user):
        return redirect("two_factor:manage")
    request.session[RECOVERY_CODES_KEY] = two_factor.recovery_codes_new(request.user)
    messages.success(request, _("You have new recovery codes. The old ones no longer work."))
    return redirect("two_factor:recovery_codes")


@require_POST
def turn_off(request):
    user = request.user
    if two_factor.is_required(user):
        messages.error(
            request,
            _("Your account can see people's contact details: it must keep two-step sign-in."),
        )
    elif two_factor.second_step_remove(user):
        audit.record(audit.Kind.TWO_FACTOR_OFF, actor=user, request=request)
        messages.success(request, _("Two-step sign-in is off."))
    return redirect("two_factor:manage")


def person_reset(request, pk):
    """An official removes another person's app and recovery codes (a lost phone): they set up
    two-step sign-in again when they next sign in. A confirmation page, then a POST."""
    if not access.is_official(request.user):
        raise PermissionDenied
    person = get_object_or_404(Person.objects.select_related("user"), pk=pk)
    account = person.user
    if account is not None and account.pk == request.user.pk:
        # One's own second step is changed from one's own page, after passing it.
        raise PermissionDenied
    if account is None:
        messages.error(
            request, _("They have no account, so there is no two-step sign-in to reset.")
        )
        return redirect(person)
    if request.method == "POST":
        two_factor.second_step_reset(user=account, by=request.user)
        audit.record(
            audit.Kind.TWO_FACTOR_RESET, actor=request.user, subject=person, request=request
        )
        messages.success(
            request,
            _(
                "Two-step sign-in of %(name)s has been reset. They will set it up again when "
                "they next sign in."
            )
            % {"name": person.display_name},
        )
        return redirect(person)
    return render(
        request,
        "directory/person_two_factor_reset.html",
        {
            "person": person,
            "has_second_step": two_factor.has_second_step(account),
            "codes_left": two_factor.recovery_codes_left(account),
        },
    )
