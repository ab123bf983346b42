"""The WordPress theme unit test export (../shared/testdata), imported and browsed: the counts
its README gives, the threads, the private posts, and every old URL."""

import re

from django.contrib.auth import get_user_model

from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page, PageViewRestriction, Revision

import pytest

from dearly.articles.models import PostPage, Topic
from dearly.comments.models import Comment
from dearly.core.models import StandardPage
from dearly.importer.models import ImportedObject
from dearly.importer.wxr import Term, iter_wxr

from .conftest import run_import

OLD = "https://wpthemetestdata.wordpress.com"
pytestmark = pytest.mark.django_db


def imported(kind, wp_id):
    row = ImportedObject.objects.get(kind=kind, key=str(wp_id))
    return Page.objects.get(pk=row.object_id).specific


def test_theme_export_arrives_as_its_readme_counts(site_tree, theme_export):
    users_before = get_user_model().objects.count()
    summary = run_import(theme_export)

    posts = [imported("post", row.key) for row in ImportedObject.objects.filter(kind="post")]
    assert len(posts) == 58
    assert sum(p.live for p in posts) == 56
    scheduled = [p for p in posts if p.go_live_at and not p.live]
    assert [p.title for p in scheduled] == ["Scheduled"]
    assert Revision.objects.filter(object_id=str(scheduled[0].pk)).get().approved_go_live_at
    drafts = [p for p in posts if not p.live and not p.go_live_at]
    assert [p.title for p in drafts] == ["Draft"]
    assert [p.title for p in posts if p.featured] == ["Template: Sticky"]

    pages = [imported("page", row.key) for row in ImportedObject.objects.filter(kind="page")]
    assert len(pages) == 21
    home = site_tree["home"]
    assert sum(p.depth > home.depth + 1 for p in pages) == 13
    assert max(p.depth for p in pages) == home.depth + 3
    level3 = imported("page", 172)
    assert [a.title for a in level3.get_ancestors()[2:]] == ["Level 1", "Level 2"]

    # Comments: 30 approved and public, 3 pending in the moderation queue; none of them lost.
    assert Comment.objects.approved().count() == 30
    assert Comment.objects.awaiting_moderation().count() == 3
    deepest = max(Comment.objects.all(), key=lambda c: c.depth)
    assert deepest.depth == 10
    chain, node = [], deepest
    while node is not None:
        chain.append(node)
        node = node.parent
    assert len(chain) == 10 and len({c.page_id for c in chain}) == 1
    kinds = Comment.objects.values_list("kind", flat=True)
    assert sorted(k for k in kinds if k != "comment") == ["pingback"] * 2 + ["trackback"] * 2

    declared = [t for t in iter_wxr(theme_export) if isinstance(t, Term)]
    categories = {t.slug for t in declared if t.taxonomy == "category"}
    tags = {t.slug for t in declared if t.taxonomy == "post_tag"}
    assert (len(categories), len(tags)) == (68, 110)
    topics = ImportedObject.objects.filter(kind="category", key__in=categories)
    assert topics.exclude(object_id=None).count() == 68
    assert Topic.objects.filter(parent__isnull=False).count() >= 10
    assert ImportedObject.objects.filter(kind="tag", key__in=tags).count() == 110
    assert ImportedObject.objects.filter(kind="author").count() == 2
    assert get_user_model().objects.count() == users_before + 2
    assert not any(
        u.has_usable_password() for u in get_user_model().objects.filter(posts__isnull=False)
    )

    protected = imported("post", 1168)
    assert protected.live
    assert PageViewRestriction.objects.get(page=protected).password == "enter"
    assert not PostPage.objects.published().filter(pk=protected.pk).exists()

    assert "nav_menu_item items: 70" in summary
    assert "guides: 58 created" in summary and "pages: 21 created" in summary
    assert "Letters detected: 0" in summary  # the theme data has no "Dear X –" posts


