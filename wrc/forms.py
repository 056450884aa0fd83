from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, ngettext_lazy

# Django's own Welsh lacks the messages its password validators and password forms show. Naming
# them here puts them in the project's catalogue (locale/), which Django reads before its own.
DJANGO_PASSWORD_MESSAGES = (
    gettext_noop("Your password can’t be too similar to your other personal information."),
    gettext_noop("The password is too similar to the %(verbose_name)s."),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        "min_length",
    ),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("This password is too common."),
    gettext_noop("Your password can’t be entirely numeric."),
    gettext_noop("This password is entirely numeric."),
    gettext_noop("Enter the same password as before, for verification."),
    gettext_noop("The two password fields didn’t match."),
)


class SignInForm(AuthenticationForm):
    """Django's sign-in form laid out with the GOV.UK pattern (error summary above the form)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("username", field_width=20),
            Field.text("password", field_width=20),
            Button("submit", _("Sign in")),
        )


def gds_helper(*fields, submit):
    helper = FormHelper()
    helper.layout = Layout(
        *(Field.text(name, field_width=20) for name in fields), Button("submit", submit)
    )
    return helper


class PasswordResetRequestForm(auth_forms.PasswordResetForm):
    """Sends the reset link in the account holder's language, through the outbox. Whether an
    address has an account never shows: the page says the same whatever happened, and the email
    is left to the worker so that the answer takes as long either way; a failed send is on the
    outbox page with its reason."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper("email", submit=_("Send the link"))

    def get_users(self, email):
        # An account's address is on the user or, for most people, on their directory entry.
        users = (
            get_user_model()
            .objects.filter(Q(email__iexact=email) | Q(person__email__iexact=email), is_active=True)
            .select_related("person")
            .distinct()
        )
        return (user for user in users if user.has_usable_password())

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        from directory import accounts

        accounts.password_reset_send(user=context["user"], email=to_email)


class NewPasswordForm(auth_forms.SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper("new_password1", "new_password2", submit=_("Save the password"))


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            "old_password", "new_password1", "new_password2", submit=_("Change the password")
        )
