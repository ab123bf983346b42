"""The invalidation layer (dearly.core.invalidation): tags, their versions in the shared store,
fragments keyed by them, and the rules core registers for Wagtail's and its own models."""

from types import SimpleNamespace

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from wagtail.models import PageViewRestriction, Site

import pytest

from dearly.core import invalidation
from dearly.core.invalidation import CONTENT, PAGES, PERMISSIONS, SITE, cached, page, token
from dearly.core.invalidation.store import StoreError, get_store
from dearly.core.models import ColumnSettings
from dearly.testing import make_article

pytestmark = pytest.mark.django_db


def versions(*tags):
    """The token of each tag on its own, read afresh (no request: nothing remembered)."""
    return {tag: token(None, tag) for tag in tags}


def changed(before, *tags):
    now = versions(*before)
    return {tag for tag in before if now[tag] != before[tag]}


def test_a_fragment_is_kept_until_one_of_its_tags_is_bumped():
    built = []

    def build():
        built.append(1)
        return f"rendering {len(built)}"

    assert cached(None, "probe", (SITE,), build) == "rendering 1"
    assert cached(None, "probe", (SITE,), build) == "rendering 1"
    invalidation.invalidate(PERMISSIONS)  # another tag: still the same
    assert cached(None, "probe", (SITE,), build) == "rendering 1"
    invalidation.invalidate(SITE)
    assert cached(None, "probe", (SITE,), build) == "rendering 2"
    invalidation.invalidate_everything()
    assert cached(None, "probe", (SITE,), build) == "rendering 3"


def test_a_request_reads_each_token_once_and_sees_a_bump_on_its_next_request():
    request = SimpleNamespace()
    first = token(request, *CONTENT)
    invalidation.invalidate(PAGES)
    assert token(request, *CONTENT) == first  # one request renders from one set of versions
    assert token(SimpleNamespace(), *CONTENT) != first


def test_a_bump_inside_a_transaction_is_made_again_after_the_commit(
    django_capture_on_commit_callbacks,
):
    """A fragment rendered from the old rows between the first bump and the commit must not be
    kept under the new version."""
    before = versions(SITE)
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        invalidation.invalidate(SITE)
    assert changed(before, SITE) == {SITE}
    between = versions(SITE)
    for callback in callbacks:
        callback()
    assert changed(between, SITE) == {SITE}


def test_batched_bumps_are_made_once_at_the_end():
    store = get_store()
    start = store.generation()
    with invalidation.batched():
        for n in range(50):
            invalidation.invalidate(page(n), PAGES)
        assert store.generation() == start  # nothing yet
    assert store.generation() == start + 1
    assert store.newest_version([page(7)]) == start + 1


def test_an_unreadable_store_caches_nothing_and_the_page_still_answers(
    client, site_tree, monkeypatch
):
    make_article(site_tree["guides"], title="Asking for a raise", slug="raise")
    store = get_store()

    def away(*args, **kwargs):
        raise StoreError("the store is away")

    monkeypatch.setattr(store, "generation", away)
    built = []
    assert token(None, SITE) is None
    cached(None, "probe", (SITE,), lambda: built.append(1))
    cached(None, "probe", (SITE,), lambda: built.append(1))
    assert built == [1, 1]
    response = client.get("/guides/raise/")
    assert response.status_code == 200 and "Asking for a raise" in response.content.decode()


def test_previews_and_unreadable_tokens_get_keys_no_other_request_has():
    readers = invalidation.for_templates(SimpleNamespace(), content="7", related="9")
    assert readers == {"content": "7", "related": "9", "timeout": invalidation.TIMEOUT}
    preview = invalidation.for_templates(SimpleNamespace(is_preview=True), content="7")
    again = invalidation.for_templates(SimpleNamespace(is_preview=True), content="7")
    assert preview["timeout"] == 0 and preview["content"] not in ("7", again["content"])
    unreadable = invalidation.for_templates(SimpleNamespace(), content=None, related="9")
    assert unreadable["timeout"] == 0


# Core's rules: what each change bumps.


