"""The cached comment threads and page fragments: every change shows on the very next request,
also in another worker process (a separate cache), and nothing of one reader reaches another."""

import re

from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest

from dearly.articles.models import Topic
from dearly.comments.models import Comment
from dearly.core.models import ColumnSettings
from dearly.testing import make_article, make_topic

from .helpers import make_comment, make_reader

pytestmark = pytest.mark.django_db


def worker(name):
    """A worker process of its own: the embedded default's fragment cache is per process."""
    backend = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": name}
    return override_settings(CACHES={**settings.CACHES, "fragments": backend})


@pytest.fixture
def topic(db):
    return make_topic("Career moves")


@pytest.fixture
def guide(site_tree, topic):
    return make_article(site_tree["guides"], title="Guide with a thread", topics=[topic])


@pytest.fixture
def reader(guide):
    person = make_reader("ann", display_name="Ann")
    make_comment(guide, person, "Ann was here first.")
    return person


def page(client, guide):
    response = client.get(guide.url)
    assert response.status_code == 200
    return response.content.decode()


def both_readers(reader):
    logged_in = Client()
    logged_in.force_login(reader)
    return {"logged out": Client(), "logged in": logged_in}


def warm(guide, reader):
    """Fill the caches of worker "b" for a logged-out and a logged-in reader."""
    with worker("b"):
        for client in both_readers(reader).values():
            page(client, guide)


def changes(guide, reader):
    """Each change, made in worker "a", and the text that must then show in worker "b"."""

    def approve():
        held = make_comment(guide, make_reader(), "Held then approved.", status="pending")
        with worker("a"):
            moderator = make_reader("mod", is_staff=True, is_superuser=True)
            client = Client()
            client.force_login(moderator)
            client.post("/admin/comments/bulk/", {"action": "approve", "ids": [held.pk]})
        return "Held then approved."

    def edit():
        own = Comment.objects.get(body="Ann was here first.")
        with worker("a"):
            client = Client()
            client.force_login(reader)
            client.post(f"/comments/{own.pk}/edit/", {"body": "Ann changed her mind."})
        return "Ann changed her mind."

    def post():
        with worker("a"):
            client = Client()
            client.force_login(reader)
            client.post(f"/comments/post/{guide.pk}/", {"body": "A brand new comment."})
        return "A brand new comment."

    def rename_commenter():
        reader.display_name = "Annabel"
        reader.save()
        return "<strong>Annabel</strong>"

    def publish():
        specific = guide.specific
        specific.title = "A retitled guide"
        specific.save_revision().publish()
        return "A retitled guide"

    def rename_topic():
        topic = Topic.objects.get(name="Career moves")
        topic.name = "Career changes"
        topic.save()
        return "Career changes"

    def new_tagline():
        settings = ColumnSettings.objects.get()
        settings.tagline = "Fresh tagline for the column."
        settings.save()
        return "Fresh tagline for the column."

    return [approve, edit, post, rename_commenter, publish, rename_topic, new_tagline]


@pytest.mark.parametrize("change", range(7), ids=lambda n: f"change{n}")
def test_a_change_in_one_worker_shows_in_another_on_the_next_request(guide, reader, change):
    warm(guide, reader)
    expected = changes(guide, reader)[change]()
    guide.refresh_from_db()
    with worker("b"):
        for who, client in both_readers(reader).items():
            assert expected in page(client, guide), who


def test_deleted_comment_disappears_at_once(guide, reader):
    gone = make_comment(guide, make_reader(), "Soon to be deleted.")
    warm(guide, reader)
    gone.delete()
    with worker("b"):
        for client in both_readers(reader).values():
            assert "Soon to be deleted." not in page(client, guide)


