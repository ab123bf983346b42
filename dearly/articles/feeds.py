"""RSS 2.0 and Atom feeds: site-wide, letters only, letter writers' updates, and per topic.

Titles and author names are plain text in both formats (RSS Best Practices Profile; Atom's
default type="text"), so Django's XML escaping is all they need. Descriptions are HTML to a
feed reader (RSS <description>, Atom <summary type="html">), so the plain-text excerpts go in
HTML-escaped: a reader's "<script>" arrives as text, never as markup.

A post's featured image goes with its item as an enclosure (RSS <enclosure>, Atom
<link rel="enclosure">): the same 1200x630 JPEG that link previews show.
"""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure
from django.utils.html import escape

from dearly.core.cached import site_name
from dearly.core.images import absolute_media_url, file_size, share_rendition

from .listing import load_posts
from .models import LetterPage, LetterUpdatePage, PostPage, RoundupPage, Topic

FEED_ITEMS = 20


class LatestPostsFeed(Feed):
    description = "The latest guides and letters."

    def title(self, obj=None):
        return site_name()

    def link(self, obj=None):
        return "/"

    def posts(self, obj):
        return PostPage.objects.published()

    def items(self, obj=None):
        ids = list(self.posts(obj).newest_first().values_list("pk", flat=True)[:FEED_ITEMS])
        return load_posts(ids)

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return escape(item.summary)  # plain text, into an HTML field

    def item_link(self, item):
        return item.url

    def item_pubdate(self, item):
        return item.date

    def item_updateddate(self, item):
        return item.last_published_at or item.date

    def item_author_name(self, item):
        return item.author.public_name if item.author else None

    def item_categories(self, item):
        return [item.kind]  # a round-up's is "letter" too

    def item_enclosures(self, item):
        rendition = share_rendition(item.featured_image)
        if rendition is None:
            return []
        url = absolute_media_url(rendition.url)
        return [Enclosure(url, str(file_size(rendition)), "image/jpeg")]


class LatestPostsAtomFeed(LatestPostsFeed):
    feed_type = Atom1Feed
    subtitle = LatestPostsFeed.description


class LettersFeed(LatestPostsFeed):
    description = "The latest letters and answers."

    def posts(self, obj):
        return PostPage.objects.published().type(LetterPage, RoundupPage)

    def title(self, obj=None):
        return f"{super().title()}: letters"


class LettersAtomFeed(LettersFeed):
    feed_type = Atom1Feed
    subtitle = LettersFeed.description


class LetterUpdatesFeed(LatestPostsFeed):
    description = "Letter writers' updates: what happened after the answer."

    def posts(self, obj):
        return LetterUpdatePage.objects.published()

    def title(self, obj=None):
        return f"{super().title()}: updates from letter writers"

    def link(self, obj=None):
        return reverse("articles:letter_updates")


class LetterUpdatesAtomFeed(LetterUpdatesFeed):
    feed_type = Atom1Feed
    subtitle = LetterUpdatesFeed.description


class TopicFeed(LatestPostsFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Topic, slug=slug)

    def title(self, obj=None):
        return f"{super().title()}: {obj.name}"

    def about(self, obj):
        return obj.description or f"The latest posts about {obj.name}."

    def description(self, obj):
        return escape(self.about(obj))  # RSS readers take a channel description as HTML

    def link(self, obj=None):
        return obj.get_absolute_url()

    def posts(self, obj):
        return PostPage.objects.published().filter(topics__in=obj.descendant_ids()).distinct()


class TopicAtomFeed(TopicFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj):
        return self.about(obj)  # Atom's subtitle is plain text
