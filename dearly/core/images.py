"""Responsive images from Wagtail renditions: a <picture> with AVIF and WebP sources where Pillow
can write them, and a JPEG (PNG for images that may be transparent) for other browsers, each in
several widths, and the <img> carrying width and height so the page does not shift as it loads."""

import functools

from django.conf import settings

from wagtail.images.models import Filter, Picture
from wagtail.images.shortcuts import get_renditions_or_not_found

from PIL import features

# Preferred first; the browser takes the first <source> it can show.
MODERN_FORMATS = ("avif", "webp")


@functools.cache
def modern_formats():
    """The modern formats this Pillow can write (features.check names its codecs)."""
    return tuple(fmt for fmt in MODERN_FORMATS if features.check(fmt))


def fallback_format(image):
    """PNG for images that may be transparent (PNG, GIF originals), JPEG for the rest."""
    name = (getattr(image.file, "name", "") or "").lower()
    return "png" if name.endswith((".png", ".gif")) else "jpeg"


def picture_html(image, sizes_spec, sizes=None, **attrs):
    """`image` as a <picture> in every size of `sizes_spec` ("width-{400,800,1200}",
    "fill-{96x96,192x192}") and format; "" without an image."""
    if not image:
        return ""
    sizes_wanted = Filter.expand_spec(sizes_spec)
    formats = (*modern_formats(), fallback_format(image))
    specs = [f"{size}|format-{fmt}" for fmt in formats for size in sizes_wanted]
    renditions = get_renditions_or_not_found(image, specs)
    # class_="logo" (a template tag's keyword) -> class="logo"; data_x -> data-x.
    attrs = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items() if v is not None}
    if sizes and len(sizes_wanted) > 1:
        attrs["sizes"] = sizes
    attrs.setdefault("decoding", "async")
    return Picture(renditions, attrs).__html__()


# Link previews (Open Graph, Twitter/X cards) and feed enclosures: one 1.91:1 JPEG, the size and
# format every previewer and feed reader accepts (WebP/AVIF are not universally read there).
SHARE_SPEC = "fill-1200x630-c75|format-jpeg"


def share_rendition(image):
    """The rendition of `image` shown when a page is shared or fed, or None without an image
    (or when the original file is missing: a preview is never worth an error page)."""
    if not image:
        return None
    renditions = get_renditions_or_not_found(image, [SHARE_SPEC])
    rendition = renditions.get(SHARE_SPEC)
    return None if getattr(rendition, "id", None) is None else rendition


def absolute_media_url(url):
    """`url` as previewers and feed readers need it: absolute, on SITE_URL unless MEDIA_URL
    already names another host (a CDN)."""
    if url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL + url


def file_size(rendition):
    """The rendition's size in bytes for an RSS enclosure, 0 when the storage cannot say (the
    RSS profile allows 0 for an unknown length)."""
    try:
        return rendition.file.size
    except (OSError, ValueError):
        return 0
