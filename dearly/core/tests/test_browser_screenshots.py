"""Look at it: the main pages of the demo column at 375, 768 and 1280 px, in light and dark, saved
as PNGs under var/screenshots/ (`make screenshots`; never committed), and each checked for what a
reader would notice first: a page that scrolls sideways, boxes drawn over each other, text under
12 px, and text too faint to read (axe-core's colour-contrast rule). A second test holds the home
page and a letter to their budgets: HTML, CSS and JS under 60 KB before images, and no layout shift
worth the name (CLS < 0.05), measured with Chromium's own performance timing.

Needs Chromium (CHROMIUM_BIN, default /usr/bin/chromium) and axe-core in node_modules (`npm ci`).
"""

import io
import json
import pathlib

from django.core.files.images import ImageFile
from django.db.models import Count

from wagtail.images.models import Image
from wagtail.models import Site

import pytest
from allauth.account.models import EmailAddress
from PIL import Image as PILImage
from PIL import ImageDraw

from dearly.articles.models import ArticlePage, LetterPage, Topic
from dearly.comments.models import Comment
from dearly.core.models import ColumnSettings, StandardPage
from dearly.questions.models import Question
from dearly.testing import AXE_JS, REPO

pytestmark = pytest.mark.browser

SHOTS = REPO / "var" / "screenshots"
WIDTHS = (375, 768, 1280)
HEIGHT = 900
MIN_TEXT_PX = 12
PAGE_BUDGET_BYTES = 60 * 1024
CLS_BUDGET = 0.05
STAFF_EMAIL, STAFF_PASSWORD = "chief@example.com", "a long editor passphrase"

# What must never overlap on a public page: the landmarks, and the cards and rows inside them.
# A box inside another (a post inside <main>) is not an overlap.
PUBLIC_BOXES = [
    "header.site-header", "main", "aside.sidebar", "footer.site-footer",
    ".brand", ".tagline", ".search-box", ".account-nav", ".main-nav-list > li",
    ".breadcrumb", ".post-item", ".side-block", ".letter", ".answer", ".columnist-card",
    ".letter-nav-link", ".subscribe-box", ".comment-body", ".pagination", ".featured-image",
    ".field", ".form-actions > *", ".ask-similar", ".related", ".respond", ".footer-grid > *",
]  # fmt: skip
# Wagtail's admin: its header, the main area, and the moderation cards and inbox rows in it.
ADMIN_BOXES = [
    "main", "header.w-header", "table", "tbody tr", "form", ".moderation-item",
    ".moderation-item__actions > *",
]  # fmt: skip
# Text Wagtail itself draws small in its own components: the sidebar's "what's new" badge and
# the status tags ("Live", "Awaiting moderation") of its design system, 10-11 px everywhere in
# its admin. Our own text in the admin is measured like the public site's.
ADMIN_SMALL_TEXT_EXEMPT = "#wagtail-sidebar, .w-status"

# Functions page.evaluate() runs: the checks of each page, and the performance figures.
HERE = pathlib.Path(__file__).parent
PAGE_CHECKS_JS = (HERE / "page_checks.js").read_text()
PERFORMANCE_JS = (HERE / "page_performance.js").read_text()
LOAD_LAZY_IMAGES_JS = """async () => {
  const images = [...document.images];
  for (const image of images) image.loading = "eager";
  await Promise.all(images.map((image) => image.decode().catch(() => null)));
}"""


def picture(size, draw_on, fmt="JPEG"):
    """An image drawn here (no stock photos): `draw_on(ImageDraw, width, height)`."""
    image = PILImage.new("RGB", size, (246, 238, 230))
    draw_on(ImageDraw.Draw(image), *size)
    buffer = io.BytesIO()
    image.save(buffer, fmt, quality=88)
    return buffer


def portrait(draw, w, h):
    draw.rectangle([0, 0, w, h], fill=(122, 46, 31))
    draw.ellipse([w * 0.3, h * 0.18, w * 0.7, h * 0.58], fill=(238, 205, 180))  # face
    draw.ellipse([w * 0.12, h * 0.62, w * 0.88, h * 1.4], fill=(42, 62, 80))  # shoulders


