from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import models

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from .blocks import BodyBlock


def admin_accounts():
    """Active accounts that can open the editor's back office: superusers, and holders of
    Wagtail's "Can access Wagtail admin", directly or through a group. No row comes twice."""
    users = get_user_model().objects.filter(is_active=True)
    access = Permission.objects.filter(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    holders = users.filter(
        models.Q(user_permissions__in=access) | models.Q(groups__permissions__in=access)
    )
    return users.filter(models.Q(is_superuser=True) | models.Q(pk__in=holders.values("pk")))


def account_label(user):
    """ "Dr. Mimi (mimi)": how an account is named in the editor's choices of people."""
    name, username = getattr(user, "display_name", "") or user.get_full_name(), user.get_username()
    return f"{name} ({username})" if name and name != username else username


class ColumnSettingsForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["columnist"]
        # Editors only (not every reader's account), and whoever is chosen now.
        keep = models.Q(pk=self.instance.columnist_id) if self.instance.columnist_id else None
        choices = admin_accounts()
        if keep is not None:
            choices = get_user_model().objects.filter(models.Q(pk__in=choices.values("pk")) | keep)
        field.queryset = choices.order_by("display_name", "username")
        field.label_from_instance = account_label


@register_setting(icon="user")
class ColumnSettings(BaseSiteSetting):
    """Who answers the letters, and how the column introduces itself."""

    columnist_name = models.CharField(
        max_length=80,
        default="Dr. Mimi",
        help_text='Used in greetings and sign-offs: "Dear Dr. Mimi," … "—Dr. Mimi".',
    )
    columnist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="columnist's account",
        help_text="The byline of new letters, also those answered from the letters inbox. If "
        "empty, new letters are signed like the latest letter, or by the editor writing them.",
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
        FieldPanel("columnist"),
        FieldPanel("tagline"),
        FieldPanel("question_retention_days"),
    ]

    base_form_class = ColumnSettingsForm

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
