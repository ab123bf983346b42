from wagtail.models import PageViewRestriction

import pytest

from dearly.articles.related import related_posts
from dearly.testing import make_article, make_letter, make_letter_update, make_topic

pytestmark = [pytest.mark.django_db, pytest.mark.search_indexes]


def test_related_posts_rank_shared_topics_and_tags_first(site_tree):
    career = make_topic("Career")
    sleep = make_topic("Sleep")
    page = make_letter(
        site_tree["letters"], title="Asking for a raise", topics=[career], tags=["salary"]
    )
    best = make_article(site_tree["guides"], title="Salary talks", topics=[career], tags=["salary"])
    good = make_letter(
        site_tree["letters"],
        title="Career change",
        topics=[career],
        question="<p>Should I retrain as a nurse?</p>",
        answer="<p>Talk to nurses first.</p>",
    )
    for n in range(6):
        make_article(site_tree["guides"], title=f"Sleep well {n}", topics=[sleep])
    related = related_posts(page)
    assert 3 <= len(related) <= 6
    assert related[0].pk == best.pk and related[1].pk == good.pk
    assert page.pk not in {p.pk for p in related}


def test_related_posts_prefer_similar_words_when_topics_tie(site_tree):
    page = make_article(site_tree["guides"], title="Negotiating salary with a new employer")
    similar = make_article(site_tree["guides"], title="Salary negotiation for the new employer")
    for n in range(6):
        make_article(site_tree["guides"], title=f"Gardening tips {n}")
    assert related_posts(page)[0].pk == similar.pk


def test_related_posts_never_include_drafts_private_or_the_page_itself(client, site_tree):
    topic = make_topic("Career")
    page = make_article(site_tree["guides"], title="Main guide", topics=[topic], tags=["x"])
    make_article(site_tree["guides"], title="Draft twin", topics=[topic], tags=["x"], live=False)
    private = make_article(site_tree["guides"], title="Private twin", topics=[topic], tags=["x"])
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    public = make_letter(site_tree["letters"], title="Public twin", topics=[topic], tags=["x"])
    titles = {p.title for p in related_posts(page)}
    assert titles == {"Public twin"}
    html = client.get(page.url).content.decode()
    related_html = html.split('id="related-heading"')[1].split('id="respond"')[0]
    assert public.title in related_html
    assert "Draft twin" not in html and "Private twin" not in html
    assert "Main guide</a>" not in related_html


def test_related_block_shows_title_and_clean_excerpt(client, site_tree):
    page = make_article(site_tree["guides"], title="Main")
    make_letter(
        site_tree["letters"],
        title="Dear Dr. Mimi – Tidy",
        question="<p>Dear reader question &amp; more.</p><p>Second paragraph.</p>",
    )
    html = client.get(page.url).content.decode()
    related_html = html.split('id="related-heading"')[1]
    # The question alone: a letter's excerpt never runs on into the answer ("Ask early…").
    assert (
        '<p class="excerpt">Dear reader question &amp; more. Second paragraph.</p>' in related_html
    )


def test_related_posts_find_similar_words_beyond_shared_topics(site_tree):
    topic = make_topic("Gardening")
    page = make_article(site_tree["guides"], title="Asking for a raise politely")
    similar = make_letter(site_tree["letters"], title="A raise after five years")
    for n in range(15):
        make_article(
            site_tree["guides"],
            title=f"Roses {n}",
            topics=[topic],
            intro="Pruning in spring.",
            body=[("paragraph", "<p>Cut above a bud.</p>")],
        )
    # The similar letter is older than every rose guide, so only its words can bring it in.
    similar.date = page.date.replace(year=2000)
    similar.save_revision().publish()
    assert similar.pk in {p.pk for p in related_posts(page)}


def test_a_letter_and_its_writers_updates_are_not_each_others_related_posts(site_tree):
    """They link to each other already: the updates are listed under the letter, and each
    update links back to it."""
    topic = make_topic("Neighbours")
    letter = make_letter(site_tree["letters"], title="Drums at midnight", topics=[topic])
    update = make_letter_update(letter, text="<p>The drums at midnight stopped.</p>")
    update.topics = [topic]
    update.save_revision().publish()
    other = make_letter(site_tree["letters"], title="Drums at dawn", topics=[topic])
    assert {p.pk for p in related_posts(letter)} == {other.pk}
    assert {p.pk for p in related_posts(update)} == {other.pk}
    # Another letter's update is related as usual.
    assert update.pk in {p.pk for p in related_posts(other)}
