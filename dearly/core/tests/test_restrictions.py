"""Private pages in a query that stays small: a column with a thousand members-only posts (a
Ghost or Substack move) still lists, feeds and searches its public pages, on SQLite too."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import Page, PageViewRestriction

import pytest

from dearly.articles.models import PostPage
from dearly.core.models import StandardPage
from dearly.core.restrictions import private_q, wagtail_private_q
from dearly.testing import make_article

pytestmark = pytest.mark.django_db


def page(parent, title):
    return parent.add_child(instance=StandardPage(title=title, slug=title.lower()))


def restrict(*pages):
    PageViewRestriction.objects.bulk_create(
        PageViewRestriction(page=p, restriction_type=PageViewRestriction.LOGIN) for p in pages
    )


def test_the_same_pages_as_wagtails_own_query(site_tree):
    home = site_tree["home"]
    section = page(home, "Members")  # restricted, with pages under it
    inner = page(section, "Inner")
    nested = page(inner, "Nested")  # restricted inside a restricted section
    deep = page(nested, "Deep")
    leaf = page(home, "Leaf")  # restricted, no children
    later = page(home, "Later")  # restricted as a leaf, given a child afterwards
    open_page = page(home, "Open")
    restrict(section, nested, leaf, later)
    child_of_later = page(Page.objects.get(pk=later.pk), "Child")
    everything = Page.objects.all()
    ours = set(everything.filter(private_q()).values_list("pk", flat=True))
    theirs = set(everything.filter(wagtail_private_q(everything)).values_list("pk", flat=True))
    assert ours == theirs
    assert ours == {p.pk for p in (section, inner, nested, deep, leaf, later, child_of_later)}
    assert open_page.pk in set(Page.objects.public().values_list("pk", flat=True))
    assert not set(Page.objects.public().values_list("pk", flat=True)) & ours


def test_without_restrictions_nothing_is_private(site_tree):
    assert not Page.objects.filter(private_q()).exists()
    assert Page.objects.public().count() == Page.objects.count()


def test_a_thousand_members_only_posts_leave_the_public_query_small(site_tree):
    guides = site_tree["guides"]
    shown = make_article(guides, title="For everyone")
    hidden = [page(site_tree["home"], f"Members{n}") for n in range(1100)]
    restrict(*hidden)
    with CaptureQueriesContext(connection) as ctx:
        published = list(PostPage.objects.published().values_list("pk", flat=True))
    assert published == [shown.pk]  # Wagtail's own query: "Expression tree is too large"
    assert max(len(q["sql"]) for q in ctx.captured_queries) < 2000
    assert Page.objects.not_public().count() == 1100
