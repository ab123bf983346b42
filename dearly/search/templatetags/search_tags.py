from django import template

from ..snippets import highlighted_snippet

register = template.Library()


@register.simple_tag
def search_snippet(post, terms):
    return highlighted_snippet(post, terms)
