import json

from django import template
from django.conf import settings
from django.utils.safestring import mark_safe

from wagtail.admin.templatetags.wagtailuserbar import wagtailuserbar

from dearly.core import cached
from dearly.core.ids import parse_id
from dearly.core.images import absolute_media_url, picture_html, share_rendition

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
        "@type": "BlogPosting" if page.kind in ("letter", "update") else "Article",
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


@register.simple_tag
def responsive_picture(image, sizes_spec, sizes=None, **attrs):
    """A <picture> of `image` in the widths of `sizes_spec`, AVIF/WebP first (dearly.core.images):
    {% responsive_picture post.featured_image "width-{400,800}" sizes="100vw" alt="" %}."""
    return mark_safe(picture_html(image, sizes_spec, sizes, **attrs))  # noqa: S308  # Wagtail escapes attributes


@register.simple_tag
def logo_picture(image, alt, height=56):
    """The header's logo at `height` CSS pixels (and twice that for sharp screens)."""
    if not image or not image.height:
        return ""
    width = round(image.width * height / image.height)
    return mark_safe(  # noqa: S308  # Wagtail escapes attributes
        picture_html(
            image, f"height-{{{height},{height * 2}}}", f"{width}px", alt=alt, class_="logo"
        )
    )


@register.simple_tag
def share_image(image):
    """What link previews show of `image`: {"url", "width", "height", "alt"}, or None."""
    rendition = share_rendition(image)
    if rendition is None:
        return None
    return {
        "url": absolute_media_url(rendition.url),
        "width": rendition.width,
        "height": rendition.height,
        "alt": image.default_alt_text,
    }
