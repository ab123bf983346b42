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
from modelsearch import index as search_index
from modelsearch import signal_handlers as search_signals

from dearly.articles.models import ArticleIndexPage, ArticlePage, ColumnIndexPage, LetterPage, Topic
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
