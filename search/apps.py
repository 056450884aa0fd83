"""Search across the forum's records: meetings (titles and what was discussed), actions, delivery
plan actions and organisations.

Search has its own small app because it belongs to no single record type: it reads four apps'
models, each through the same ``visible_to`` rules as their pages (a forum member never finds a
draft meeting), and has no models of its own. On PostgreSQL it uses full text search with English
stemming and ranking; on SQLite (the embedded demo) every word must appear somewhere in the
record.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("Search")
