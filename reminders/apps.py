"""Deadline reminders sent by the worker.

Reminders are their own app because they own state no other app should touch: the claim ledger
that makes every reminder go out exactly once, and the schedule of every reminder kind (notice on
assignment, lead-time and due-day notices, weekly digests, the pre-meeting "please update" and
the secretariat's summary). Actions only describe what is owed; this app decides who is told what
and when, and remembers that it did; the outbox sends the emails.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = _("Deadline reminders")
