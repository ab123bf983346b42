import json

from django import template
from django.utils.html import _json_script_escapes
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def json_ld(data):
    """JSON for a <script type="application/ld+json"> element, escaped like json_script so
    user text can never close the element."""
    text = json.dumps(data, ensure_ascii=False, default=str).translate(_json_script_escapes)
    return mark_safe(text)  # noqa: S308  # <, > and & are escaped above


@register.simple_tag
def related_for(page):
    from dearly.articles.related import related_posts

    return related_posts(page)


@register.simple_tag
def nav_topics():
    """Top-level topics for the site navigation."""
    from dearly.articles.models import Topic

    return list(Topic.objects.filter(parent__isnull=True).only("name", "slug")[:8])


@register.simple_tag
def footer_pages():
    """Plain pages (About, Privacy, Comment policy) linked in the footer."""
    from dearly.core.models import StandardPage

    return list(StandardPage.objects.live().public().order_by("path").only("title", "url_path"))[:6]


@register.simple_tag(takes_context=True)
def structured_data(context, page):
    """schema.org Article/BlogPosting data for a guide or letter."""
    request = context.get("request")
    data = {
        "@context": "https://schema.org",
        "@type": "BlogPosting" if page.kind == "letter" else "Article",
        "headline": page.title,
        "description": page.summary,
        "url": page.get_full_url(request),
        "mainEntityOfPage": page.get_full_url(request),
        "datePublished": page.date.isoformat(),
        "dateModified": (page.last_published_at or page.date).isoformat(),
    }
    if page.author:
        data["author"] = {"@type": "Person", "name": page.author.public_name}
    return data
