"""Listing helpers: pagination that never fails on a bad ?page=, and loading guides, letters and
round-ups with a fixed number of queries however many are shown."""

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Count

from dearly.comments.models import Comment
from dearly.core.invalidation import depends_on_posts, query_read
from dearly.retrieval.models import Key

from .models import ArticlePage, LetterPage, LetterUpdatePage, RoundupPage

PER_PAGE = 12


def paginate(request, queryset, per_page=PER_PAGE):
    """The requested page of `queryset` as specific pages; `?page=abc`, `-1` or `99999` fall back
    to the nearest real page (Django's `get_page`), never to an error."""
    if hasattr(queryset, "only"):  # a QuerySet; search results come as a list of Keys
        queryset = queryset.only("pk")
    wanted = request.GET.get("page")
    page = Paginator(queryset, per_page).get_page(wanted)
    if wanted == str(page.number):
        query_read("page", wanted)  # other values show another page: never stored under them
    page.object_list = load_posts([getattr(p, "pk", p) for p in page.object_list])
    return page


def with_featured_images(queryset):
    """`queryset` with each post's featured image and its renditions loaded in two queries, not
    two per post (a no-op for a model without the field)."""
    if not any(f.name == "featured_image" for f in queryset.model._meta.get_fields()):
        return queryset
    return queryset.select_related("featured_image").prefetch_related("featured_image__renditions")


def load_posts(ids):
    """Specific guides, letters, writers' updates and round-ups for `ids` (page ids, or
    retrieval Keys: one with an anchor is a round-up's letter, shown on its own), in that order,
    with their authors, featured images and comment counts: always the same queries, whatever
    the number or mix, and two more (round-ups and their letters) only when a round-up is among
    them."""
    keys = [key if isinstance(key, Key) else Key(key) for key in ids]
    page_ids = {key.page_id for key in keys}
    found = {}
    for model in (ArticlePage, LetterPage, LetterUpdatePage):
        for post in with_featured_images(model.objects.filter(pk__in=page_ids)):
            found[post.pk] = post
    rest = page_ids - found.keys()
    if rest:
        roundups = with_featured_images(RoundupPage.objects.filter(pk__in=rest))
        for post in roundups.prefetch_related("letters"):
            found[post.pk] = post
    attach_authors(found.values())
    attach_comment_counts(found.values())
    posts = []
    for key in keys:
        post = found.get(key.page_id)
        if post is not None and key.anchor:
            post = post.found_letter(key.anchor) if isinstance(post, RoundupPage) else None
        if post is not None:
            posts.append(post)
    return posts


def attach_comment_counts(posts):
    """Set `comment_count` (approved comments) on each post from one query."""
    posts = list(posts)
    depends_on_posts(p.pk for p in posts)  # a comment must refresh every listing showing its count
    counts = dict(
        Comment.objects.approved()
        .filter(page_id__in=[p.pk for p in posts])
        .values_list("page_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for post in posts:
        post.comment_count = counts.get(post.pk, 0)
    return posts


def attach_authors(posts):
    """Fill each post's `author` from one query instead of one per post."""
    posts = list(posts)
    ids = {p.author_id for p in posts if p.author_id}
    users = get_user_model().objects.in_bulk(ids) if ids else {}
    for post in posts:
        if post.author_id:
            post.author = users.get(post.author_id)
    return posts
