"""Related posts: other public guides and letters ranked by meaning (the retrieval layer's
vectors), shared topics and shared tags.

They are worked out when a post is indexed after it is published (`store_related`, on
dearly.retrieval's `documents_indexed`), kept in `RelatedPosts`, and only read when a page is
shown: a fixed number of queries, however many posts exist. A post not worked out yet (a
preview, a task still queued) has them worked out on the spot, the same way.
"""

from django.db.models import Count

from dearly.core.invalidation import CONTENT, cached, invalidate, page, thread, token
from dearly.retrieval import query

from .listing import load_posts
from .models import PostPage, PostPageTag, RelatedPosts

SHOWN = 6
# More are kept than shown, so that one unpublished later still leaves the block full.
STORED = 12
CANDIDATES = 40
# A newly indexed post's closest neighbours have their related posts worked out again too.
NEIGHBOURS_REFRESHED = 6
# A shared topic or tag counts this much against a cosine of 1.0 between the posts' meanings.
TOPIC_WEIGHT, TAG_WEIGHT, MEANING_WEIGHT = 1.0, 0.6, 4.0


def rank_related(post, neighbours, limit=STORED):
    """Ids of the public posts most related to `post`, best first. `neighbours`: [(id, cosine)]
    of the posts closest in meaning (query.neighbours)."""
    # "id", not "pk": a preview's page holds its topics in a modelcluster FakeQuerySet.
    topic_ids = list(post.topics.values_list("id", flat=True))
    tag_ids = list(post.tagged_items.values_list("tag_id", flat=True))
    through = PostPage.topics.through
    by_topic = dict(
        through.objects.filter(topic_id__in=topic_ids)
        .exclude(postpage_id=post.pk)
        .values_list("postpage_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "-postpage_id")[:CANDIDATES]
    )
    by_tag = dict(
        PostPageTag.objects.filter(tag_id__in=tag_ids)
        .exclude(content_object_id=post.pk)
        .values_list("content_object_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "-content_object_id")[:CANDIDATES]
    )
    meaning = {pk: score for pk, score in neighbours if pk != post.pk}
    candidates = set(by_topic) | set(by_tag) | set(meaning)
    dates = dict(PostPage.objects.published().filter(pk__in=candidates).values_list("pk", "date"))
    if len(dates) < limit:  # a post that shares nothing yet: the newest fill the block
        recent = PostPage.objects.published().exclude(pk=post.pk).newest_first()
        dates.update(recent.values_list("pk", "date")[:limit])

    def score(pk):
        return (
            TOPIC_WEIGHT * by_topic.get(pk, 0)
            + TAG_WEIGHT * by_tag.get(pk, 0)
            + MEANING_WEIGHT * max(meaning.get(pk, 0.0), 0.0)
        )

    return sorted(dates, key=lambda pk: (score(pk), dates[pk], pk), reverse=True)[:limit]


def store_related(page_ids):
    """Work out and keep the related posts of those of `page_ids` that are public posts."""
    posts = list(PostPage.objects.published().filter(pk__in=page_ids))
    neighbours = query.neighbours_many([post.pk for post in posts], limit=CANDIDATES)
    for post in posts:
        ids = rank_related(post, neighbours.get(post.pk, []))
        RelatedPosts.objects.update_or_create(page_id=post.pk, defaults={"ids": ids})
        invalidate(page(post.pk))


def on_indexed(sender, page_ids, **kwargs):
    """Pages whose words or meaning changed get their related posts worked out again, and so do
    their closest neighbours, whose lists a new post most likely joins."""
    affected = set(page_ids)
    for ranked in query.neighbours_many(page_ids, limit=NEIGHBOURS_REFRESHED).values():
        affected.update(pk for pk, _ in ranked)
    store_related(affected)


def related_posts(post, limit=SHOWN):
    """`post`'s related posts, loaded: stored, or worked out now (a preview, a new post)."""
    return load_posts(_shown(post, limit))


def _shown(post, limit):
    stored = RelatedPosts.objects.filter(page_id=post.pk).values_list("ids", flat=True).first()
    if stored is None:
        stored = rank_related(post, query.neighbours(post.pk, limit=CANDIDATES))
    public = set(PostPage.objects.published().filter(pk__in=stored).values_list("pk", flat=True))
    return [pk for pk in stored if pk in public][:limit]


def related_ids(request, post, limit=SHOWN):
    """The ids of `post`'s related posts, kept in the cache under the content's versions: which
    posts are related changes only with published content, not with their comment counts."""
    if getattr(request, "is_preview", False):
        return _shown(post, limit)
    return cached(request, f"related-ids:{post.pk}:{limit}", CONTENT, lambda: _shown(post, limit))


def related_versions(request, ids):
    """One string that changes when a comment on any of `ids` changes (their counts show)."""
    return token(request, *(thread(pk) for pk in ids))
