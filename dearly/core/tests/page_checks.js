// What the screenshot test (test_browser_screenshots.py) checks on each page, in Chromium:
// ([selectors, minPx, exempt]) -> {scrollWidth, innerWidth, small: [[element, text, px]],
//                                  overlaps: [[element, element, width, height]],
//                                  cutOff: [[element, right edge]],
//                                  footerGap: px of page colour under the site's footer}
// `exempt`: a selector whose text is not measured ("" for none).
([selectors, minPx, exempt]) => {
  const visible = (el) => {
    const s = getComputedStyle(el);
    if (s.display === "none" || s.visibility === "hidden" || parseFloat(s.opacity) === 0) return false;
    const r = el.getBoundingClientRect();
    return r.width >= 2 && r.height >= 2;
  };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (typeof el.className === "string" && el.className ? "." + el.className.trim().split(/\s+/).join(".") : "");
  // Text under minPx: every rendered text node, by its element's computed size.
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.trim();
    const el = node.parentElement;
    if (!text || !el || el.closest("script, style, noscript, template, .visually-hidden, .hp")) continue;
    if (exempt && el.closest(exempt)) continue;
    if (!visible(el)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const r = range.getBoundingClientRect();
    if (r.width < 2 || r.height < 2) continue;  // not rendered (a closed <details>, clipped)
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < minPx) small.push([name(el), text.slice(0, 40), size]);
  }
  // Boxes that overlap without one holding the other.
  const boxes = [];
  for (const sel of selectors) {
    for (const el of document.querySelectorAll(sel)) {
      if (visible(el)) boxes.push([el, el.getBoundingClientRect()]);
    }
  }
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, ra] = boxes[i], [b, rb] = boxes[j];
      if (a === b || a.contains(b) || b.contains(a)) continue;
      const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
      const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
      if (w > 1 && h > 1) overlaps.push([name(a), name(b), Math.round(w), Math.round(h)]);
    }
  }
  // Content past the right edge of the window that no one can scroll to: a container clipped
  // it (overflow: hidden) where the page itself would have scrolled sideways.
  const scrollable = (el) => {
    for (let node = el.parentElement; node && node !== document.body; node = node.parentElement) {
      const overflow = getComputedStyle(node).overflowX;
      if (overflow === "auto" || overflow === "scroll") return true;
    }
    return false;
  };
  const cutOff = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.right <= window.innerWidth + 1 || r.left >= window.innerWidth || r.width < 2) continue;
    if (getComputedStyle(el).position === "fixed" || !visible(el) || scrollable(el)) continue;
    if (el.closest("[hidden], [aria-hidden='true'], .visually-hidden, .hp, .skip-link")) continue;
    cutOff.push([name(el), Math.round(r.right)]);
  }
  // On a short page the footer still reaches the bottom of the window.
  const footer = document.querySelector("footer.site-footer");
  const footerGap = footer ? Math.max(0, window.innerHeight - (footer.getBoundingClientRect().bottom + window.scrollY)) : 0;
  return {
    footerGap: Math.round(footerGap),
    cutOff: cutOff.slice(0, 10),
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    small: small.slice(0, 10),
    overlaps: overlaps.slice(0, 10),
  };
}