"""Related posts: other public guides and letters ranked by shared topics and tags and by how
alike their words are. A fixed number of queries, however many candidates exist."""

import re

from django.db.models import Count

from dearly.core.invalidation import CONTENT, cached, thread, token

from .listing import load_posts
from .models import PostPage, PostPageTag

WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
STOPWORDS = frozenset(
    "about after again also because been being between could dear does doing down during each "
    "from have having here into just more most other over same should some such than that "
    "their them then there these they this those through very what when where which while who "
    "whom will with would your yours you and the for are but not can our out all any how too "
    "was were has had its it's his her him she".split()
)
CANDIDATES = 40
SIMILAR = 10


def words(text):
    return {w for w in WORD.findall(text.lower()) if w not in STOPWORDS}


def related_posts(page, limit=6):
    # "id", not "pk": a preview's page holds its topics in a modelcluster FakeQuerySet.
    topic_ids = list(page.topics.values_list("id", flat=True))
    tag_ids = list(page.tagged_items.values_list("tag_id", flat=True))
    through = PostPage.topics.through
    by_topic = dict(
        through.objects.filter(topic_id__in=topic_ids)
        .exclude(postpage_id=page.pk)
        .values_list("postpage_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "-postpage_id")[:CANDIDATES]
    )
    by_tag = dict(
        PostPageTag.objects.filter(tag_id__in=tag_ids)
        .exclude(content_object_id=page.pk)
        .values_list("content_object_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "-content_object_id")[:CANDIDATES]
    )
    # Recent posts keep the block full on a page that shares nothing with the rest.
    recent = list(
        PostPage.objects.published()
        .exclude(pk=page.pk)
        .newest_first()
        .values_list("pk", flat=True)[: limit * 2]
    )
    # Posts whose words match this one's title, from the full-text index.
    title_words = sorted(words(page.title))[:10]
    similar = []
    if title_words:
        results = (
            PostPage.objects.published()
            .exclude(pk=page.pk)
            .search(" ".join(title_words), operator="or")
        )
        similar = [post.pk for post in results[:SIMILAR]]
    published = set(
        PostPage.objects.published()
        .filter(pk__in=set(by_topic) | set(by_tag) | set(recent) | set(similar))
        .values_list("pk", flat=True)
    )
    candidates = load_posts(sorted(published))
    own_words = words(f"{page.title} {page.summary}")

    def score(post):
        theirs = words(f"{post.title} {post.summary}")
        similarity = len(own_words & theirs) / (len(own_words | theirs) or 1)  # Jaccard
        return (
            3 * by_topic.get(post.pk, 0)
            + 2 * by_tag.get(post.pk, 0)
            + 3 * similarity
            + (0.1 if post.kind == page.kind else 0)  # a tie-breaker only
        )

    candidates.sort(key=lambda post: (score(post), post.date), reverse=True)
    return candidates[:limit]


def related_ids(request, page, limit=6):
    """The ids of `page`'s related posts, kept in the cache under the content's versions: which
    posts are related changes only with published content, not with their comment counts."""
    return cached(
        request,
        f"related-ids:{page.pk}:{limit}",
        CONTENT,
        lambda: [post.pk for post in related_posts(page, limit)],
    )


def related_versions(request, ids):
    """One string that changes when a comment on any of `ids` changes (their counts show)."""
    return token(request, *(thread(pk) for pk in ids))