def desk(draw, w, h):
    draw.rectangle([0, h * 0.62, w, h], fill=(196, 160, 122))  # the desk
    draw.rectangle([w * 0.18, h * 0.3, w * 0.52, h * 0.6], fill=(52, 73, 94))  # a screen
    draw.rectangle([w * 0.6, h * 0.44, w * 0.78, h * 0.62], fill=(236, 112, 84))  # a mug
    draw.ellipse([w * 0.7, h * 0.08, w * 0.9, h * 0.28], fill=(250, 214, 120))  # a lamp


def make_image(title, size, draw_on):
    return Image.objects.create(
        title=title, file=ImageFile(picture(size, draw_on), name=f"{title.lower()}.jpg")
    )


@pytest.fixture(autouse=True)
def media_served(settings, tmp_path):
    """Uploads in a temporary directory the live server serves (dearly.core.tests.urls_media),
    set before any other fixture of these tests (autouse) so the demo's images land there too."""
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    settings.ROOT_URLCONF = "dearly.core.tests.urls_media"


@pytest.fixture
def column_pages(site, django_user_model):
    """The demo column with the identity and images a columnist would add, a letter writer's
    status page and an editor; returns {name: path} of the pages to look at."""
    settings = ColumnSettings.for_site(Site.objects.get(is_default_site=True))
    settings.columnist_photo = make_image("Dr Mimi", (600, 600), portrait)
    settings.columnist_bio = (
        "Dr. Mimi has answered questions about work for twenty years: from first jobs to "
        "last days, and everything awkward in between."
    )
    settings.about_page = StandardPage.objects.filter(slug="about").first()
    settings.mastodon_url = "https://mastodon.example/@drmimi"
    settings.save()

    letters = LetterPage.objects.live()
    counts = dict(
        Comment.objects.approved()
        .values_list("page_id")
        .annotate(n=Count("pk"))
        .filter(page_id__in=letters.values("pk"))
    )
    letter = max(letters, key=lambda p: (counts.get(p.pk, 0), p.date))
    guide = ArticlePage.objects.live().order_by("-date").first()
    for post, title in ((letter, "Desk"), (guide, "Desk at dusk")):
        post.featured_image = make_image(title, (1600, 1000), desk)
        post.save_revision().publish()
    topic = Topic.objects.filter(parent=None).annotate(n=Count("posts")).order_by("-n").first()

    token, token_hash = Question.new_token()
    for n, pen_name in enumerate(("Moved Goalposts", "Night Owl", "Second Chair")):
        Question.objects.create(
            text="My manager keeps moving my deadlines without telling me. What can I do?",
            pen_name=pen_name,
            email=f"writer{n}@example.com",
            consent=True,
            token_hash=token_hash if n == 0 else Question.new_token()[1],
        )
    editor = django_user_model.objects.create_superuser(
        "chief", STAFF_EMAIL, STAFF_PASSWORD, display_name="Chief"
    )
    EmailAddress.objects.create(user=editor, email=STAFF_EMAIL, primary=True, verified=True)
    return {
        "home": "/",
        "letters": "/letters/",
        "letter": letter.url,
        "guide": guide.url,
        "topic": topic.get_absolute_url(),
        "search": "/search/?q=work",
        "ask": "/ask/",
        "status": f"/ask/status/{token}/",
        "login": "/accounts/login/",
        "signup": "/accounts/signup/",
        "not-found": "/no-such-page/",
        "subscribe": "/subscribe/",
    }


ADMIN_PAGES = {"admin-moderation": "/admin/comments/", "admin-inbox": "/admin/questions/"}


# Contrast, and links told apart from the text around them by more than their colour.
AXE_RULES = ["color-contrast", "link-in-text-block"]


def contrast_failures(page):
    if not AXE_JS.exists():
        pytest.skip(f"axe-core not installed ({AXE_JS} missing; run npm ci)")
    page.evaluate(AXE_JS.read_text())
    result = page.evaluate(
        "async (rules) => await axe.run(document, {runOnly: {type: 'rule', values: rules}})",
        AXE_RULES,
    )
    return [
        (node["target"], node["any"][0]["message"][:120] if node["any"] else "")
        for violation in result["violations"]
        for node in violation["nodes"]
    ][:6]


