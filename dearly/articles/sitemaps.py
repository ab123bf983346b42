from django.contrib.sitemaps import Sitemap

from wagtail.contrib.sitemaps import Sitemap as PageSitemap

from .models import Topic


class TopicSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Topic.objects.filter(posts__live=True).distinct().order_by("pk")


SITEMAPS = {"pages": PageSitemap, "topics": TopicSitemap}
