"""The three kinds of document the product imports, each as its parser and its save."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class DocumentKind:
    code: str
    name: object  # lazy text: "meeting notes"
    parse: Callable
    save: Callable
    label: Callable  # the parsed document → the report's heading

    @property
    def noun(self) -> str:
        return str(self.name)


def _meeting_label(parsed) -> str:
    inline = sum(len(item.actions) for item in parsed.items)
    actions = max(len(parsed.summary), inline)
    return gettext("Meeting of %(date)s (%(count)s actions)") % {
        "date": f"{parsed.starts_at:%-d %B %Y}",
        "count": actions,
    }


def _plan_label(parsed) -> str:
    return gettext("Delivery plan %(period)s (%(count)s actions)") % {
        "period": parsed.period,
        "count": len(parsed.actions()),
    }


def _letter_label(parsed) -> str:
    reference = getattr(parsed, "reference", "")
    if reference:
        return (gettext("Letter %(reference)s") % {"reference": reference}).strip()
    return gettext("Letter of %(date)s") % {"date": f"{parsed.date:%-d %B %Y}"}


def kinds() -> dict[str, DocumentKind]:
    from correspondence.importers import parse_letter, save_letter
    from hatecrime.importers import parse_delivery_plan, save_delivery_plan
    from meetings.importers import parse_meeting_notes, save_meeting_notes

    return {
        "meeting": DocumentKind(
            "meeting", _("meeting notes"), parse_meeting_notes, save_meeting_notes, _meeting_label
        ),
        "plan": DocumentKind(
            "plan", _("a delivery plan"), parse_delivery_plan, save_delivery_plan, _plan_label
        ),
        "letter": DocumentKind("letter", _("a letter"), parse_letter, save_letter, _letter_label),
    }


def kind(code: str) -> DocumentKind:
    return kinds()[code]