def look_at(page, base, name, path, width, scheme, boxes, status=200, exempt=""):
    """Load, save the screenshot, and return what is wrong with the page (empty: nothing)."""
    page.set_viewport_size({"width": width, "height": HEIGHT})
    response = page.goto(base + path)
    problems = []
    if response is None or response.status != status:
        problems.append(f"answered {response and response.status}, not {status}")
    page.wait_for_load_state("load")
    # A full-page screenshot does not scroll, so lazy images below the fold would stay blank.
    page.evaluate(LOAD_LAZY_IMAGES_JS)
    SHOTS.mkdir(parents=True, exist_ok=True)
    suffix = "" if scheme == "light" else f"-{scheme}"
    page.screenshot(path=SHOTS / f"{name}-{width}{suffix}.png", full_page=True)
    found = page.evaluate(PAGE_CHECKS_JS, [boxes, MIN_TEXT_PX, exempt])
    if found["scrollWidth"] > found["innerWidth"]:
        problems.append(f"scrolls sideways: {found['scrollWidth']} px wide")
    elif found["cutOff"]:
        problems.append(f"cut off at the right edge: {found['cutOff']}")
    if found["footerGap"] > 1:
        problems.append(f"page colour under the footer: {found['footerGap']} px")
    if found["small"]:
        problems.append(f"text under {MIN_TEXT_PX} px: {found['small']}")
    if found["overlaps"]:
        problems.append(f"overlapping boxes: {found['overlaps']}")
    if contrast := contrast_failures(page):
        problems.append(f"contrast: {contrast}")
    return problems


def test_main_pages_look_right_at_phone_tablet_and_desktop_widths(browser, site, column_pages):
    problems = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        for name, path in column_pages.items():
            for width in WIDTHS if scheme == "light" else (375, 1280):
                status = 404 if name == "not-found" else 200
                found = look_at(page, site, name, path, width, scheme, PUBLIC_BOXES, status)
                if found:
                    problems[f"{name} {width} {scheme}"] = found
        context.close()

    staff = browser.new_context()
    page = staff.new_page()
    page.goto(f"{site}/accounts/login/?next=/admin/")
    page.get_by_label("Email").fill(STAFF_EMAIL)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{site}/admin/")
    for name, path in ADMIN_PAGES.items():
        for width in WIDTHS:
            found = look_at(
                page, site, name, path, width, "light", ADMIN_BOXES, exempt=ADMIN_SMALL_TEXT_EXEMPT
            )
            if found:
                problems[f"{name} {width}"] = found
    staff.close()
    assert not problems, json.dumps(problems, indent=2)


def test_home_and_a_letter_stay_light_and_still(page, site, column_pages):
    figures = {}
    for name in ("home", "letter"):
        page.set_viewport_size({"width": 1280, "height": HEIGHT})
        page.goto(site + column_pages[name], wait_until="load")
        figures[name] = page.evaluate(PERFORMANCE_JS)
    report = pathlib.Path(SHOTS, "performance.json")
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps(figures, indent=2))
    for name, found in figures.items():
        assert found["html"] + found["css_js"] < PAGE_BUDGET_BYTES, (name, found)
        assert found["cls"] < CLS_BUDGET, (name, found)


def test_the_checks_catch_what_they_look_for(page):
    """The checks themselves, on a page built to fail each of them."""
    page.set_viewport_size({"width": 375, "height": HEIGHT})
    page.set_content(
        """<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>
        <main><div class="post-item" style="position:relative;height:50px">One</div>
        <div class="post-item" style="position:relative;top:-20px;height:50px">Two</div>
        <p style="font-size:10px">Fine print</p>
        <p style="color:#bbb;background:#fff">Faint words</p>
        <div style="width:900px">Too wide</div>
        <p class="visually-hidden" style="font-size:1px">Hidden is fine</p></main></body></html>"""
    )
    found = page.evaluate(PAGE_CHECKS_JS, [PUBLIC_BOXES, MIN_TEXT_PX, ""])
    assert found["scrollWidth"] > found["innerWidth"]
    assert [element for element, right in found["cutOff"] if right > 375] == ["div"]
    assert [text for _, text, _ in found["small"]] == ["Fine print"]
    assert [(a, b) for a, b, _, _ in found["overlaps"]] == [("div.post-item", "div.post-item")]
    assert contrast_failures(page)
    page.set_content(
        '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body style="margin:0">'
        '<main style="height:200px">Short</main><footer class="site-footer">End</footer>'
        "</body></html>"
    )
    assert page.evaluate(PAGE_CHECKS_JS, [[], MIN_TEXT_PX, ""])["footerGap"] > 600
