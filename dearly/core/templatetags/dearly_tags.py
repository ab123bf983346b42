import hashlib
import json

from django import template
from django.conf import settings
from django.utils.safestring import mark_safe

from wagtail.admin.templatetags.wagtailuserbar import wagtailuserbar

from dearly.core import cached
from dearly.core.cached import fragment_cache as cache
from dearly.core.ids import parse_id
from dearly.core.versions import TIMEOUT

register = template.Library()
# The escapes of Django's json_script filter, which only writes type="application/json".
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def json_ld(data):
    """JSON for a <script type="application/ld+json"> element, escaped like json_script so
    user text can never close the element."""
    text = json.dumps(data, ensure_ascii=False, default=str).translate(JSON_SCRIPT_ESCAPES)
    return mark_safe(text)  # noqa: S308  # <, > and & are escaped above


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """This address under SITE_URL, never under the Host header a request came with (cached
    pages are shared), keeping only a listing's page number from the query."""
    request = context["request"]
    url = settings.SITE_URL + request.path
    page = parse_id(request.GET.get("page", ""))
    return f"{url}?page={page}" if page and page > 1 else url


@register.simple_tag(takes_context=True)
def nav_topics(context):
    """Top-level topics for the site navigation."""
    return cached.nav_topics(context.get("request"))


@register.simple_tag(takes_context=True)
def footer_pages(context):
    """Plain pages (About, Privacy, Comment policy) linked in the footer."""
    return cached.footer_pages(context.get("request"))


@register.simple_tag(takes_context=True)
def column_settings(context):
    """The site's ColumnSettings (columnist's name, tagline), cached by content version."""
    return cached.column_settings(context.get("request"))


@register.simple_tag(takes_context=True)
def userbar(context):
    """Wagtail's user bar, with the permission check remembered (dearly.core.cached)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not cached.may_use_admin(request, user):
        return ""
    return wagtailuserbar(context)


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


class FragmentCacheNode(template.Node):
    def __init__(self, nodelist, name, vary_on):
        self.nodelist, self.name, self.vary_on = nodelist, name, vary_on

    def render(self, context):
        request = context.get("request")
        vary = [value.resolve(context, ignore_failures=True) for value in self.vary_on]
        if request is None or getattr(request, "is_preview", False) or None in vary:
            return self.nodelist.render(context)  # previews show drafts: never cache them
        digest = hashlib.md5(repr(vary).encode(), usedforsecurity=False).hexdigest()
        key = f"dearly:fragment:{self.name}:{digest}"
        html = cache.get(key)
        if html is None:
            html = self.nodelist.render(context)
            cache.set(key, html, TIMEOUT)
        return html


@register.tag
def fragment_cache(parser, token):
    """{% fragment_cache "name" value… %}…{% endfragment_cache %}: the rendered block, cached
    under the values (page id and version tokens); rendered afresh when one is None and in
    Wagtail previews. Never put anything that differs between readers inside."""
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError(f"{bits[0]} needs a name and at least one value")
    nodelist = parser.parse(("endfragment_cache",))
    parser.delete_first_token()
    name = bits[1].strip("\"'")
    return FragmentCacheNode(nodelist, name, [parser.compile_filter(bit) for bit in bits[2:]])
