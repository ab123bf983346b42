"""WordPress's automatic paragraphs (`wpautop`, wp-includes/formatting.php), step for step.

Classic-editor posts are stored without <p> tags: WordPress adds them on display, turning
blank lines into paragraphs and single newlines into <br>, leaving block-level elements
unwrapped and <pre> untouched. An import must do the same or the text runs together.
"""

import re

_BLOCKS = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre"
    r"|form|map|area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section"
    r"|article|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary)"
)
_TWO_BRS = re.compile(r"<br\s*/?>\s*<br\s*/?>")
_BLOCK_OPEN = re.compile(r"(<" + _BLOCKS + r"[\s/>])")
_BLOCK_CLOSE = re.compile(r"(</" + _BLOCKS + r">)")
_HR = re.compile(r"(<hr\s*?/?>)")
# get_html_split_regex(): a comment, a CDATA section or an ordinary tag.
_HTML_ELEMENT = re.compile(
    r"<(?:!--(?:-(?!->)[^\-]*+)*+(?:-->)?|!\[CDATA\[[^\]]*+(?:\](?!\]>)[^\]]*+)*+(?:\]\]>)?"
    r"|[^>]*>?)"
)
_OPTION_BEFORE = re.compile(r"\s*<option")
_OPTION_AFTER = re.compile(r"</option>\s*")
_OBJECT_OPEN = re.compile(r"(<object[^>]*>)\s*")
_OBJECT_CLOSE = re.compile(r"\s*</object>")
_PARAM = re.compile(r"\s*(</?(?:param|embed)[^>]*>)\s*")
_MEDIA_OPEN = re.compile(r"([<\[](?:audio|video)[^>\]]*[>\]])\s*")
_MEDIA_CLOSE = re.compile(r"\s*([<\[]/(?:audio|video)[>\]])")
_SOURCE = re.compile(r"\s*(<(?:source|track)[^>]*>)\s*")
_FIGCAPTION_OPEN = re.compile(r"\s*(<figcaption[^>]*>)")
_FIGCAPTION_CLOSE = re.compile(r"</figcaption>\s*")
_MANY_NEWLINES = re.compile(r"\n\n+")
_PARAGRAPH_SPLIT = re.compile(r"\n\s*\n")
_EMPTY_P = re.compile(r"<p>\s*</p>")
_UNCLOSED_P = re.compile(r"<p>([^<]+)</(div|address|form)>")
_P_AROUND_BLOCK = re.compile(r"<p>\s*(</?" + _BLOCKS + r"[^>]*>)\s*</p>")
_P_AROUND_LI = re.compile(r"<p>(<li.+?)</p>")
_P_BEFORE_BLOCKQUOTE = re.compile(r"<p><blockquote([^>]*)>", re.I)
_P_BEFORE_BLOCK = re.compile(r"<p>\s*(</?" + _BLOCKS + r"[^>]*>)")
_P_AFTER_BLOCK = re.compile(r"(</?" + _BLOCKS + r"[^>]*>)\s*</p>")
_KEEP_NEWLINES = re.compile(r"<(script|style|svg).*?</\1>", re.S)
_NEWLINE = re.compile(r"(?<!<br />)\s*\n")
_BR_AFTER_BLOCK = re.compile(r"(</?" + _BLOCKS + r"[^>]*>)\s*<br />")
_BR_BEFORE_BLOCK = re.compile(r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)")
_TRAILING_NEWLINE = re.compile(r"\n</p>$")
_NEWLINE_MARK = " <!-- wpnl --> "
_PRESERVED = "<WPPreserveNewline />"


def wpautop(text: str, br: bool = True) -> str:
    """Wrap blank-line-separated text in <p>, single newlines becoming <br />."""
    if not text.strip():
        return ""
    text += "\n"
    pre_tags = {}
    if "<pre" in text:
        text, pre_tags = _hide_pre(text)
    text = _TWO_BRS.sub("\n\n", text)
    text = _BLOCK_OPEN.sub(r"\n\n\1", text)
    text = _BLOCK_CLOSE.sub(r"\1\n\n", text)
    text = _HR.sub(r"\1\n\n", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Newlines inside tags and comments must not become paragraphs.
    text = _HTML_ELEMENT.sub(_mark_newlines, text)
    if "<option" in text:
        text = _OPTION_AFTER.sub("</option>", _OPTION_BEFORE.sub("<option", text))
    if "</object>" in text:
        text = _OBJECT_CLOSE.sub("</object>", _OBJECT_OPEN.sub(r"\1", text))
        text = _PARAM.sub(r"\1", text)
    if "<source" in text or "<track" in text:
        text = _MEDIA_CLOSE.sub(r"\1", _MEDIA_OPEN.sub(r"\1", text))
        text = _SOURCE.sub(r"\1", text)
    if "<figcaption" in text:
        text = _FIGCAPTION_CLOSE.sub("</figcaption>", _FIGCAPTION_OPEN.sub(r"\1", text))
    text = _MANY_NEWLINES.sub("\n\n", text)
    paragraphs = [part for part in _PARAGRAPH_SPLIT.split(text) if part]
    text = "".join(f"<p>{part.strip(chr(10))}</p>\n" for part in paragraphs)
    text = _EMPTY_P.sub("", text)
    text = _UNCLOSED_P.sub(r"<p>\1</p></\2>", text)
    text = _P_AROUND_BLOCK.sub(r"\1", text)
    text = _P_AROUND_LI.sub(r"\1", text)
    text = _P_BEFORE_BLOCKQUOTE.sub(r"<blockquote\1><p>", text)
    text = text.replace("</blockquote></p>", "</p></blockquote>")
    text = _P_BEFORE_BLOCK.sub(r"\1", text)
    text = _P_AFTER_BLOCK.sub(r"\1", text)
    if br:
        text = _KEEP_NEWLINES.sub(lambda m: m.group().replace("\n", _PRESERVED), text)
        text = text.replace("<br>", "<br />").replace("<br/>", "<br />")
        text = _NEWLINE.sub("<br />\n", text)
        text = text.replace(_PRESERVED, "\n")
    text = _BR_AFTER_BLOCK.sub(r"\1", text)
    text = _BR_BEFORE_BLOCK.sub(r"\1", text)
    text = _TRAILING_NEWLINE.sub("</p>", text)
    for name, original in pre_tags.items():
        text = text.replace(name, original)
    if "<!-- wpnl -->" in text:
        text = text.replace(_NEWLINE_MARK, "\n").replace("<!-- wpnl -->", "\n")
    return text


def _hide_pre(text: str) -> tuple[str, dict[str, str]]:
    """Swap each <pre>…</pre> for a placeholder so its newlines stay as they are."""
    parts = text.split("</pre>")
    last = parts.pop()
    pre_tags = {}
    rebuilt = []
    for part in parts:
        start = part.find("<pre")
        if start == -1:  # a stray </pre>
            rebuilt.append(part)
            continue
        name = f"<pre wp-pre-tag-{len(pre_tags)}></pre>"
        pre_tags[name] = part[start:] + "</pre>"
        rebuilt.append(part[:start] + name)
    rebuilt.append(last)
    return "".join(rebuilt), pre_tags


def _mark_newlines(match) -> str:
    element = match.group()
    return element.replace("\n", _NEWLINE_MARK) if "\n" in element else element
