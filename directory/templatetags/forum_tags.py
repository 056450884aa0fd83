"""How lists name a forum."""

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def forum_label(forum):
    """The forum's short name (else its name) in the language of the page."""
    if not forum:
        return ""
    return forum.short_name_in((get_language() or "en")[:2])
