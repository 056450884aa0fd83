"""Turning a deadline as the notes write it into a due date.

The text is always kept as written; the date is an interpretation, nullable where none can be
derived. Rules, in the order they are tried:

- a full date ("by 30 June 2025", "30/06/2025", "2025-06-30") is that date;
- a month and year ("By June 2025", "Ahead of grant launch (by May 2025)") is the month's last day;
- a season and year ("When published (Spring 2025)") is the season's last day, using the
  meteorological seasons the Welsh Government's publication plans follow: spring ends 31 May,
  summer 31 August, autumn 30 November, winter the last day of February of the following year;
- "end of the financial year" is 31 March after the meeting;
- a day and month without a year ("by 30 June", "erbyn 30 Mehefin") is the first such day on
  or after the meeting;
- a month without a year ("by the end of June") is that month's last day on or after the meeting;
- "within N days/weeks/months" counts from the meeting;
- "before/by/at the next meeting" follows the next meeting (rule ``next_meeting``; the date is
  filled in once a later meeting exists, see ``actions.services.refresh_next_meeting_due_dates``);
- anything else ("As soon as possible", "In due course", "Ongoing") has no date.
"""

import calendar
import datetime
import re

FIXED = "fixed"
NEXT_MEETING = "next_meeting"
NO_RULE = ""

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
# Welsh month names, with the mutated forms they take after "o", "ym", "erbyn" and the like
# ("5 Fawrth", "diwedd Orffennaf").
WELSH_MONTHS = {
    1: ("ionawr",),
    2: ("chwefror",),
    3: ("mawrth", "fawrth"),
    4: ("ebrill",),
    5: ("mai", "fai"),
    6: ("mehefin", "fehefin"),
    7: ("gorffennaf", "orffennaf", "ngorffennaf"),
    8: ("awst",),
    9: ("medi", "fedi"),
    10: ("hydref",),
    11: ("tachwedd", "dachwedd", "nhachwedd"),
    12: ("rhagfyr", "ragfyr"),
}
MONTHS.update({name: number for number, names in WELSH_MONTHS.items() for name in names})
MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
SEASON_END = {
    "spring": (5, 0),
    "summer": (8, 0),
    "autumn": (11, 0),
    "fall": (11, 0),
    "winter": (2, 1),
}
NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "six": 6, "a": 1, "an": 1}

DAY_MONTH_YEAR = re.compile(
    r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+" + MONTH + r",?\s+(?P<year>\d{4})\b"
)
NUMERIC_DATE = re.compile(r"\b(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})\b")
ISO_DATE = re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})\b")
DAY_MONTH = re.compile(r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + MONTH + r"(?!\w)")
MONTH_YEAR = re.compile(r"\b" + MONTH + r",?\s+(?P<year>\d{4})\b")
SEASON_YEAR = re.compile(r"\b(?P<season>spring|summer|autumn|fall|winter)\s+(?P<year>\d{4})\b")
FINANCIAL_YEAR_END = re.compile(r"\bend of (?:the )?financial year\b")
MONTH_ONLY = re.compile(
    r"\b(?:by|before|end of|in|during|erbyn|diwedd|ym)\s+(?:the\s+end\s+of\s+|diwedd\s+)?"
    + MONTH
    + r"(?!\w)"
)
WITHIN = re.compile(
    r"\bwithin\s+(?P<count>\d+|one|two|three|four|six|a|an)\s+(?P<unit>day|week|month)s?\b"
)
NEXT_MEETING_TEXT = re.compile(
    r"\b(?:next|following)\s+(?:forum\s+|board\s+)?meeting\b|\bcyfarfod\s+nesaf\b"
)


def last_day_of_month(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _add_months(start: datetime.date, months: int) -> datetime.date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _month_number(value: str) -> int:
    return MONTHS[value.lower().rstrip(".")]


def _exact_date(text: str) -> datetime.date | None:
    for pattern in (DAY_MONTH_YEAR, NUMERIC_DATE, ISO_DATE):
        if match := pattern.search(text):
            month = match["month"]
            month = int(month) if month.isdigit() else _month_number(month)
            try:
                return datetime.date(int(match["year"]), month, int(match["day"]))
            except ValueError:
                return None
    return None


def _period_end(text: str, meeting_date: datetime.date | None) -> datetime.date | None:
    if match := MONTH_YEAR.search(text):
        return last_day_of_month(int(match["year"]), _month_number(match["month"]))
    if match := SEASON_YEAR.search(text):
        month, years_on = SEASON_END[match["season"]]
        return last_day_of_month(int(match["year"]) + years_on, month)
    if meeting_date is None:
        return None
    if FINANCIAL_YEAR_END.search(text):
        year = meeting_date.year + (1 if meeting_date.month > 3 else 0)
        return datetime.date(year, 3, 31)
    if match := DAY_MONTH.search(text):
        month, day = _month_number(match["month"]), int(match["day"])
        for year in (meeting_date.year, meeting_date.year + 1):
            try:
                due = datetime.date(year, month, day)
            except ValueError:
                return None
            if due >= meeting_date:
                return due
    if match := MONTH_ONLY.search(text):
        end = last_day_of_month(meeting_date.year, _month_number(match["month"]))
        return end if end >= meeting_date else last_day_of_month(end.year + 1, end.month)
    if match := WITHIN.search(text):
        count = match["count"]
        count = int(count) if count.isdigit() else NUMBERS[count]
        if match["unit"] == "month":
            return _add_months(meeting_date, count)
        return meeting_date + datetime.timedelta(days=count * (7 if match["unit"] == "week" else 1))
    return None


def interpret_deadline(
    text: str, meeting_date: datetime.date | None = None
) -> tuple[datetime.date | None, str]:
    """(due date or None, rule) for a deadline as written; rule is "fixed", "next_meeting" or ""."""
    lowered = " ".join((text or "").lower().split())
    if not lowered:
        return None, NO_RULE
    due = _exact_date(lowered) or _period_end(lowered, meeting_date)
    if due is not None:
        return due, FIXED
    if NEXT_MEETING_TEXT.search(lowered):
        return None, NEXT_MEETING
    return None, NO_RULE
