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
