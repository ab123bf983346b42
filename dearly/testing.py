"""Plain helpers that build test content through the real models (used by the tests only)."""

import contextlib
import datetime
import itertools
import pathlib

from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from wagtail.models import Page, Site
from wagtail.signal_handlers import (
    connect_reference_index_signal_handlers,
    disconnect_reference_index_signal_handlers,
)

import pytest
from allauth.account.models import EmailAddress
from modelsearch import index as search_index
from modelsearch import signal_handlers as search_signals

from dearly.articles.models import (
    ArticleIndexPage,
    ArticlePage,
    ColumnIndexPage,
    LetterPage,
    LetterUpdatePage,
    RoundupLetter,
    RoundupPage,
    Topic,
)
from dearly.core.models import HomePage
from dearly.retrieval import indexing as retrieval_indexing

_counter = itertools.count(1)


def connect_indexes(on):
    """Connect or disconnect the handlers that update the search indexes on every save of a
    page: Wagtail's search index and reference index (the editor's "used in" counts), and
    dearly.retrieval's words and vectors. The test run starts with them off
    (dearly/conftest.py)."""
    signal = "connect" if on else "disconnect"
    for model in search_index.get_indexed_models():
        if getattr(model, "search_auto_update", True):
            getattr(post_save, signal)(search_signals.post_save_signal_handler, sender=model)
            getattr(post_delete, signal)(search_signals.post_delete_signal_handler, sender=model)
    if on:
        connect_reference_index_signal_handlers()
    else:
        disconnect_reference_index_signal_handlers()
    retrieval_indexing.auto_update(on)


_indexes_wanted = [0]  # how many `search_indexes()` blocks are open


@contextlib.contextmanager
def search_indexes():
    """Saves inside update the search indexes, as on a running site."""
    _indexes_wanted[0] += 1
    connect_indexes(on=True)
    try:
        yield
    finally:
        _indexes_wanted[0] -= 1
        if not _indexes_wanted[0]:
            connect_indexes(on=False)


def make_site_tree():
    """Home (as the default site's root), /guides/ and /letters/."""
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        home = root.add_child(instance=HomePage(title="Dearly", slug="test-home"))
        Site.objects.update_or_create(
            is_default_site=True,
            defaults={"hostname": "localhost", "root_page": home, "site_name": "Dearly"},
        )
    guides = ArticleIndexPage.objects.first() or home.add_child(
        instance=ArticleIndexPage(title="Guides", slug="guides")
    )
    letters = ColumnIndexPage.objects.first() or home.add_child(
        instance=ColumnIndexPage(title="Dear Dr. Mimi", slug="letters")
    )
    return {"home": home, "guides": guides, "letters": letters}


def _publish(parent, page, live=True, topics=(), tags=()):
    if topics:
        page.topics = list(topics)
    if tags:
        page.tags.add(*tags)
    parent.add_child(instance=page)
    revision = page.save_revision()
    if live:
        revision.publish()
    else:
        page.live = False
        page.save(update_fields=["live"])
    return page


def make_article(parent, title=None, body=None, live=True, date=None, topics=(), tags=(), **kw):
    n = next(_counter)
    page = ArticlePage(
        title=title or f"Guide number {n}",
        slug=kw.pop("slug", f"guide-{n}"),
        intro=kw.pop("intro", "A short introduction."),
        body=body if body is not None else [("paragraph", "<p>Some helpful words.</p>")],
        date=date or timezone.now() - datetime.timedelta(days=n),
        **kw,
    )
    return _publish(parent, page, live, topics, tags)


def make_letter(
    parent,
    title=None,
    question=None,
    pen_name="Poor",
    answer=None,
    live=True,
    date=None,
    topics=(),
    tags=(),
    **kw,
):
    n = next(_counter)
    page = LetterPage(
        title=title or f"Dear Dr. Mimi – {pen_name} {n}",
        slug=kw.pop("slug", f"letter-{n}"),
        question=question or "<p>How do I ask for help at work?</p>",
        pen_name=pen_name,
        answer=answer or "<p>Ask early and ask plainly.</p>",
        date=date or timezone.now() - datetime.timedelta(days=n),
        **kw,
    )
    return _publish(parent, page, live, topics, tags)


