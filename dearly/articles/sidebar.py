"""The sidebar beside the reading column: about the columnist, the ask and subscribe calls, the most
discussed letters and the topics. The same for every reader, so it is rendered once and kept in
the fragment cache until the site or its pages change, and for an hour at most (the comment
counts behind "most discussed" move with every comment and are not worth a refresh each time)."""

from django.db.models import Count
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from wagtail.models import Site

from dearly.comments.models import Comment
from dearly.core.cached import column_settings
from dearly.core.invalidation import CONTENT, cached

from .models import LetterPage, PostPage, RoundupPage, Topic

POPULAR_SHOWN = 5
# Counted over every approved comment (one grouped scan of the comments' page index), so kept
# for an hour rather than per content version; more than shown, for letters unpublished since.
POPULAR_CANDIDATES = 20
REFRESH = 3600
TOPICS_SHOWN = 30


def most_discussed():
    """[(page id, approved comments)] of the most commented pages, most first."""
    rows = (
        Comment.objects.approved()
        .values_list("page_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "-page_id")[:POPULAR_CANDIDATES]
    )
    return [(page_id, n) for page_id, n in rows]


def popular_letters(request, shown=POPULAR_SHOWN):
    """The published letters (and round-ups of letters) with the most approved comments:
    [(letter, count)]."""
    counts = cached(request, "most-discussed", (), most_discussed, timeout=REFRESH)
    ids = [pk for pk, _ in counts]
    letters = PostPage.objects.published().type(LetterPage, RoundupPage).filter(pk__in=ids)
    letters = letters.only("title", "url_path", "path")
    found = {letter.pk: letter for letter in letters}
    return [(found[pk], n) for pk, n in counts if pk in found][:shown]


def topic_tree():
    """[(topic, [subtopics])] in name order, top-level topics first."""
    topics = list(Topic.objects.only("name", "slug", "parent_id").order_by("name")[:TOPICS_SHOWN])
    known = {topic.pk for topic in topics}
    children = {}
    for topic in topics:
        if topic.parent_id in known:
            children.setdefault(topic.parent_id, []).append(topic)
    return [(t, children.get(t.pk, [])) for t in topics if t.parent_id not in known]


def sidebar_html(request):
    site = Site.find_for_request(request) if request is not None else None

    def build():
        context = {
            "column": column_settings(request),
            "popular": popular_letters(request),
            "topics": topic_tree(),
        }
        return render_to_string("articles/includes/sidebar.html", context, request=request)

    html = cached(request, f"sidebar:{getattr(site, 'pk', 0)}", CONTENT, build, timeout=REFRESH)
    return mark_safe(html)  # noqa: S308  # rendered by the template above, escaped there
