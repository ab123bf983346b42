"""Responsive images from Wagtail renditions: a <picture> with AVIF and WebP sources where Pillow
can write them, and a JPEG (PNG for images that may be transparent) for other browsers, each in
several widths, and the <img> carrying width and height so the page does not shift as it loads."""

import functools

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
