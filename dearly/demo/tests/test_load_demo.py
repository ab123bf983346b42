"""The demo column `make run` loads: what it promises to show, and that loading it again
changes nothing."""

import datetime
import io
import re

from django.core.management import call_command
from django.utils import timezone

from wagtail.images import get_image_model

import pytest

from dearly.articles.models import ArticlePage, LetterPage, PostPage, RoundupPage, Topic
from dearly.comments.models import Comment
from dearly.core.text import html_to_text
from dearly.demo import content
from dearly.demo.illustrations import ILLUSTRATIONS
from dearly.newsletter.models import Mailing
from dearly.newsletter.sending import DigestContent, start_digest
from dearly.testing import make_article

pytestmark = pytest.mark.django_db


def load_demo():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def _loaded(module_db):
    """The demo, loaded once for the module (the tests read it, or load it again on top)."""
    with module_db.unblocked():
        return load_demo()


@pytest.fixture
def demo_column(db, _loaded):
    return _loaded


def counts():
    return {
        "posts": PostPage.objects.count(),
        "topics": Topic.objects.count(),
        "comments": Comment.objects.count(),
        "images": get_image_model().objects.count(),
        "published": sorted(PostPage.objects.values_list("pk", "last_published_at")),
    }


def test_loading_again_changes_nothing(demo_column):
    assert "created" in demo_column and "removed" not in demo_column
    before = counts()
    assert load_demo().strip() == "Demo content loaded: nothing new to create."
    assert counts() == before
    assert not Mailing.objects.exists()  # the demo's posts are not news to any subscriber


def test_a_digest_sent_after_loading_holds_none_of_the_demo_posts(demo_column):
    assert DigestContent(start_digest()).posts == []


def test_the_column_has_distinct_letters_and_guides(demo_column):
    letters = list(LetterPage.objects.live())
    assert len(letters) >= 30 and ArticlePage.objects.live().count() >= 10
    questions = [html_to_text(letter.question) for letter in letters]
    assert len(set(questions)) == len(letters)
    assert len({letter.pen_name for letter in letters}) == len(letters)
    for letter in letters:
        assert letter.title == f"Dear Dr. Mimi – {letter.pen_name}"
        assert letter.topics.exists() and letter.tags.exists()
    titles = list(PostPage.objects.values_list("title", flat=True))
    assert len(set(titles)) == len(titles)
    assert not [t for t in titles if re.search(r"\(\d+\)$|Notes on Work \d+", t)]
    words = sorted(len(text.split()) for text in questions)
    assert words[0] < 50 and words[-1] > 120  # short letters and long ones


def test_the_posts_span_two_years_in_the_past(demo_column):
    posts = PostPage.objects.all()
    dates = sorted(post.date for post in posts)
    assert dates[-1] - dates[0] > datetime.timedelta(days=600)
    assert dates[-1] < timezone.now() - datetime.timedelta(days=7)
    assert all(post.first_published_at == post.date for post in posts)
    assert len({(d.year, d.month) for d in dates}) >= 18  # the archive has most months
    assert Topic.objects.filter(posts__isnull=False).distinct().count() >= 12


def test_the_six_step_guide(client, demo_column):
    guide = client.get("/guides/when-you-are-turned-down/").content.decode()
    assert guide.count('id="step-') == 6 and "Solicit feedback." in guide
    poor = client.get("/letters/dear-dr-mimi-poor/").content.decode()
    assert "Dear Dr. Mimi," in poor and "—Poor" in poor and "Dear Poor," in poor
    assert client.get("/guides/imposter-syndrome/").status_code == 200
    assert "Page 1 of" in client.get("/letters/").content.decode()


def test_a_round_up_of_five_short_letters(client, demo_column):
    roundup = RoundupPage.objects.live().get(slug="five-answers-to-five-short-questions")
    assert [letter.anchor for letter in roundup.numbered_letters()] == [
        f"letter-{n}" for n in range(1, 6)
    ]
    assert roundup.topics.exists() and roundup.tags.exists()
    html = client.get(roundup.url).content.decode()
    assert html.count('class="roundup-letter"') == 5 and "Dear Camera Shy," in html
    assert roundup.title in client.get("/letters/").content.decode()


def test_an_update_is_linked_to_its_letter_both_ways(client, demo_column):
    first = LetterPage.objects.get(slug="dear-dr-mimi-overlooked")
    update = LetterPage.objects.get(slug="dear-dr-mimi-formerly-overlooked")
    assert first.update == update and first.get_latest_revision_as_object().update == update
    html = client.get(first.url).content.decode()
    assert f'Update: <a href="{update.url}">{update.title}</a>' in html
    assert f'<a href="{first.url}">my letter' in client.get(update.url).content.decode()


def test_an_update_from_a_letter_writer_waits_in_the_inbox_beside_its_letter(demo_column):
    from dearly.questions.models import WriterUpdate

    [update] = WriterUpdate.objects.filter(status="new").select_related("question__letter")
    letter = update.question.letter
    assert letter.slug == "dear-dr-mimi-watched" and letter.live
    assert update.status == "new" and update.text.startswith("I took your advice")
    assert update.question.status == "published" and update.question.pen_name == "Watched"
    assert "\n\n" in update.question.text  # the letter's paragraphs kept
    assert update.consent.text.endswith(
        "may publish my update with my letter, edited for length and to remove identifying details."
    )
    assert update.question.consents.count() == 2


