"""What a reader's browser gets (issue 14, item 6): the home page and a letter loaded in Chromium
from the production server (granian, 2 workers, as `make run` starts it, DEBUG off, the page
cache on) on a scratch site with the demo, measured with Chromium's own performance timing:
bytes of HTML, CSS and JavaScript transferred before images, images, cumulative layout shift and
largest contentful paint. One unmeasured visit warms the page cache and the image renditions;
then each page is loaded in fresh browser contexts (empty browser cache) and the medians kept.

Targets: HTML+CSS+JS under 60 KB, CLS under 0.05, LCP under 1.0 s.

    .venv/bin/python bench/page_weight.py [--runs 5]      # needs Chromium (CHROMIUM_BIN)
"""

import argparse
import os
import re
import statistics
import sys
import time

import harness

TARGET_BYTES = 60 * 1024
TARGET_CLS = 0.05
TARGET_LCP_MS = 1000
PERFORMANCE_JS = (harness.ROOT / "dearly" / "core" / "tests" / "page_performance.js").read_text()
CHROMIUM_BIN = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")


def first_letter(port):
    """The newest letter's address, as the letters archive lists it."""
    html = harness.http_get(port, "/letters/")[2].decode()
    found = re.search(r'<h2><a href="(/letters/[^"]+/)">', html)
    if found is None:
        raise harness.BenchError("no letter listed on /letters/")
    return found[1]


def measure(browser, url, runs, width=1280, height=900):
    figures = []
    for _ in range(runs):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.goto(url, wait_until="load")
        figures.append(page.evaluate(PERFORMANCE_JS))
        context.close()
    median = {key: statistics.median(f[key] for f in figures) for key in figures[0]}
    median["text_bytes"] = median["html"] + median["css_js"]
    return {key: round(value, 4) for key, value in median.items()}


def run(args, tmp):
    from playwright.sync_api import sync_playwright  # a dev dependency, like the test tools

    port = harness.free_port()
    env = harness.scratch_site(tmp, port)
    with harness.Children() as children, sync_playwright() as playwright:
        harness.start_server(children, env, port, tmp)
        pages = {"home": "/", "letter": first_letter(port)}
        browser = playwright.chromium.launch(executable_path=CHROMIUM_BIN, args=["--no-sandbox"])
        base = f"http://{harness.HOST}:{port}"
        for path in pages.values():
            measure(browser, base + path, 1)  # renditions made, pages cached
        rows = {name: measure(browser, base + path, args.runs) for name, path in pages.items()}
        browser.close()
    problems = []
    print(f"median of {args.runs} loads at 1280 px, empty browser cache, warm server:")
    print(f"{'page':8} {'HTML':>8} {'CSS+JS':>8} {'images':>8} {'CLS':>6} {'LCP ms':>7}")
    for name, row in rows.items():
        print(
            f"{name:8} {row['html']:>8.0f} {row['css_js']:>8.0f} {row['images']:>8.0f} "
            f"{row['cls']:>6.3f} {row['lcp']:>7.0f}"
        )
        if row["text_bytes"] >= TARGET_BYTES:
            problems.append(f"{name}: {row['text_bytes']:.0f} bytes of HTML+CSS+JS")
        if row["cls"] >= TARGET_CLS:
            problems.append(f"{name}: CLS {row['cls']}")
        if row["lcp"] >= TARGET_LCP_MS:
            problems.append(f"{name}: LCP {row['lcp']:.0f} ms")
    harness.write_results(
        "page_weight.json",
        {
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "pages": pages,
            "rows": rows,
            "targets": {"text_bytes": TARGET_BYTES, "cls": TARGET_CLS, "lcp_ms": TARGET_LCP_MS},
            "problems": problems,
        },
    )
    if problems:
        print("MISSED: " + "; ".join(problems), file=sys.stderr)
        return 1
    print("targets met: HTML+CSS+JS < 60 KB, CLS < 0.05, LCP < 1.0 s")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=harness.positive_int, default=5)
    args = parser.parse_args(argv)
    return harness.in_scratch_dir("dearly-page-weight-", lambda tmp: run(args, tmp))


if __name__ == "__main__":
    harness.main(main)
