"""The product's date and time formats in English: the one place pages (the ``date`` filter
with no argument), emails and downloads (``wrc.lib.dates``) take them from. British usage, as
the forum's own documents write it: "17 March 2025", "17/03/2025", a 24-hour clock."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1  # Monday

# The product's own names, for the templates' ``date`` filter and ``formats.date_format`` (a
# format module may define any name): a meeting's day as its papers write it, and a moment where
# seconds tell two records apart (the audit log, the order a letter's copies went out).
WEEKDAY_DATE_FORMAT = "l j F Y"
# A meeting's day in the heading of its notes, as the forum's documents write it ("Monday 17th
# March 2025"); Welsh days take no "th" (wrc/formats/cy).
NOTES_DATE_FORMAT = "l jS F Y"
DATETIME_SECONDS_FORMAT = "j F Y H:i:s"
