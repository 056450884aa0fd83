"""The product's date and time formats in Welsh: the same shapes as in English
(wrc/formats/en/formats.py), with Welsh month and day names from the catalogue: "17 Mawrth
2025"."""

from wrc.formats.en.formats import (  # noqa: F401
    DATE_FORMAT,
    DATETIME_FORMAT,
    DATETIME_SECONDS_FORMAT,
    FIRST_DAY_OF_WEEK,
    MONTH_DAY_FORMAT,
    SHORT_DATE_FORMAT,
    SHORT_DATETIME_FORMAT,
    TIME_FORMAT,
    WEEKDAY_DATE_FORMAT,
    YEAR_MONTH_FORMAT,
)

# Welsh notes write the plain day, without an English "th": "Dydd Llun 17 Mawrth 2025".
NOTES_DATE_FORMAT = "l j F Y"
