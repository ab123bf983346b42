"""Related posts: other public guides and letters ranked by meaning (the retrieval layer's
vectors), shared topics and shared tags.

They are worked out when a post is indexed after it is published (`store_related`, on
dearly.retrieval's `documents_indexed`), kept in `RelatedPosts`, and only read when a page is
shown: a fixed number of queries, however many posts exist. A post not worked out yet (a
preview, a task still queued) has them worked out on the spot, the same way.
"""

from django.db.models import Count

from dearly.core.ids import among
from dearly.core.invalidation import CONTENT, cached, invalidate, page, thread, token
from dearly.retrieval import query

from .listing import load_posts
from .models import LetterPage, LetterUpdatePage, PostPage, PostPageTag, RelatedPosts

SHOWN = 6
# More are kept than shown, so that one unpublished later still leaves the block full.
STORED = 12
# The posts closest in meaning are the candidates, and shared topics and tags reorder them. A
# post with no vector yet (no model) takes as candidates the posts sharing most of its topics.
CANDIDATES = 100
BY_WORDS = 40
# A newly indexed post's closest neighbours have their related posts worked out again too.
NEIGHBOURS_REFRESHED = 6
# A shared topic or tag counts this much against a cosine of 1.0 between the posts' meanings.
TOPIC_WEIGHT, TAG_WEIGHT, MEANING_WEIGHT = 1.0, 0.6, 4.0
# Posts worked out together: one matrix product and a few queries for each batch.
BATCH = 256


def rank_related(post, neighbours, limit=STORED):
    """Ids of the public posts most related to `post`, best first. `neighbours`: [(id, cosine)]
    of the posts closest in meaning (query.neighbours)."""
    # "id", not "pk": a preview's page holds its topics in a modelcluster FakeQuerySet.
    topic_ids = set(post.topics.values_list("id", flat=True))
    tag_ids = set(post.tagged_items.values_list("tag_id", flat=True))
    return _rank({post.pk: (topic_ids, tag_ids, neighbours)}, limit)[post.pk]


def _rank(wanted, limit):
    """{post id: (its topic ids, its tag ids, its neighbours)} -> {post id: [related ids]}, with
    a fixed number of queries for the whole batch."""
    meaning = {
        pk: {other: score for other, score in ranked if other != pk}
        for pk, (_, _, ranked) in wanted.items()
    }
    for pk, (topic_ids, tag_ids, _) in wanted.items():
        if not meaning[pk]:
            meaning[pk] = dict.fromkeys(_sharing(pk, topic_ids, tag_ids), 0.0)
    candidates = set().union(*meaning.values())
    published = PostPage.objects.published()
    dates = dict(published.filter(pk__in=among(candidates)).values_list("pk", "date"))
    topics_of = _sets(PostPage.topics.through, "postpage_id", "topic_id", dates)
    tags_of = _sets(PostPageTag, "content_object_id", "tag_id", dates)
    newest = None
    related = {}
    for pk, (topic_ids, tag_ids, _) in wanted.items():
        near = meaning[pk]
        chosen = {other: dates[other] for other in near if other in dates}
        if len(chosen) < limit:  # a post that shares nothing yet: the newest fill the block
            if newest is None:
                newest = list(published.newest_first().values_list("pk", "date")[: limit + 1])
            chosen.update((other, date) for other, date in newest if other != pk)

        def score(other, near=near, topic_ids=topic_ids, tag_ids=tag_ids):
            return (
                TOPIC_WEIGHT * len(topic_ids & topics_of.get(other, set()))
                + TAG_WEIGHT * len(tag_ids & tags_of.get(other, set()))
                + MEANING_WEIGHT * max(near.get(other, 0.0), 0.0)
            )

        ranked = sorted(
            chosen, key=lambda other: (score(other), chosen[other], other), reverse=True
        )
        related[pk] = ranked[:limit]
    return related


