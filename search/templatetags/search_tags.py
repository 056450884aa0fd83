from django import template

from search.services import snippet

register = template.Library()


@register.simple_tag
def search_snippet(text, terms):
    """A piece of ``text`` around the words searched for, with them marked."""
    return snippet(text, terms)
