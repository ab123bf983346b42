"""Which pages are private, in a query that stays small however many pages are restricted.

Wagtail's `PageQuerySet.private_q()` ORs one `path LIKE 'restricted%' AND depth >= n` per
PageViewRestriction. A Ghost or Substack column moved in with a thousand members-only posts has
a thousand restrictions, and SQLite then refuses every listing, feed, sitemap and search that
asks for public pages ("Expression tree is too large (maximum depth 1000)"); PostgreSQL plans
and runs a thousand-way OR on every such query.

Most restricted pages are posts without children. So: a restricted page is private (one
subquery on the restrictions' page ids), and so is everything under a restricted page that has
children (one `path LIKE` each, for those few sections only, nested ones left out). The same
pages as Wagtail's, with a query whose size no longer grows with the posts restricted.
"""

from django.db.models import Q

from wagtail.models import PageViewRestriction
from wagtail.query import PageQuerySet


def private_q(queryset=None):
    """Q for the pages that are restricted, or under a restricted page."""
    restricted = PageViewRestriction.objects.values("page_id")
    sections = sorted(
        PageViewRestriction.objects.filter(page__numchild__gt=0)
        .values_list("page__path", flat=True)
        .distinct()
    )
    q = Q(pk__in=restricted)
    outermost = []
    for path in sections:  # sorted: a section's ancestors come before it
        if not any(path.startswith(outer) for outer in outermost):
            outermost.append(path)
    for path in outermost:
        q |= Q(path__startswith=path)
    return q


# Wagtail's own, kept for the tests that check both select the same pages.
wagtail_private_q = PageQuerySet.private_q


def install():
    """Make every PageQuerySet's public()/not_public()/private() use `private_q` (the pages
    Wagtail itself lists too: sitemaps, its search, the page chooser)."""
    PageQuerySet.private_q = private_q
