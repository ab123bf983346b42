"""StreamField blocks shared by the page types."""

from django.utils.html import escape

from wagtail import blocks
from wagtail.images.blocks import ImageBlock

RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul", "h2", "h3"]
# What imported WordPress text may also hold (dearly/importer), kept editable in the body.
IMPORTED_FEATURES = [
    *RICH_TEXT_FEATURES,
    *["h4", "hr", "blockquote", "code", "superscript", "subscript", "strikethrough"],
]
INLINE_FEATURES = ["bold", "italic", "link"]


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock()
    attribution = blocks.CharBlock(required=False, max_length=200)

    class Meta:
        icon = "openquote"
        template = "core/blocks/quote.html"


class FigureBlock(blocks.StructBlock):
    image = ImageBlock()
    caption = blocks.CharBlock(required=False, max_length=300)

    class Meta:
        icon = "image"
        template = "core/blocks/figure.html"


class StepBlock(blocks.StructBlock):
    lead = blocks.CharBlock(max_length=160, help_text='A short bold lead, e.g. "Solicit feedback."')
    text = blocks.RichTextBlock(features=[*INLINE_FEATURES, "ul"])

    class Meta:
        icon = "list-ol"


class StepsBlock(blocks.StructBlock):
    """Numbered steps: each item can be linked to as #step-N."""

    heading = blocks.CharBlock(required=False, max_length=160)
    steps = blocks.ListBlock(StepBlock(), min_num=1)

    class Meta:
        icon = "list-ol"
        template = "core/blocks/steps.html"


class BodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(features=IMPORTED_FEATURES)
    quote = QuoteBlock()
    image = FigureBlock()
    steps = StepsBlock()


def body_plain_html(body):
    """The body's text-bearing HTML in reading order, for excerpts and search snippets."""
    parts = []
    for block in body or []:
        value = block.value
        if block.block_type == "paragraph":
            parts.append(value.source)
        elif block.block_type == "quote":
            parts.append(f"<p>{escape(value['quote'])}</p>")
        elif block.block_type == "steps":
            for step in value["steps"]:
                parts.append(f"<p>{escape(step['lead'])} {step['text'].source}</p>")
        elif block.block_type == "image" and value.get("caption"):
            parts.append(f"<p>{escape(value['caption'])}</p>")
    return "".join(parts)
