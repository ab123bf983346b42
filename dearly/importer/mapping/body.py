"""Converted bodies as StreamField blocks (a part of Import).

Images become figures when their file is in --media-dir, otherwise a visible link to the
original; embeds stay plain links (nothing is fetched)."""

import json

from django.utils.html import escape


class BodyBlocks:
    def stream(self, source, blocks):
        """The body's StreamField JSON."""

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
                images = block.value.get("images", ())
                out += [self._figure(source, i.url, i.alt, i.title) for i in images] or [
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

    def _featured_image(self, source, entry):
        image = entry.featured_image
        if image is None or not image.url:
            return None
        found = self.media.image_for(source, image.url, image.title, image.alt)
        if found is None and self.media.find(image.url) is None:
            self.report.skipped["featured images whose file was not found (see --media-dir)"] += 1
        return found


def _paragraph(html):
    return {"type": "paragraph", "value": html}
