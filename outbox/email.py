"""The one place that puts a message together: text and HTML, language, headers, attachments.

Every kind's builder (outbox/builders.py lists them) renders its own wording and hands it here,
so every message the product sends has the same envelope: the sender, the Message-ID of the
attempt, automatic-reply suppression, a List-Unsubscribe link where the reader can change what
they receive, and headers checked before anything reaches the mail server.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils.translation import gettext as _


class MessageRefused(ValueError):
    """The message cannot be built as it is (a header with a line break, no address): it fails
    with this reason, and nothing has reached the mail server."""


@dataclass
class Attachment:
    filename: str
    content: bytes | str
    mimetype: str


@dataclass
class Composed:
    """What a builder hands back: the wording in the reader's language and what goes with it."""

    subject: str
    text: str
    html: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    headers: dict = field(default_factory=dict)
    # Where the reader changes what they receive (a page address), for List-Unsubscribe.
    preferences_url: str = ""
    # An iCalendar part sent inline as well as attached (diary invitations).
    calendar: str = ""
    calendar_method: str = ""


def _check_header(name: str, value: str) -> str:
    value = str(value)
    if "\n" in value or "\r" in value:
        raise MessageRefused(
            _("The %(header)s contains a line break, which an email header cannot carry.")
            % {"header": name if name != "Subject" else _("subject")}
        )
    return value


def compose(mail, composed: Composed) -> EmailMultiAlternatives:
    """The email for one outgoing row (``mail``) from its builder's wording."""
    if not mail.email:
        raise MessageRefused(_("There is no address to send this message to."))
    subject = _check_header("Subject", composed.subject)
    headers = {
        "Message-ID": mail.message_id,
        # Out-of-office replies and auto-responders should not answer product mail.
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
        "Content-Language": "cy" if mail.language == "cy" else "en-GB",
    }
    if composed.preferences_url:
        headers["List-Unsubscribe"] = f"<{composed.preferences_url}>"
    headers.update(composed.headers)
    headers = {name: _check_header(name, value) for name, value in headers.items()}
    message = EmailMultiAlternatives(
        subject=subject,
        body=composed.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[mail.email],
        headers=headers,
    )
    if composed.html:
        message.attach_alternative(composed.html, "text/html")
    if composed.calendar:
        method = composed.calendar_method or "REQUEST"
        message.attach_alternative(composed.calendar, f"text/calendar; method={method}")
    for attachment in composed.attachments:
        message.attach(attachment.filename, attachment.content, attachment.mimetype)
    return message
