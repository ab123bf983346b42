"""Guides, letters and topics for templates outside `articles` (the home page, every post's
related posts, the site navigation), so that `core` never needs to import this app
(docs/architecture.md, "Layers")."""

from django import template

from dearly.core.invalidation import SITE, cached

from ..listing import attach_comment_counts, load_posts
from ..models import ArticlePage, LetterPage, Topic
from ..related import related_posts

register = template.Library()

LATEST = {"guides": ArticlePage, "letters": LetterPage}


@register.inclusion_tag("articles/includes/latest_posts.html")
def latest_posts(kind, count=6):
    """The newest `count` published guides or letters (`kind`), as a post list."""
    posts = LATEST[kind].objects.published().newest_first()[:count]
    return {"posts": attach_comment_counts(posts), "kind": kind}


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