def test_rerun_updates_nothing_twice(site_tree, theme_export):
    run_import(theme_export)
    counts = [
        model.objects.count()
        for model in (Page, Comment, Topic, Redirect, ImportedObject, get_user_model())
    ]
    summary = run_import(theme_export)
    assert [
        model.objects.count()
        for model in (Page, Comment, Topic, Redirect, ImportedObject, get_user_model())
    ] == counts
    assert re.search(r"guides: 0 created, \d+ unchanged", summary)
    assert "pages: 0 created, 21 unchanged" in summary


@pytest.mark.search_indexes  # the import ends by indexing every page for search
def test_browsing_the_imported_site(client, site_tree, theme_export):
    run_import(theme_export)
    assert client.get("/").status_code == 200

    comments_post = imported("post", 1148)
    response = client.get(comments_post.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="comment-replies"') >= 4  # nested threads, shown 5 levels deep
    for comment in Comment.objects.all():
        for private in (comment.author_email, comment.ip_address):
            if private:
                assert private not in html

    found = client.get("/search/?q=pingbacks").content.decode()
    assert "Template: Pingbacks And Trackbacks" in found  # indexed at the end of the import

    pings = client.get(imported("post", 1149).url).content.decode()
    assert "(pingback)" in pings and "(trackback)" in pings

    level3 = imported("page", 172)
    assert isinstance(level3, StandardPage)
    assert client.get(level3.url).status_code == 200
    greek = imported("page", 1813)
    response = client.get(greek.url)
    assert response.status_code == 200
    assert "Επίπεδο 3" in response.content.decode()

    protected = imported("post", 1168)
    response = client.get(protected.url)
    assert response.status_code == 200
    assert "password" in response.content.decode().lower()
    assert "Template: Password Protected" not in client.get("/").content.decode()
    form = re.search(r'action="([^"]*authenticate_with_password[^"]*)"', response.content.decode())
    unlocked = client.post(
        form.group(1), {"password": "enter", "return_url": protected.url}, follow=True
    )
    assert unlocked.status_code == 200
    assert "Leave a Reply" in unlocked.content.decode()  # the post itself, not the form

    # Old addresses answer 301 with the new one (or the page itself, where it kept its path).
    assert client.get("/level-1/level-2/level-3/").status_code == 200
    old_greek = (
        "/greek/%ce%b5%cf%80%ce%af%cf%80%ce%b5%ce%b4%ce%bf-2/"
        + "%ce%b5%cf%80%ce%af%cf%80%ce%b5%ce%b4%ce%bf-3/"
    )
    for old, new in [("/2012/01/03/template-comments/", comments_post.url), (old_greek, greek.url)]:
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, new), old
    response = client.get("/?p=1148")
    assert (response.status_code, response["Location"]) == (301, comments_post.url)
    response = client.get("/?page_id=172")
    assert (response.status_code, response["Location"]) == (301, level3.url)
    topic = Topic.objects.get(slug="child-2")
    response = client.get("/category/parent/child-1/child-2/")
    assert (response.status_code, response["Location"]) == (301, topic.get_absolute_url())
    response = client.get(response["Location"])
    assert response.status_code == 200


def test_the_about_page_of_a_column_already_here_keeps_about_and_the_summary_says_so(
    client, site_tree, theme_export
):
    # The demo has an About page at /about/, as the theme data does (with children).
    ours = site_tree["home"].add_child(instance=StandardPage(title="About Dr. Mimi", slug="about"))
    summary = run_import(theme_export)
    theirs = imported("page", 2)
    assert theirs.url == "/about-2/"
    assert (
        "  - /about/: the page “About Dr. Mimi” keeps it; the imported “About The Tests” is at "
        "/about-2/"
    ) in summary
    response = client.get("/about/")
    assert response.status_code == 200 and "About Dr. Mimi" in response.content.decode()
    assert not Redirect.objects.filter(old_path="/about").exists()
    child = imported("page", 155)  # "Page with comments", under their About
    response = client.get("/about/page-with-comments/")
    assert (response.status_code, response["Location"]) == (301, child.url)
    assert child.get_parent().pk == theirs.pk != ours.pk
