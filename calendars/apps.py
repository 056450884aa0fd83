"""Diary markers and personal calendar feeds.

Calendars are their own app because they sit across the others: an invitation is built from a
meeting, addressed to people of the directory and sent through the outbox, and a personal feed
mixes the meetings of the forum with the action deadlines a person owns. Keeping the iCalendar
building, the invitation wording and the feed token handling here leaves meetings, actions and
the directory free of email and calendar concerns.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarsConfig(AppConfig):
    name = "calendars"
    verbose_name = _("Diary markers and calendar feeds")

    def ready(self):
        from calendars import signals  # noqa: F401  (connects the sequence counter)
