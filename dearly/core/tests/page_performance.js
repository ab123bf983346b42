// The performance figures of the loaded page from Chromium's own timing (screenshot test):
// () -> {html, css_js, images: bytes transferred; cls: layout shift; lcp, load: ms}
() => new Promise((resolve) => {
  let cls = 0, lcp = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) cls += entry.value;
  }).observe({type: "layout-shift", buffered: true});
  new PerformanceObserver((list) => {
    const entries = list.getEntries();
    lcp = entries[entries.length - 1].startTime;
  }).observe({type: "largest-contentful-paint", buffered: true});
  setTimeout(() => {
    const bytes = (e) => e.transferSize || e.encodedBodySize || 0;
    const nav = performance.getEntriesByType("navigation")[0];
    const resources = performance.getEntriesByType("resource");
    const text = resources.filter((r) => /\.(css|js)(\?|$)/.test(new URL(r.name).pathname));
    const images = resources.filter((r) => r.initiatorType === "img");
    resolve({
      html: bytes(nav),
      css_js: text.reduce((sum, r) => sum + bytes(r), 0),
      images: images.reduce((sum, r) => sum + bytes(r), 0),
      cls, lcp,
      load: nav.loadEventEnd,
    });
  }, 500);
})
