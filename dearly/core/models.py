from django.db import models

from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from .blocks import BodyBlock


@register_setting(icon="user")
class ColumnSettings(BaseSiteSetting):
    """Who answers the letters, and how the column introduces itself."""

    columnist_name = models.CharField(
        max_length=80,
        default="Dr. Mimi",
        help_text='Used in greetings and sign-offs: "Dear Dr. Mimi," … "—Dr. Mimi".',
    )
    tagline = models.CharField(
        max_length=160, blank=True, default="Practical answers to questions about work."
    )

    question_retention_days = models.PositiveIntegerField(
        default=180,
        help_text="Declined and withdrawn questions, and the email addresses of published "
        "ones, are deleted after this many days.",
    )

    panels = [
        FieldPanel("columnist_name"),
        FieldPanel("tagline"),
        FieldPanel("question_retention_days"),
    ]

    class Meta:
        verbose_name = "column settings"


class ContentVersion(models.Model):
    """A token that changes whenever what its key names changes: "content" (anything published)
    or "comments:<page id>". Cached fragments are keyed by these tokens, so a change reaches
    every worker process and app server on its next request (dearly.core.versions)."""

    key = models.CharField(max_length=40, primary_key=True)
    token = models.CharField(max_length=32)

    def __str__(self):
        return f"{self.key}: {self.token}"


class HomePage(Page):
    intro = RichTextField(features=["bold", "italic", "link"], blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["articles.ArticleIndexPage", "articles.ColumnIndexPage", "core.StandardPage"]
    max_count = 1

    LATEST_GUIDES = 6
    LATEST_LETTERS = 6

    def get_context(self, request, *args, **kwargs):
        from dearly.articles.models import ArticlePage, LetterPage

        context = super().get_context(request, *args, **kwargs)
        from dearly.articles.listing import attach_comment_counts

        guides = ArticlePage.objects.published().newest_first()[: self.LATEST_GUIDES]
        letters = LetterPage.objects.published().newest_first()[: self.LATEST_LETTERS]
        context["latest_guides"] = attach_comment_counts(guides)
        context["latest_letters"] = attach_comment_counts(letters)
        return context


class StandardPage(Page):
    """About, Privacy, Comment policy and other plain pages."""

    intro = models.TextField(blank=True)
    body = StreamField(BodyBlock(), blank=True)

    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["core.HomePage", "core.StandardPage"]
    subpage_types = ["core.StandardPage"]
