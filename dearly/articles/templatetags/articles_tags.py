"""Guides, letters and topics for templates outside `articles` (the home page, every post's
related posts, the site navigation), so that `core` never needs to import this app
(docs/architecture.md, "Layers")."""

from django import template

from dearly.core.invalidation import SITE, cached

from .. import navigation
from .. import sidebar as side
from ..listing import load_posts
from ..models import ArticlePage, LetterPage, PostPage, RoundupPage, Topic
from ..related import related_posts

register = template.Library()

LATEST = {"guides": (ArticlePage,), "letters": (LetterPage, RoundupPage)}


@register.inclusion_tag("articles/includes/latest_posts.html", takes_context=True)
def latest_posts(context, kind, count=6):
    """The newest `count` published guides, or letters and round-ups of letters (`kind`), as a
    post list."""
    newest = PostPage.objects.published().type(*LATEST[kind]).newest_first()
    posts = load_posts(list(newest.values_list("pk", flat=True)[:count]))
    return {"posts": posts, "kind": kind, "request": context.get("request")}


@register.simple_tag
def related_for(page, ids=None):
    """`page`'s related posts: those of `ids` (found by related_ids), or worked out now."""
    return related_posts(page) if ids is None else load_posts(ids)


@register.simple_tag(takes_context=True)
def nav_topics(context):
    """Top-level topics for the site navigation, from the fragment cache until the site changes."""
    return cached(
        context.get("request"),
        "nav-topics",
        (SITE,),
        lambda: list(Topic.objects.filter(parent__isnull=True).only("name", "slug")[:8]),
    )


@register.simple_tag(takes_context=True)
def sections(context):
    """{"letters": {"url", "label"}, "guides": {…}}: the archives the header links to."""
    return navigation.section_links(context.get("request"))


@register.simple_tag(takes_context=True)
def post_url(context, post):
    """Where a listed post links: its page, or for a round-up's letter found by search, that
    letter's anchor in it ("/letters/five-answers/#letter-2")."""
    url = post.get_url(context.get("request"))
    return f"{url}#{post.anchor}" if url and post.anchor else url


@register.simple_tag(takes_context=True)
def section_url(context, post):
    """The archive a post is listed in (its parent's address), without a query."""
    return navigation.parent_url(post.get_url(context.get("request")))


@register.simple_tag(takes_context=True)
def post_breadcrumbs(context, page):
    return navigation.breadcrumbs(page, context.get("request"))


@register.filter
def breadcrumb_ld(crumbs):
    return navigation.breadcrumb_list(crumbs)


@register.simple_tag(takes_context=True)
def page_links(context, posts, query=None):
    request = context.get("request")
    return navigation.page_links(posts, request.path if request else "", query)


@register.simple_tag(takes_context=True)
def sidebar(context):
    """The sidebar (dearly.articles.sidebar): the same HTML for every reader, from the cache."""
    return side.sidebar_html(context.get("request"))
