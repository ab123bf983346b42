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
_TWO_BRS = re.compile(r"<br\s*/?>\s*<br\s*/?>", re.A)
_BLOCK_OPEN = re.compile(r"(<" + _BLOCKS + r"[\s/>])", re.A)
_BLOCK_CLOSE = re.compile(r"(</" + _BLOCKS + r">)", re.A)
_HR = re.compile(r"(<hr\s*?/?>)", re.A)
# get_html_split_regex(): a comment, a CDATA section or an ordinary tag.
_HTML_ELEMENT = re.compile(
    r"<(?:!--(?:-(?!->)[^\-]*+)*+(?:-->)?|!\[CDATA\[[^\]]*+(?:\](?!\]>)[^\]]*+)*+(?:\]\]>)?"
    r"|[^>]*>?)"
)
_OPTION_BEFORE = re.compile(r"\s*<option", re.A)
_OPTION_AFTER = re.compile(r"</option>\s*", re.A)
_OBJECT_OPEN = re.compile(r"(<object[^>]*>)\s*", re.A)
_OBJECT_CLOSE = re.compile(r"\s*</object>", re.A)
_PARAM = re.compile(r"\s*(</?(?:param|embed)[^>]*>)\s*", re.A)
_MEDIA_OPEN = re.compile(r"([<\[](?:audio|video)[^>\]]*[>\]])\s*", re.A)
_MEDIA_CLOSE = re.compile(r"\s*([<\[]/(?:audio|video)[>\]])", re.A)
_SOURCE = re.compile(r"\s*(<(?:source|track)[^>]*>)\s*", re.A)
_FIGCAPTION_OPEN = re.compile(r"\s*(<figcaption[^>]*>)", re.A)
_FIGCAPTION_CLOSE = re.compile(r"</figcaption>\s*", re.A)
_MANY_NEWLINES = re.compile(r"\n\n+", re.A)
_PARAGRAPH_SPLIT = re.compile(r"\n\s*\n", re.A)
_EMPTY_P = re.compile(r"<p>\s*</p>", re.A)
_UNCLOSED_P = re.compile(r"<p>([^<]+)</(div|address|form)>", re.A)
_P_AROUND_BLOCK = re.compile(r"<p>\s*(</?" + _BLOCKS + r"[^>]*>)\s*</p>", re.A)
_P_AROUND_LI = re.compile(r"<p>(<li.+?)</p>", re.A)
_P_BEFORE_BLOCKQUOTE = re.compile(r"<p><blockquote([^>]*)>", re.I | re.A)
_P_BEFORE_BLOCK = re.compile(r"<p>\s*(</?" + _BLOCKS + r"[^>]*>)", re.A)
_P_AFTER_BLOCK = re.compile(r"(</?" + _BLOCKS + r"[^>]*>)\s*</p>", re.A)
_KEEP_NEWLINES = re.compile(r"<(script|style|svg).*?</\1>", re.S | re.A)
_BR_AFTER_BLOCK = re.compile(r"(</?" + _BLOCKS + r"[^>]*>)\s*<br />", re.A)
_BR_BEFORE_BLOCK = re.compile(r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)", re.A)
_TRAILING_NEWLINE = re.compile(r"\n</p>$", re.A)
_PRE_PLACEHOLDER = re.compile(r"<pre wp-pre-tag-\d+></pre>")
_NEWLINE_MARK = " <!-- wpnl --> "
_ASCII_SPACE = " \t\n\r\f\v"  # PHP's \s without /u: a no-break space is text
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
        text = _newlines_to_br(text)
        text = text.replace(_PRESERVED, "\n")
    text = _BR_AFTER_BLOCK.sub(r"\1", text)
    text = _BR_BEFORE_BLOCK.sub(r"\1", text)
    text = _TRAILING_NEWLINE.sub("</p>", text)
    if pre_tags:
        text = _PRE_PLACEHOLDER.sub(lambda m: pre_tags.get(m.group(), m.group()), text)
    if "<!-- wpnl -->" in text:
        text = text.replace(_NEWLINE_MARK, "\n").replace("<!-- wpnl -->", "\n")
    return text


def _newlines_to_br(text: str) -> str:
    """preg_replace('|(?<!<br />)\\s*\\n|', "<br />\\n"), without trying every position.

    Each whitespace run holding a newline is replaced up to its last newline, keeping its
    first character when the run directly follows a <br />, exactly as the regex does.
    """
    out = []
    last = 0
    length = len(text)
    newline = text.find("\n")
    while newline != -1:
        start = newline
        while start > last and text[start - 1] in _ASCII_SPACE:
            start -= 1
        end = scan = newline + 1
        while scan < length and text[scan] in _ASCII_SPACE:
            scan += 1
            if text[scan - 1] == "\n":
                end = scan
        if text.endswith("<br />", 0, start):
            start += 1  # the lookbehind fails here, so the match starts one later
        if start < end:
            out.append(text[last:start])
            out.append("<br />\n")
            last = end
        newline = text.find("\n", end)
    out.append(text[last:])
    return "".join(out)


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