def test_cached_thread_is_what_the_full_rendering_gives(guide, reader):
    """The shared rendering with the reader's parts filled in equals a rendering for them."""
    other = make_reader()
    first = make_comment(guide, other, "A question for everyone.")
    make_comment(guide, reader, "A reply from Ann.", parent=first)
    old = make_comment(guide, reader, "Ann, long ago.")
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timezone.timedelta(days=9))
    client = Client()
    client.force_login(reader)
    page(client, guide)
    cached = page(client, guide)
    # A comment of Ann's awaiting moderation makes her page render in full.
    make_comment(guide, reader, "Ann, awaiting moderation.", status="pending")
    full = page(client, guide)

    def thread(html):
        html = re.sub(r'value="[^"]+"', 'value=""', html)  # CSRF tokens differ per request
        html = re.sub(r'<li class="comment comment-pending".*?</li>', "", html, flags=re.S)
        return html.split('<ol class="comment-list">')[1].split("</ol>\n</section>")[0]

    assert thread(cached) == thread(full)
    assert cached.count(">Edit</a>") == 2  # Ann's two recent comments, not the old one
    assert cached.count(">Report</button>") == 1  # the one comment by someone else


def test_one_readers_links_and_token_never_reach_another(guide, reader):
    other = make_reader("bob", display_name="Bob")
    make_comment(guide, other, "Bob's recent comment.")
    ann, bob = Client(), Client()
    ann.force_login(reader)
    bob.force_login(other)
    ann_html, bob_html = page(ann, guide), page(bob, guide)
    anonymous = page(Client(), guide)
    assert "csrfmiddlewaretoken" not in anonymous and ">Edit</a>" not in anonymous
    ann_comment = Comment.objects.get(body="Ann was here first.")
    bob_comment = Comment.objects.get(body="Bob's recent comment.")
    assert f"/comments/{ann_comment.pk}/edit/" in ann_html
    assert f"/comments/{ann_comment.pk}/edit/" not in bob_html
    assert f"/comments/{bob_comment.pk}/edit/" in bob_html
    ann_tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', ann_html))
    bob_tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', bob_html))
    assert ann_tokens and bob_tokens and not ann_tokens & bob_tokens


def test_a_comment_cannot_forge_the_cache_markers(guide, reader):
    """Text that looks like the markers inside the shared rendering stays plain text."""
    make_comment(guide, make_reader(), "\ue000deadbeef\ue001 and \ue002deadbeef\ue003")
    client = Client()
    client.force_login(reader)
    page(client, guide)
    html = page(client, guide)
    assert "\ue000deadbeef\ue001 and \ue002deadbeef\ue003" in html
    assert html.count(">Report</button>") == 1


def test_logged_in_page_queries_stay_few_and_do_not_grow_with_comments(guide, reader):
    client = Client()
    client.force_login(reader)
    counts = []
    for total in (10, 300):
        people = [make_reader() for _ in range(3)]
        Comment.objects.bulk_create(
            Comment(page=guide, author=people[n % 3], body=f"Bulk {n}", status="approved")
            for n in range(total - Comment.objects.count())
        )
        make_comment(guide, people[0], "Through save(), so the thread is rendered afresh.")
        page(client, guide)
        with CaptureQueriesContext(connection) as ctx:
            html = page(client, guide)
        assert html.count('class="comment"') == total + 1
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    # the version tokens, the session and the user; routes, restrictions, threads and the
    # user bar's permission check come from the cache
    assert counts[0] <= 4, counts


def test_preview_shows_the_draft_not_the_cached_page(guide, reader):
    page(Client(), guide)  # the published page is cached
    draft = guide.specific
    draft.title = "Draft title only"
    draft.save_revision()
    preview = draft.make_preview_request()
    assert "Draft title only" in preview.content.decode()
    assert "Draft title only" not in page(Client(), guide)


def test_a_comment_on_a_related_post_updates_its_count_on_this_page(guide, reader, site_tree):
    other = make_article(site_tree["guides"], title="Another guide", topics=guide.topics.all())
    make_comment(other, reader, "First on the other guide.")
    warm(guide, reader)
    with worker("b"):
        assert f'<a href="{other.url}#comments">1 comment</a>' in page(Client(), guide)
    make_comment(other, make_reader(), "Second on the other guide.")
    with worker("b"):
        for who, client in both_readers(reader).items():
            assert f'<a href="{other.url}#comments">2 comments</a>' in page(client, guide), who
