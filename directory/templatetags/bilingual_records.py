"""The record pages' summary of what is written in one language only (wrc.lib.bilingual)."""

from django import template

from wrc import access
from wrc.lib import bilingual
from wrc.lib.history import user_name

register = template.Library()


@register.inclusion_tag("includes/bilingual_summary.html", takes_context=True)
def bilingual_summary(context, record):
    """For staff only: members read the record as published, not the work left on it."""
    if not access.is_staff_role(context["request"].user):
        return {"show": False}
    by = getattr(record, "monolingual_by", None)
    return {
        "show": True,
        "record": record,
        "missing": bilingual.missing(record),
        "bilingual": getattr(record, "publish_bilingually", False),
        "reason": getattr(record, "monolingual_reason", ""),
        "reason_by": user_name(by) if by else "",
        "reason_at": getattr(record, "monolingual_at", None),
    }
