from django import template
from django.utils.safestring import mark_safe

from wagtail.rich_text import expand_db_html

from dearly.core.text import html_to_text

register = template.Library()


@register.filter
def email_html(page):
    """The page's own text as HTML, with the editor's internal links made real links."""
    return mark_safe(expand_db_html(page.text_html()))  # noqa: S308  # the page's own sanitised HTML


@register.filter
def email_text(page):
    return html_to_text(expand_db_html(page.text_html()))