def _sharing(pk, topic_ids, tag_ids):
    """Posts sharing most of these topics, then tags (for a post with no vector)."""
    by_topic = (
        PostPage.topics.through.objects.filter(topic_id__in=topic_ids)
        .exclude(postpage_id=pk)
        .values_list("postpage_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "-postpage_id")[:BY_WORDS]
    )
    by_tag = (
        PostPageTag.objects.filter(tag_id__in=tag_ids)
        .exclude(content_object_id=pk)
        .values_list("content_object_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "-content_object_id")[:BY_WORDS]
    )
    return [other for other, _ in (*by_topic, *by_tag)]


def _sets(through, owner, target, owners):
    found = {}
    rows = through.objects.filter(**{f"{owner}__in": among(owners)}).values_list(owner, target)
    for owner_id, target_id in rows:
        found.setdefault(owner_id, set()).add(target_id)
    return found


def store_related(page_ids, neighbours=None):
    """Work out and keep the related posts of those of `page_ids` that are public posts, a batch
    at a time. `neighbours`: {id: [(id, cosine)]} already found for some of them."""
    page_ids = sorted(page_ids)
    for start in range(0, len(page_ids), BATCH):
        batch = page_ids[start : start + BATCH]
        posts = set(PostPage.objects.published().filter(pk__in=batch).values_list("pk", flat=True))
        known = {pk: neighbours[pk] for pk in posts if neighbours and pk in neighbours}
        known.update(query.neighbours_many(sorted(posts - set(known)), limit=CANDIDATES))
        topics_of = _sets(PostPage.topics.through, "postpage_id", "topic_id", posts)
        tags_of = _sets(PostPageTag, "content_object_id", "tag_id", posts)
        wanted = {
            pk: (topics_of.get(pk, set()), tags_of.get(pk, set()), known.get(pk, []))
            for pk in posts
        }
        rows = [RelatedPosts(page_id=pk, ids=ids) for pk, ids in _rank(wanted, STORED).items()]
        RelatedPosts.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["page"], update_fields=["ids", "updated_at"]
        )
        invalidate(*(page(pk) for pk in sorted(posts)))


def on_indexed(sender, page_ids, **kwargs):
    """Pages whose words or meaning changed get their related posts worked out again, and so do
    their closest neighbours, whose lists a new post most likely joins. A batch at a time: a
    100,000-post import sends every page at once."""
    page_ids = sorted(set(page_ids))
    affected = set()
    for start in range(0, len(page_ids), BATCH):
        batch = page_ids[start : start + BATCH]
        neighbours = query.neighbours_many(batch, limit=CANDIDATES)
        for ranked in neighbours.values():
            affected.update(pk for pk, _ in ranked[:NEIGHBOURS_REFRESHED])
        store_related(batch, neighbours)
    store_related(affected - set(page_ids))


def related_posts(post, limit=SHOWN):
    """`post`'s related posts, loaded: stored, or worked out now (a preview, a new post)."""
    return load_posts(_shown(post, limit))


def _shown(post, limit):
    stored = RelatedPosts.objects.filter(page_id=post.pk).values_list("ids", flat=True).first()
    if stored is None:
        stored = rank_related(post, query.neighbours(post.pk, limit=CANDIDATES))
    public = PostPage.objects.published().filter(pk__in=stored).exclude(pk__in=_linked(post))
    public = set(public.values_list("pk", flat=True))
    return [pk for pk in stored if pk in public][:limit]


def _linked(post):
    """Posts the page already links to in a block of its own, not shown again as related: a
    letter's updates from its writer (listed under it), an update's letter (one subquery)."""
    if isinstance(post, LetterUpdatePage):
        return [post.letter_id] if post.letter_id else []
    if isinstance(post, LetterPage):
        return LetterUpdatePage.objects.filter(letter_id=post.pk).values("pk")
    return []


def related_ids(request, post, limit=SHOWN):
    """The ids of `post`'s related posts, kept in the cache under the content's versions: which
    posts are related changes only with published content, not with their comment counts."""
    if getattr(request, "is_preview", False):
        return _shown(post, limit)
    return cached(request, f"related-ids:{post.pk}:{limit}", CONTENT, lambda: _shown(post, limit))


def related_versions(request, ids):
    """One string that changes when a comment on any of `ids` changes (their counts show)."""
    return token(request, *(thread(pk) for pk in ids))
