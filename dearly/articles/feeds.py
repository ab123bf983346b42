"""RSS 2.0 and Atom feeds: site-wide, letters only, and per topic."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed

from wagtail.models import Site

from .listing import load_posts
from .models import LetterPage, PostPage, Topic

FEED_ITEMS = 20


class LatestPostsFeed(Feed):
    description = "The latest guides and letters."

    def title(self, obj=None):
        return (
            Site.objects.filter(is_default_site=True).values_list("site_name", flat=True).first()
            or "Dearly"
        )

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
        return item.summary

    def item_link(self, item):
        return item.url

    def item_pubdate(self, item):
        return item.date

    def item_updateddate(self, item):
        return item.last_published_at or item.date

    def item_author_name(self, item):
        return item.author.public_name if item.author else None

    def item_categories(self, item):
        return [item.kind]


class LatestPostsAtomFeed(LatestPostsFeed):
    feed_type = Atom1Feed
    subtitle = LatestPostsFeed.description


class LettersFeed(LatestPostsFeed):
    description = "The latest letters and answers."

    def posts(self, obj):
        return LetterPage.objects.published()

    def title(self, obj=None):
        return f"{super().title()}: letters"


class LettersAtomFeed(LettersFeed):
    feed_type = Atom1Feed
    subtitle = LettersFeed.description


class TopicFeed(LatestPostsFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Topic, slug=slug)

    def title(self, obj=None):
        return f"{super().title()}: {obj.name}"

    def description(self, obj):
        return obj.description or f"The latest posts about {obj.name}."

    def link(self, obj=None):
        return obj.get_absolute_url()

    def posts(self, obj):
        return PostPage.objects.published().filter(topics__in=obj.descendant_ids()).distinct()


class TopicAtomFeed(TopicFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj):
        return self.description(obj)
