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


class HomePage(Page):
    intro = RichTextField(features=["bold", "italic", "link"], blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["articles.ArticleIndexPage", "articles.ColumnIndexPage", "core.StandardPage"]
    max_count = 1


class StandardPage(Page):
    """About, Privacy, Comment policy and other plain pages."""

    intro = models.TextField(blank=True)
    body = StreamField(BodyBlock(), blank=True)

    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["core.HomePage", "core.StandardPage"]
    subpage_types = ["core.StandardPage"]
