from django import forms
from django.utils.translation import gettext_lazy as _


class SettleForm(forms.Form):
    """Settling uncertain or failed messages by hand: what to do and why. The reason is kept on
    every message settled and in the audit record."""

    CONFIRM, RESEND = "confirm", "resend"

    action = forms.ChoiceField(
        label=_("What to do with the ticked messages"),
        choices=[
            (CONFIRM, _("Confirm as sent (the recipient or the mail logs show it arrived)")),
            (RESEND, _("Send again (it did not arrive)")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        help_text=_("For example: the mail server's log shows these messages were accepted."),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
