"""Which function composes each kind of message, and what happens when one is finished.

Each app keeps its own wording beside its records; this table is the one list of them, read
lazily so that the outbox does not import every app at start-up. A builder takes the
OutgoingMail row and returns an ``outbox.email.Composed``; a finisher, if the kind has one,
is called with the rows that have just reached an end state (a letter is marked sent when its
last delivery is).
"""

from django.utils.module_loading import import_string

from outbox.models import OutgoingMail

Kind = OutgoingMail.Kind

BUILDERS = {
    Kind.NOTIFICATION: "outbox.builders.notification_build",
    Kind.REMINDER: "reminders.emails.reminder_build",
    Kind.LETTER: "correspondence.emails.letter_build",
    Kind.DIARY_INVITATION: "calendars.services.invitation_build",
    Kind.ACCOUNT_INVITATION: "directory.accounts.invitation_build",
    Kind.PASSWORD_RESET: "directory.accounts.password_reset_build",
}

FINISHERS: dict[str, str] = {
    Kind.LETTER: "correspondence.sending.letters_finished",
}

# Run by the sweeper: what a finisher would have done for rows whose worker stopped between
# finishing the row and calling the finisher.
CATCH_UPS: dict[str, str] = {
    Kind.LETTER: "correspondence.sending.letters_catch_up",
}


def build(mail: OutgoingMail):
    from outbox.email import compose

    builder = BUILDERS.get(mail.kind)
    if builder is None:
        raise LookupError(f"No builder for outgoing mail of kind {mail.kind!r}")
    return compose(mail, import_string(builder)(mail))


def finished(kind: str, mails: list[OutgoingMail]) -> None:
    if mails and (finisher := FINISHERS.get(kind)):
        import_string(finisher)(mails)


def catch_up() -> None:
    for catch_up_path in CATCH_UPS.values():
        import_string(catch_up_path)()


def notification_build(mail: OutgoingMail):
    """A message rendered from templates named in its payload, in the reader's language.

    ``payload``: ``template`` (a path without extension: ``.txt`` is required, ``.html``
    optional), ``subject`` (already in the reader's language) and ``context`` (plain values).
    """
    from django.template import TemplateDoesNotExist
    from django.template.loader import render_to_string
    from django.utils import translation

    from outbox.email import Composed

    payload = mail.payload
    context = {**payload.get("context", {}), "mail": mail}
    with translation.override(mail.language):
        text = render_to_string(f"{payload['template']}.txt", context)
        try:
            html = render_to_string(f"{payload['template']}.html", context)
        except TemplateDoesNotExist:
            html = ""
    return Composed(
        subject=payload.get("subject", ""),
        text=text,
        html=html,
        preferences_url=payload.get("preferences_url", ""),
    )
