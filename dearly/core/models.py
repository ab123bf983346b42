from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, PageChooserPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from .blocks import BodyBlock
from .colours import DEFAULT_ACCENT, parse, validate_accent

WEB_ADDRESS = URLValidator(schemes=["https", "http"])
# (field, label) of the column's profiles elsewhere, in the order the footer lists them.
SOCIAL_NETWORKS = [
    ("mastodon_url", "Mastodon"),
    ("bluesky_url", "Bluesky"),
    ("linkedin_url", "LinkedIn"),
    ("instagram_url", "Instagram"),
    ("facebook_url", "Facebook"),
]


def optional_image(help_text):
    return models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=help_text,
    )


def social_url(label):
    return models.URLField(
        f"{label} address",
        max_length=300,
        blank=True,
        validators=[WEB_ADDRESS],
        help_text=f"The full address of the column's {label} profile, starting https://.",
    )


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
    """Who answers the letters, and how the column introduces itself: its name, look and the
    columnist's photo and bio. Every page shows them, so saving bumps the `site` tag
    (dearly.core.invalidation.rules) and every cached page is rendered again."""

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
    site_name = models.CharField(
        "column name",
        max_length=80,
        blank=True,
        help_text="The site's name in the header, page titles, feeds and emails. Leave empty "
        "for “Dear” and the columnist's name (“Dear Dr. Mimi”).",
    )
    tagline = models.CharField(
        max_length=160, blank=True, default="Practical answers to questions about work."
    )
    logo = optional_image(
        "Optional: a logo or wordmark shown in the header instead of the name (which stays its "
        "text alternative). A wide image at least 112 pixels high works best."
    )
    columnist_photo = optional_image(
        "A portrait of the columnist, shown with her answers and in the About block. Cropped "
        "to a square around the image's focal point."
    )
    columnist_bio = models.TextField(
        "short bio",
        max_length=500,
        blank=True,
        help_text="Two or three sentences about the columnist, shown beside the letters and "
        "in the About block.",
    )
    about_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Optional: the page the About block's “More about …” links to.",
    )
    accent_color = models.CharField(
        "accent colour",
        max_length=7,
        default=DEFAULT_ACCENT,
        validators=[validate_accent],
        help_text="Links, buttons and highlights, as #rrggbb. It must be dark enough to read "
        "on the page and behind white button text; a lighter shade is made for dark mode.",
    )
    mastodon_url = social_url("Mastodon")
    bluesky_url = social_url("Bluesky")
    linkedin_url = social_url("LinkedIn")
    instagram_url = social_url("Instagram")
    facebook_url = social_url("Facebook")

    question_retention_days = models.PositiveIntegerField(
        default=180,
        help_text="Declined and withdrawn questions, and the email addresses of published "
        "ones, are deleted after this many days.",
    )
    takedown_days = models.PositiveSmallIntegerField(
        "take-down days",
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text="A letter whose writer asks for it to be taken down is unpublished within "
        "this many days: by an editor from the letters inbox, or else automatically.",
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("site_name"),
                FieldPanel("tagline"),
                FieldPanel("logo"),
                FieldPanel("accent_color"),
            ],
            heading="The column",
        ),
        MultiFieldPanel(
            [
                FieldPanel("columnist_name"),
                FieldPanel("columnist"),
                FieldPanel("columnist_photo"),
                FieldPanel("columnist_bio"),
                PageChooserPanel("about_page", ["core.StandardPage"]),
            ],
            heading="The columnist",
        ),
        MultiFieldPanel(
            [FieldPanel(field) for field, _ in SOCIAL_NETWORKS], heading="Social links"
        ),
        FieldPanel("question_retention_days"),
        FieldPanel("takedown_days"),
    ]

    base_form_class = ColumnSettingsForm

    class Meta:
        verbose_name = "column settings"

    def clean(self):
        super().clean()
        self.accent_color = parse(self.accent_color) or self.accent_color

    @property
    def name(self):
        """What the site is called: the column's name, or "Dear <columnist>"."""
        return self.site_name.strip() or f"Dear {self.columnist_name.strip() or 'Dr. Mimi'}"

    @property
    def accent(self):
        """The accent as #rrggbb when it differs from the stylesheet's own (None otherwise)."""
        colour = parse(self.accent_color)
        return colour if colour and colour != DEFAULT_ACCENT else None

    def social_links(self):
        """[(label, address)] of the profiles filled in."""
        links = [(label, getattr(self, field)) for field, label in SOCIAL_NETWORKS]
        return [(label, url) for label, url in links if url]


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
