"""Which words of a record are written in one language only.

Every text officials write for a record is kept in English and in Welsh, in a pair of fields
(``subject_en`` / ``subject_cy``, ``discussion`` / ``discussion_cy``). ``PAIRED_FIELDS`` declares
the pairs of each model and ``RECORD_PARTS`` the rows that make up a record (a meeting's agenda
items, a plan's sections and actions); ``missing`` reads them and says, per language, what has
text in the other language only. A pair empty in both languages is not missing: nothing has been
written to translate.

The record pages show the result for staff, and sending a letter or approving meeting notes
marked "publish bilingually" is refused while anything is missing, unless someone gives the
reason it goes in one language (``record_one_language``).
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class PublishedBilingually(models.Model):
    """A record that can be marked to go out in both languages, and what was recorded when it
    went in one language all the same."""

    publish_bilingually = models.BooleanField(
        gettext_lazy("publish bilingually"),
        default=False,
        help_text=gettext_lazy(
            "Refuse to publish it until the English and the Welsh are complete."
        ),
    )
    # Set only by record_one_language (no form lists them), and editable so that the record's
    # history panel shows them changing.
    monolingual_reason = models.TextField(
        gettext_lazy("reason for publishing in one language"), blank=True
    )
    monolingual_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("published in one language by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    monolingual_at = models.DateTimeField(
        gettext_lazy("published in one language on"), null=True, blank=True
    )

    class Meta:
        abstract = True


# model label -> [(English field, Welsh field, what the pair is called)]
PAIRED_FIELDS = {
    "correspondence.letter": [
        ("subject_en", "subject_cy", gettext_lazy("subject")),
        ("salutation_en", "salutation_cy", gettext_lazy("salutation")),
        ("body_en", "body_cy", gettext_lazy("body")),
        ("closing_en", "closing_cy", gettext_lazy("closing")),
        ("sender_titles_en", "sender_titles_cy", gettext_lazy("sender's titles")),
        ("organisation_en", "organisation_cy", gettext_lazy("organisation")),
        (
            "welsh_language_statement_en",
            "welsh_language_statement_cy",
            gettext_lazy("Welsh language statement"),
        ),
    ],
    "meetings.agendaitem": [
        ("title", "title_cy", gettext_lazy("title")),
        ("discussion", "discussion_cy", gettext_lazy("summary")),
    ],
    "hatecrime.deliveryplan": [("title_en", "title_cy", gettext_lazy("title"))],
    "hatecrime.plansection": [
        ("heading_en", "heading_cy", gettext_lazy("heading")),
        ("text_en", "text_cy", gettext_lazy("text")),
    ],
    "hatecrime.objective": [("title_en", "title_cy", gettext_lazy("title"))],
    "hatecrime.deliveryarea": [("title_en", "title_cy", gettext_lazy("title"))],
    "hatecrime.planaction": [("text", "text_cy", gettext_lazy("text"))],
}


def _meeting_parts(meeting):
    for item in meeting.items.order_by("number"):
        yield _("item %(number)s") % {"number": item.number}, item


def _plan_parts(plan):
    # One query per kind of row, whatever the size of the plan.
    for position, section in enumerate(plan.sections.all(), 1):
        yield _("introduction section %(position)s") % {"position": position}, section
    for objective in plan.objectives.all():
        yield _("objective %(label)s") % {"label": objective.label or objective.number}, objective
    from hatecrime.models import DeliveryArea  # wrc.lib is below the apps

    areas = DeliveryArea.objects.filter(objective__plan=plan)
    for area in areas.select_related("objective").order_by("objective__number", "number"):
        label = area.label or f"{area.objective.number}.{area.number}"
        yield _("delivery area %(label)s") % {"label": label}, area
    for action in plan.actions.all():
        yield _("action %(reference)s") % {"reference": action.reference}, action


# model label -> the rows of the record besides the record itself, each with what it is called
RECORD_PARTS = {
    "meetings.meeting": _meeting_parts,
    "hatecrime.deliveryplan": _plan_parts,
}


@dataclass
class Missing:
    """What has no Welsh (``welsh``) and what has no English (``english``), as short labels
    such as "summary of item 3"."""

    welsh: list[str] = field(default_factory=list)
    english: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.welsh and not self.english

    def __bool__(self):
        return not self.complete

    def describe(self) -> str:
        """One sentence per language, as the record page and the refusals say it."""
        lines = []
        if self.welsh:
            lines.append(_("Welsh missing: %(fields)s.") % {"fields": ", ".join(self.welsh)})
        if self.english:
            lines.append(_("English missing: %(fields)s.") % {"fields": ", ".join(self.english)})
        return " ".join(lines)


def _label(model) -> str:
    return model._meta.label_lower


def _check(row, part: str | None, missing: Missing) -> None:
    for english, welsh, name in PAIRED_FIELDS.get(_label(row), ()):
        has_english = bool((getattr(row, english) or "").strip())
        has_welsh = bool((getattr(row, welsh) or "").strip())
        if has_english == has_welsh:
            continue
        label = _("%(field)s of %(part)s") % {"field": name, "part": part} if part else str(name)
        (missing.welsh if has_english else missing.english).append(label)


def missing(record) -> Missing:
    """The fields of ``record`` and of its parts written in one language only."""
    result = Missing()
    _check(record, None, result)
    parts = RECORD_PARTS.get(_label(record))
    if parts is not None and record.pk is not None:
        for part, row in parts(record):
            _check(row, part, result)
    return result


def refusal(record) -> str:
    """Why a record marked to be published in both languages may not go yet, or "" when
    nothing stops it."""
    if not getattr(record, "publish_bilingually", False):
        return ""
    gaps = missing(record)
    if gaps.complete:
        return ""
    return _(
        "This record is to be published in English and Welsh: complete both languages, or give "
        "the reason it goes in one language. %(missing)s"
    ) % {"missing": gaps.describe()}


def record_one_language(record, *, user, reason: str) -> list[str]:
    """Note on ``record`` (not saved) who let it go in one language, when and why; returns the
    names of the fields set, for ``save(update_fields=...)``."""
    record.monolingual_reason = reason.strip()
    record.monolingual_by = user
    record.monolingual_at = timezone.now()
    # The history entry of the save says it too (django-simple-history's change reason).
    record._change_reason = _("Published in one language: %(reason)s") % {
        "reason": record.monolingual_reason
    }
    return ["monolingual_reason", "monolingual_by", "monolingual_at"]
