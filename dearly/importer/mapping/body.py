"""Converted WordPress bodies as StreamField blocks (a part of WordPressImport).

Images become figures when their file is in --media-dir, otherwise a visible link to the
original; embeds stay plain links (nothing is fetched)."""

import json

from django.utils.html import escape

from dearly.core.ids import parse_id


class BodyBlocks:
    def stream(self, source, blocks, wp_id=None):
        """The body's StreamField JSON; `wp_id` is the post's (a bare [gallery] shows its
        attached images)."""

        out = []
        for block in blocks:
            value = block.value
            if block.kind == "paragraph":
                out.append(_paragraph(value["html"]))
            elif block.kind == "quote":
                out.append(
                    {
                        "type": "quote",
                        "value": {
                            "quote": value.get("quote", ""),
                            "attribution": value.get("attribution", "")[:200],
                        },
                    }
                )
            elif block.kind == "image":
                out.append(
                    self._figure(
                        source, value.get("src", ""), value.get("alt", ""), value.get("caption", "")
                    )
                )
            elif block.kind == "embed":
                label = {"video": "Video", "audio": "Audio"}.get(value.get("kind"), "Embedded")
                url = value.get("url", "")
                out.append(_paragraph(f'<p>{label}: <a href="{escape(url)}">{escape(url)}</a></p>'))
            elif block.kind == "gallery":
                ids = value.get("attachment_ids") or sorted(
                    self.scan_result.attached.get((source, wp_id), [])
                )
                figures = []
                for attachment_id in ids:
                    url, alt, title = self.scan_result.attachments.get(
                        (source, attachment_id), ("", "", "")
                    )
                    if url:
                        figures.append(self._figure(source, url, alt, title))
                out += figures or [
                    _paragraph("<p><em>A gallery from the old site was here; its images were "
                               "not in the export.</em></p>")
                ]  # fmt: skip
            elif block.kind == "note":
                out.append(_paragraph(f"<p><em>{escape(value.get('text', ''))}</em></p>"))
            else:
                self.report.warn(f"a {block.kind!r} block was left out")
        return json.dumps(out)

    def _figure(self, source, src, alt, caption):
        image = self.media.image_for(source, src, caption or alt, alt) if src else None
        if image is not None:
            return {
                "type": "image",
                "value": {
                    "image": {"image": image.pk, "alt_text": alt[:255], "decorative": not alt},
                    "caption": caption[:300],
                },
            }
        label = escape(caption or alt or src.rsplit("/", 1)[-1] or "image")
        return _paragraph(f'<p>Image: <a href="{escape(src)}">{label}</a></p>')

    def _featured_image(self, source, item):
        for value in item.meta_values("_thumbnail_id"):
            # "²" passes isdigit() and 5,000 digits pass int() checks: one parser for ids.
            if (wp_id := parse_id(value.strip())) is not None:
                url, alt, title = self.scan_result.attachments.get((source, wp_id), ("", "", ""))
                if url:
                    return self.media.image_for(source, url, title, alt)
        return None


def _paragraph(html):
    return {"type": "paragraph", "value": html}
