"""The column's accent colour: checked for contrast when an editor picks it, and turned into a
small stylesheet of CSS custom properties (served at /theme/<hex>.css, linked from every page
when the accent is not the default one). A stylesheet, not a <style> element: the
Content-Security-Policy allows no inline styles, and a nonce would differ on every response,
which the page cache shares between readers.

Contrast as WCAG 2.2 defines it: https://www.w3.org/TR/WCAG22/#dfn-contrast-ratio
"""

import colorsys
import re

from django.core.exceptions import ValidationError

DEFAULT_ACCENT = "#7a2e1f"
HEX = re.compile(r"^#?([0-9a-fA-F]{6})$")
# The surfaces the accent is used on: links on the page, white text on buttons; in dark mode,
# links on the dark page. Kept in step with site.css.
PAPER = "#fdfcf9"
WHITE = "#ffffff"
DARK_PAPER = "#171513"
DARK_INK = "#161412"
MIN_CONTRAST = 4.5  # WCAG AA for body-size text
SOFT_SHARE = 0.09  # how much accent tints the letter's box and highlighted steps


def parse(value):
    """ "#7A2E1F", "7a2e1f" -> "#7a2e1f"; anything else -> None."""
    match = HEX.match((value or "").strip())
    return f"#{match[1].lower()}" if match else None


def _rgb(colour):
    colour = colour.lstrip("#")
    return tuple(int(colour[i : i + 2], 16) for i in (0, 2, 4))


def _hex(rgb):
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in rgb)


def luminance(colour):
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def mix(a, b, share_of_a):
    """`a` mixed into `b` (share_of_a from 0 to 1)."""
    pairs = zip(_rgb(a), _rgb(b), strict=True)
    return _hex(x * share_of_a + y * (1 - share_of_a) for x, y in pairs)


def _shade_until(colour, lighter, good_enough):
    """`colour` made lighter (or darker) in small steps of lightness, keeping its hue and
    saturation, until `good_enough(candidate)`."""
    h, lightness, sat = colorsys.rgb_to_hls(*(c / 255 for c in _rgb(colour)))
    for step in range(101):
        share = step / 100
        shade = lightness + (1 - lightness) * share if lighter else lightness * (1 - share)
        candidate = _hex(c * 255 for c in colorsys.hls_to_rgb(h, shade, sat))
        if good_enough(candidate):
            return candidate
    return "#ffffff" if lighter else "#000000"


def worst_light_contrast(colour):
    """The accent's lowest contrast where the light theme uses it: links on the page and on the
    letter's tinted box, and behind the white text of buttons."""
    soft = mix(colour, WHITE, SOFT_SHARE)
    return min(contrast(colour, PAPER), contrast(colour, WHITE), contrast(colour, soft))


def darker(colour, share=0.22):
    return mix("#000000", colour, share)


def validate_accent(value):
    """An accent must be a #rrggbb colour readable as link text on the page and behind the
    white text of buttons."""
    colour = parse(value)
    if colour is None:
        raise ValidationError(
            "Enter a colour as six hexadecimal digits, such as #7a2e1f.", code="invalid"
        )
    worst = worst_light_contrast(colour)
    if worst < MIN_CONTRAST:
        suggestion = _shade_until(
            colour, False, lambda shade: worst_light_contrast(shade) >= MIN_CONTRAST + 0.2
        )
        raise ValidationError(
            f"This colour is too light to read on the page or behind white button text "
            f"(contrast {worst:.1f}:1, at least {MIN_CONTRAST}:1 is needed). A darker shade "
            f"such as {suggestion} keeps its hue.",
            code="contrast",
        )


def theme_css(colour):
    """CSS custom properties for the accent `colour` (already valid), light and dark."""
    strong = darker(colour)
    soft = mix(colour, WHITE, SOFT_SHARE)
    # In dark mode the accent is lightened until it reads on the dark page; buttons then carry
    # dark text.
    night = _shade_until(
        colour, True, lambda shade: contrast(shade, DARK_PAPER) >= MIN_CONTRAST + 0.5
    )
    night_strong = mix("#ffffff", night, 0.25)
    night_soft = mix(colour, DARK_PAPER, 0.22)
    return (
        f":root{{--accent:{colour};--accent-strong:{strong};--accent-soft:{soft};"
        f"--on-accent:{WHITE}}}\n"
        f"@media (prefers-color-scheme: dark){{:root{{--accent:{night};"
        f"--accent-strong:{night_strong};--accent-soft:{night_soft};--on-accent:{DARK_INK}}}}}\n"
    )