def test_publishing_moving_and_deleting_a_page_bump_it_and_the_page_list(site_tree):
    guide = make_article(site_tree["guides"], title="Raise", slug="raise")
    before = versions(page(guide.pk), PAGES, SITE)
    guide.save_revision().publish()
    assert changed(before, page(guide.pk), PAGES, SITE) == {page(guide.pk), PAGES}
    before = versions(page(guide.pk), PAGES)
    guide.move(site_tree["letters"], pos="last-child")
    assert changed(before, page(guide.pk), PAGES) == {page(guide.pk), PAGES}
    before = versions(page(guide.pk), PAGES)
    guide.delete()
    assert changed(before, page(guide.pk), PAGES) == {page(guide.pk), PAGES}


def test_saving_a_draft_of_a_live_page_changes_nothing_readers_see(site_tree):
    """Wagtail's editor autosaves every 500 ms: a draft must not empty every cache each time."""
    guide = make_article(site_tree["guides"], title="Raise", slug="raise")
    before = versions(page(guide.pk), PAGES, SITE)
    guide.title = "Raise (draft)"
    guide.save_revision()
    guide.refresh_from_db()
    guide.locked = True
    guide.save(update_fields=["locked"])
    assert changed(before, page(guide.pk), PAGES, SITE) == set()


def test_a_live_page_saved_directly_is_refreshed(site_tree):
    guide = make_article(site_tree["guides"], title="Raise", slug="raise")
    before = versions(page(guide.pk), PAGES)
    guide.title = "Raise, changed by a script"
    guide.save()
    assert changed(before, page(guide.pk), PAGES) == {page(guide.pk), PAGES}


def test_view_restrictions_bump_their_page(site_tree):
    guide = make_article(site_tree["guides"], title="Raise", slug="raise")
    before = versions(page(guide.pk), PAGES)
    restriction = PageViewRestriction.objects.create(
        page=guide, restriction_type="password", password="secret"
    )
    assert changed(before, page(guide.pk), PAGES) == {page(guide.pk), PAGES}
    before = versions(page(guide.pk))
    restriction.delete()
    assert changed(before, page(guide.pk)) == {page(guide.pk)}


def test_site_settings_bump_the_site_tag_but_making_the_defaults_does_not(site_tree):
    site = Site.objects.get(is_default_site=True)
    before = versions(SITE)
    settings = ColumnSettings.for_site(site)  # made with the defaults on first use
    assert changed(before, SITE) == set()
    settings.columnist_name = "Dr. Rosa"
    settings.save()
    assert changed(before, SITE) == {SITE}
    before = versions(SITE)
    site.site_name = "Dear Rosa"
    site.save()
    assert changed(before, SITE) == {SITE}


def test_groups_and_permissions_bump_the_permissions_tag(django_user_model):
    editor = django_user_model.objects.create_user("ed", "ed@example.com", "pw")
    before = versions(PERMISSIONS, SITE)
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    assert changed(before, PERMISSIONS, SITE) == {PERMISSIONS}
    before = versions(PERMISSIONS)
    group = Group.objects.create(name="Helpers")
    assert changed(before, PERMISSIONS) == {PERMISSIONS}
    before = versions(PERMISSIONS)
    editor.groups.add(group)
    assert changed(before, PERMISSIONS) == {PERMISSIONS}


def test_a_request_reads_the_generation_once_until_this_process_bumps(monkeypatch):
    """With Redis every read of the generation is a GET: a page asks for some ten tag sets."""
    store = get_store()
    reads = []
    generation = store.generation

    def counted():
        reads.append(1)
        return generation()

    monkeypatch.setattr(store, "generation", counted)
    request = SimpleNamespace()
    token(request, PERMISSIONS)
    token(request, SITE)
    token(request, *CONTENT)
    assert len(reads) == 1
    before = token(None, page(1))
    invalidation.invalidate(page(1))  # this request changed something: it must see it
    reads.clear()
    assert token(request, page(1)) != before
    assert len(reads) == 1


def test_one_bump_of_many_tags_moves_every_one_of_them():
    """An import bumps a tag per page, 100,000 at once: all of them move, in one write."""
    store = get_store()
    tags = [page(n) for n in range(1, 20_001)]
    before = store.newest_version(tags[:1])
    generation = store.bump(tags)
    assert generation > before
    for tag in (tags[0], tags[9_999], tags[-1]):
        assert store.newest_version([tag]) == generation
