"""Dates as the product writes them, for Python code (emails, downloads, record names): the
formats are those of the active language's format module (``wrc/formats``), which the
templates' ``date`` filter uses too, so a page, an email and a download agree."""

import datetime

from django.utils import formats, timezone


def _day(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value) if timezone.is_aware(value) else value
    return value


def long_date(value) -> str:
    """ "17 March 2025" ("17 Mawrth 2025" in Welsh)."""
    return formats.date_format(_day(value), "DATE_FORMAT")


def short_date(value) -> str:
    """ "17/03/2025"."""
    return formats.date_format(_day(value), "SHORT_DATE_FORMAT")