def test_an_update_from_a_letter_writer_is_published_under_its_letter(client, demo_column):
    from dearly.articles.models import LetterUpdatePage
    from dearly.questions.models import WriterUpdate

    [update] = WriterUpdate.objects.filter(status="published").select_related("page")
    page = LetterUpdatePage.objects.live().get(pk=update.page.pk)
    letter = page.letter
    assert letter.slug == "dear-dr-mimi-alone-on-tuesdays" and page.date > letter.date
    assert page.text.startswith("<p>I asked.") and "Someone always has to say it" in page.note
    under = client.get(letter.url).content.decode()
    assert "Update from the letter writer, <time" in under and ">October 2026</time>" in under
    assert page.url in under
    assert letter.url in client.get(page.url).content.decode()
    assert page.url in client.get("/letters/updates/").content.decode()


def test_threads_with_nested_replies_and_the_columnist(client, demo_column):
    approved = Comment.objects.approved()
    commented = approved.values("page").distinct().count()
    assert commented >= 8 and approved.count() >= 30
    assert max(approved.values_list("depth", flat=True)) >= 3
    mimi = ArticlePage.objects.get(slug="when-you-are-turned-down").author
    replies = approved.filter(author=mimi, parent__isnull=False)
    assert replies.count() >= 3
    reply = replies.select_related("page").first()
    html = client.get(reply.page.url).content.decode()
    assert reply.body_html in html and "Dr. Mimi" in html
    guide = client.get("/guides/when-you-are-turned-down/").content.decode()
    assert "Step two changed how I handled" in guide  # an approved demo comment


def test_a_closed_thread(client, demo_column):
    closed = PostPage.objects.get(comments_open=False)
    assert Comment.objects.approved().filter(page=closed).count() >= 5
    html = client.get(closed.url).content.decode()
    assert "Comments are closed on this page." in html and "Leave a Reply" in html


def test_a_held_comment(client, demo_column):
    [held] = Comment.objects.awaiting_moderation()
    assert held.held_because == "first comment"
    assert not Comment.objects.filter(author=held.author).exclude(pk=held.pk).exists()
    assert held.body not in client.get(held.page.url).content.decode()


def test_illustrations_as_featured_and_body_images(client, demo_column):
    images = get_image_model().objects.filter(
        title__in=[drawing.title for drawing in ILLUSTRATIONS.values()]
    )
    assert images.count() == len(ILLUSTRATIONS) >= 6
    for image in images:
        assert image.description and image.file_size < 100_000
    assert PostPage.objects.filter(featured_image__in=images).count() >= 8
    html = client.get("/guides/imposter-syndrome/").content.decode()
    assert re.search(r'<figure class="figure"><img alt="A desk[^"]*"', html)
    assert '<img alt="A drawing of Dr. Mimi' in client.get("/about/").content.decode()


def test_the_old_numbered_filler_is_replaced(demo_column):
    guides = PostPage.objects.get(slug="imposter-syndrome").get_parent()
    filler = make_article(
        guides, title="Notes on Work 4: Handling a long commute", slug="notes-on-work-4"
    )
    kept = make_article(guides, title="Notes on my work", slug="notes-on-work-7")
    assert "; removed 1 page of the old numbered filler." in load_demo()
    assert not PostPage.objects.filter(pk=filler.pk).exists()
    assert PostPage.objects.filter(pk=kept.pk).exists()


# The text files themselves, without a database.


def test_replies_answer_an_earlier_comment_by_a_known_reader():
    readers = {"mimi", *content.readers()}
    for thread in content.threads():
        seen = {}
        for comment in thread["comment"]:
            assert comment["by"] in readers
            if "reply_to" in comment:
                assert comment["hours"] > seen[comment["reply_to"]]
            if "key" in comment:
                seen[comment["key"]] = comment["hours"]


def test_the_text_uses_typographic_quotes():
    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict | list):
            for item in value.values() if isinstance(value, dict) else value:
                yield from strings(item)

    everything = [content.letters(), content.guides(), content.pages(), content.threads()]
    everything.append(content.roundups())
    everything.append(content.topics())
    for text in strings(everything):
        prose = re.sub(r"<[^>]+>|\(page:[a-z0-9-]+\)", "", text)
        assert not re.search(r"['\"]|\.\.\.", prose), prose


def test_text_becomes_paragraphs_lists_and_page_links():
    text = "One\nline.\n\n- a\n- b\n\n1. first\n2. second\n\nSee [this](page:x)."
    assert content.html(text, {"x": 7}) == (
        "<p>One line.</p><ul><li>a</li><li>b</li></ul>"
        '<ol><li>first</li><li>second</li></ol><p>See <a linktype="page" id="7">this</a>.</p>'
    )
    with pytest.raises(ValueError, match="not published before"):
        content.html("See [this](page:y).", {})


def test_a_letter_writer_comments_with_the_badge_on_the_update(client, demo_column):
    from dearly.comments.models import PageRole
    from dearly.questions.models import LetterClaim

    claim = LetterClaim.objects.select_related("question__letter", "user").get()
    letter = claim.question.letter
    assert letter.slug == "dear-dr-mimi-overlooked" and claim.question.status == "published"
    assert set(PageRole.objects.filter(user=claim.user).values_list("page_id", flat=True)) == {
        letter.pk,
        letter.update_id,
    }
    html = client.get(letter.update.url).content.decode()
    assert '<strong>Overlooked</strong> <span class="comment-badge">' in html
    assert html.count('class="comment-badge"') == 1
