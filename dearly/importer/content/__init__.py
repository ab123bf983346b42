"""A WordPress post body as Dearly body blocks. No database code.

`convert(raw, resolve_link=...)` -> `Converted` (blocks, excerpt before <!--more-->, notes);
`convert_html(raw, resolve_link=...)`, the same for other platforms' HTML (Ghost, Substack);
`plain_title(raw_title)`; `split_letter(title, blocks_or_html, pattern=LETTER_PATTERN)` ->
`Letter` or None. The modules: `convert` (shortcodes, images, embeds, quotes), `wpautop`
(WordPress's automatic paragraphs), `html` (sanitising with nh3), `letters`.
"""

from .convert import Block, Converted, convert, convert_html
from .html import ALLOWED_TAGS, plain_text, plain_title
from .letters import LETTER_PATTERN, Letter, split_letter

__all__ = [
    "ALLOWED_TAGS",
    "LETTER_PATTERN",
    "Block",
    "Converted",
    "Letter",
    "convert",
    "convert_html",
    "plain_text",
    "plain_title",
    "split_letter",
]