def make_letter_update(letter, text=None, live=True, date=None, **kw):
    """A letter writer's update to `letter`, beside it in its column."""
    n = next(_counter)
    page = LetterUpdatePage(
        title=kw.pop("title", f"Update: {letter.title}"),
        slug=kw.pop("slug", f"update-{n}"),
        letter=letter,
        text=text or "<p>I asked for help, and it worked out.</p>",
        pen_name=kw.pop("pen_name", letter.pen_name),
        date=date or timezone.now(),
        **kw,
    )
    return _publish(letter.get_parent(), page, live)


def make_roundup(parent, letters, title=None, live=True, date=None, topics=(), tags=(), **kw):
    """A round-up of `letters`: [(pen name, question HTML, answer HTML)], in that order."""
    n = next(_counter)
    page = RoundupPage(
        title=title or f"Answers to readers {n}",
        slug=kw.pop("slug", f"roundup-{n}"),
        date=date or timezone.now() - datetime.timedelta(days=n),
        **kw,
    )
    page.letters = [
        RoundupLetter(pen_name=pen_name, question=question, answer=answer)
        for pen_name, question, answer in letters
    ]
    return _publish(parent, page, live, topics, tags)


def make_topic(name, parent=None):
    return Topic.objects.create(name=name, slug=f"{name.lower().replace(' ', '-')}", parent=parent)


# Browser-test helpers (Playwright pages).

REPO = pathlib.Path(__file__).resolve().parent.parent
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# pytest-playwright empties test-results/ when a session starts: the shots are from the last run.
SCREENSHOTS = REPO / "test-results" / "screenshots"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def visit(page, base, path):
    response = page.goto(base + path)
    assert response is not None
    assert response.status == 200, f"{path} answered {response.status}"
    return response


def screenshot(page, name, size):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}-{size['width']}.png", full_page=True)


def log_in_to_the_admin(page, base, user, password):
    """Log `user` (a superuser or editor; their email is marked verified) in through the one
    login page, as a browser would, and land on the admin's dashboard."""
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"primary": True, "verified": True}
    )
    page.goto(f"{base}/accounts/login/?next=/admin/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/admin/")


# Wagtail's admin scrolls inside <main> (the window does not) and hides what overflows it
# sideways: a table too wide is cut off there, not scrolled to. Its editor's minimap and side
# panels (status, preview, comments) wait off-screen on purpose until opened.
_ADMIN_OVERFLOW = """([root, ignore]) => {
  const found = [];
  for (const el of document.querySelector(root).querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width > 1 && box.right > window.innerWidth + 1 && !(ignore && el.closest(ignore))) {
      found.push(`${el.tagName.toLowerCase()}.${el.className} ends at ${Math.round(box.right)}`);
    }
  }
  return found;
}"""


def admin_overflow(page, root="main", ignore=".w-minimap, .form-side"):
    """What in an admin page (or in its element `root`) reaches past the window's right edge,
    and is cut off there."""
    return page.evaluate(_ADMIN_OVERFLOW, [root, ignore])


def admin_screenshot(page, name, size):
    """The whole of an admin page: the window made as tall as <main>'s content for the shot."""
    height = page.evaluate("document.querySelector('main').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": max(height, size["height"])})
    screenshot(page, name, size)
    page.set_viewport_size(size)


def serious_axe_violations(page):
    """axe-core's serious and critical WCAG findings on the loaded page: (id, impact, targets)."""
    if not AXE_JS.exists():
        pytest.skip(f"axe-core not installed ({AXE_JS} missing; run npm ci)")
    page.evaluate(AXE_JS.read_text())
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
