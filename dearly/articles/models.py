"""Guides (articles), letters, round-ups of letters, topics and tags.

`PostPage` is the concrete parent of all three so that listings, feeds and archives can order
guides and letters together by date in one query; what is public is decided once, in
`PostPageQuerySet.published()`.
"""

import copy
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.text import slugify

from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.rich_text import expand_db_html
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from dearly.comments.context import comment_area
from dearly.comments.models import CommentableMixin
from dearly.core.blocks import INLINE_FEATURES, RICH_TEXT_FEATURES, BodyBlock, body_plain_html
from dearly.core.invalidation import CONTENT, for_templates, token
from dearly.core.models import ColumnSettings
from dearly.core.text import excerpt_from_html, html_to_text, truncate_words
from dearly.retrieval.indexing import Described

from .editor import (
    LetterPageForm,
    PostPageForm,
    RoundupPageForm,
    byline_panel,
    privacy_check_panel,
    privacy_confirm_panel,
)


@register_snippet
class Topic(index.Indexed, models.Model):
    """A hierarchical category ("Career" › "Job search"). A topic's page lists its own posts
    and those of its subtopics."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True, allow_unicode=False)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    description = models.TextField(blank=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("parent"),
        FieldPanel("description"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:100]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:topic", args=[self.slug])

    def ancestors(self):
        """From the root down to the parent; guards against a cycle typed in by hand."""
        chain, seen, node = [], {self.pk}, self.parent
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return list(reversed(chain))

    def descendant_ids(self):
        """This topic's id and all its subtopics' ids, in one query."""
        pairs = list(Topic.objects.values_list("id", "parent_id"))
        children = {}
        for pk, parent_id in pairs:
            children.setdefault(parent_id, []).append(pk)
        found, todo = {self.pk}, [self.pk]
        while todo:
            for child in children.get(todo.pop(), []):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        return found


class PostPageTag(TaggedItemBase):
    content_object = ParentalKey(
        "articles.PostPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class PostPageQuerySet(PageQuerySet):
    def published(self):
        """What any reader may see: live, not behind a password/login/group restriction."""
        return self.live().public()

    def newest_first(self):
        return self.order_by("-date", "-pk")


PostPageManager = PageManager.from_queryset(PostPageQuerySet)


class PostPage(CommentableMixin, Page):
    """What guides and letters share: date, author, topics, tags, excerpt, featured flag."""

    date = models.DateTimeField(
        default=timezone.now, db_index=True, help_text="Shown on the page and used for archives."
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="posts",
    )
    topics = ParentalManyToManyField(Topic, blank=True, related_name="posts")
    tags = ClusterTaggableManager(through=PostPageTag, blank=True)
    excerpt = models.TextField(
        blank=True,
        help_text="Optional. Listings, feeds and search use the first words of the text if empty.",
    )
    featured = models.BooleanField(default=False, help_text="Shown first on the home page.")
    featured_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Shown with the post in listings and when shared.",
    )
    email_subscribers = models.BooleanField(
        "Email it to subscribers",
        default=True,
        help_text="When first published, send it to the newsletter's subscribers. Editing or "
        "publishing it again never sends it again.",
    )

    objects = PostPageManager()

    is_creatable = False
    parent_page_types = []
    subpage_types = []

    search_fields = [
        *Page.search_fields,
        index.SearchField("excerpt"),
        index.FilterField("date"),
    ]
    # Author, topics, tags and image are on each type's main tab (byline_panel).
    promote_panels = [
        *Page.promote_panels,
        MultiFieldPanel(
            [
                FieldPanel("date"),
                FieldPanel("featured"),
                FieldPanel("comments_open"),
                FieldPanel("email_subscribers"),
            ],
            heading="Publication",
        ),
        FieldPanel("excerpt"),
    ]
    base_form_class = PostPageForm

    class Meta:
        indexes = [models.Index(fields=["-date"], name="postpage_date_desc")]

    @classmethod
    def default_author(cls, editor):
        """Who signs a new post of this type: the editor writing it."""
        return editor if editor is not None and editor.is_authenticated else None

    def text_html(self):
        """The page's own text as HTML, in reading order (overridden by each type)."""
        return ""

    def comments_dated_from(self):
        return self.date  # the date readers see, which editors and imports may set back

    def get_context(self, request, *args, **kwargs):
        from .related import related_ids, related_versions  # related imports this module

        context = super().get_context(request, *args, **kwargs)

        ids = related_ids(request, self)
        context["versions"] = for_templates(
            request, content=token(request, *CONTENT), related=related_versions(request, ids)
        )
        context["related_ids"] = ids
        context.update(comment_area(request, self))
        return context

    def get_view_restrictions(self):
        """Wagtail's restrictions of this page and its ancestors; on a page from the route
        cache (dearly.core.routing) their rows come with it, saving two queries a view. That
        page only serves readers, where Wagtail iterates the restrictions: a list will do."""
        rows = self.__dict__.get("_dearly_view_restrictions")
        return super().get_view_restrictions() if rows is None else list(rows)

    def serve(self, request, *args, **kwargs):
        from .reader_page import serve_for_reader  # it imports related, which imports this

        response = serve_for_reader(self, request)  # logged-in readers: a cached skeleton
        if response is None:
            response = super().serve(request, *args, **kwargs)
        return response

    @cached_property
    def summary(self):
        """The excerpt shown in listings, related posts, feeds and search."""
        if self.excerpt.strip():
            return truncate_words(self.excerpt, 60)
        return excerpt_from_html(self.summary_html())

    def summary_html(self):
        """The text an excerpt is cut from when the editor wrote none."""
        return self.text_html()

    def text_passages(self):
        """The page's text as HTML passages a snippet must not run across (a letter's question
        and its answer are two voices)."""
        return [self.text_html()]

    @property
    def kind(self):
        return "post"

    @property
    def kind_label(self):
        """What a listing calls it: "Guide", "Letter", "Update", "Letters" (a round-up)."""
        return {"letter": "Letter", "guide": "Guide", "update": "Update"}.get(self.kind, "Post")

    # Where in the page a listing links to: one letter of a round-up that search found.
    anchor = ""

    # Read by retrieval_documents below: dearly.retrieval fetches them for a batch of pages.
    retrieval_prefetch = ("topics",)

    def retrieval_documents(self):
        """The documents dearly.retrieval keeps of this post: one, the whole post."""
        return [self.retrieval_document()]

    def retrieval_document(self):
        """What search, related posts and "already answered?" know of this post (dearly.retrieval):
        its words, and the text whose meaning is embedded (what it is about first: the model
        reads the first 256 word pieces)."""
        text = html_to_text(self.text_html())
        topics = ", ".join(topic.name for topic in self.topics.all())
        return Described(
            kind=self.kind,
            title=self.title,
            body=" ".join(part for part in (self.excerpt, self.searchable_extra(), text) if part),
            meaning=". ".join(part for part in (self.meaning_lead(), topics, text) if part),
        )

    def searchable_extra(self):
        return ""

    def meaning_lead(self):
        return self.title

    def get_sitemap_urls(self, request=None):
        return [{"location": self.get_full_url(request), "lastmod": self.last_published_at}]


class ArticlePage(PostPage):
    """A guide or essay: an intro, then paragraphs, quotes, images and numbered steps."""

    intro = models.TextField(blank=True, help_text="One or two sentences under the title.")
    body = StreamField(BodyBlock(), blank=True)

    search_fields = [*PostPage.search_fields, index.SearchField("intro"), index.SearchField("body")]
    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("body"),
        byline_panel(),
    ]
    parent_page_types = ["articles.ArticleIndexPage"]
    subpage_types = []
    template = "articles/article_page.html"

    class Meta:
        verbose_name = "guide"

    @property
    def kind(self):
        return "guide"

    def text_html(self):
        intro = format_html("<p>{}</p>", self.intro) if self.intro else ""
        return intro + body_plain_html(self.body)


class RelatedPosts(models.Model):
    """A post's related posts, best first, worked out when it is indexed (related.py)."""

    page = models.OneToOneField(
        "wagtailcore.Page", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    ids = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "related posts"

    def __str__(self):
        return f"related posts of page {self.page_id}"


# /letters/updates/ lists the writers' updates (articles.urls, ahead of the page tree).
RESERVED_COLUMN_SLUGS = frozenset({"updates"})


class ColumnSlugMixin:
    """A post in the column may not take a slug the column's own addresses use."""

    def clean(self):
        super().clean()
        if self.slug in RESERVED_COLUMN_SLUGS:
            raise ValidationError(
                {"slug": f"“{self.slug}” is the address of a list in the column; choose another."}
            )


class LetterPage(ColumnSlugMixin, PostPage):
    """A reader's letter and the columnist's answer. Greetings and sign-offs are rendered from
    these fields so they always agree: "Dear Dr. Mimi," … "—Poor", "Dear Poor," … "—Dr. Mimi"."""

    question = RichTextField(
        features=INLINE_FEATURES, help_text="The reader's letter, without greeting or sign-off."
    )
    pen_name = models.CharField(max_length=60, help_text='How the writer signs, e.g. "Poor".')
    answer = RichTextField(
        features=RICH_TEXT_FEATURES, help_text="The answer, without greeting or sign-off."
    )
    update = models.ForeignKey(
        "articles.LetterPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="A later letter that follows up on this one.",
    )

    search_fields = [
        *PostPage.search_fields,
        index.SearchField("question"),
        index.SearchField("answer"),
        index.SearchField("pen_name"),
    ]
    content_panels = [
        *Page.content_panels,
        FieldPanel("question"),
        FieldPanel("pen_name"),
        FieldPanel("answer"),
        FieldPanel("update"),
        byline_panel(),
        privacy_check_panel(),
    ]
    privacy_parts = (("Question", "question"), ("Answer", "answer"))
    base_form_class = LetterPageForm
    parent_page_types = ["articles.ColumnIndexPage"]
    subpage_types = []
    template = "articles/letter_page.html"

    class Meta:
        verbose_name = "letter"

    @property
    def kind(self):
        return "letter"

    @classmethod
    def columnist(cls):
        """The columnist's account: as the column settings name it, else whoever signed the
        latest signed letter; None on a new column with neither."""
        chosen = (
            ColumnSettings.objects.order_by("-site__is_default_site", "pk")
            .exclude(columnist=None)
            .select_related("columnist")
            .first()
        )
        if chosen is not None:
            return chosen.columnist
        latest = cls.objects.exclude(author=None).order_by("-date", "-pk").select_related("author")
        letter = latest.only("author").first()
        return letter.author if letter is not None else None

    @classmethod
    def default_author(cls, editor):
        """New letters are signed by the columnist, whoever types them in."""
        return cls.columnist() or super().default_author(editor)

    def text_html(self):
        return self.question + self.answer

    def summary_html(self):
        # The reader's question alone: run into the answer it read "…without looking lazy?
        # Decide your hours…", two voices as one.
        return self.question

    def text_passages(self):
        return [self.question, self.answer]

    def searchable_extra(self):
        return self.pen_name

    def meaning_lead(self):
        return self.pen_name  # the title is "Dear Dr. Mimi – <pen name>" on every letter

    def published_updates(self):
        """The writer's published updates to this letter, oldest first (one query)."""
        if self.pk is None:  # a preview of a letter never saved
            return []
        return list(LetterUpdatePage.objects.of_letter(self).only("title", "url_path", "date"))

    def neighbours(self):
        """The published letters just before (older) and after (newer) this one in its column,
        by date: two queries on the date index. Publishing, moving or unpublishing any page bumps
        `pages`, which the letter's cached fragment and cached responses depend on, so a new
        letter shows as its predecessor's "next" at once."""
        if self.pk is None or not self.path:  # a preview of a letter never saved
            return None, None
        letters = (
            LetterPage.objects.published()
            .sibling_of(self, inclusive=False)
            .only("title", "url_path", "path", "depth", "date", "pen_name")
        )
        same_day = Q(date=self.date)
        older = letters.filter(Q(date__lt=self.date) | same_day & Q(pk__lt=self.pk))
        newer = letters.filter(Q(date__gt=self.date) | same_day & Q(pk__gt=self.pk))
        return older.order_by("-date", "-pk").first(), newer.order_by("date", "pk").first()


class LetterUpdatePageQuerySet(PostPageQuerySet):
    def of_letter(self, letter):
        """The published updates to `letter`, oldest first (the order they are read in)."""
        return self.published().filter(letter=letter).order_by("date", "pk")


class LetterUpdatePage(ColumnSlugMixin, PostPage):
    """A letter writer's news after the answer ("Update from the letter writer, March 2027"),
    shown under the original letter and linked from it; the columnist may add a short note.

    Not a LetterPage with `update` set: that link is for a later letter with a question of its
    own and an answer (the demo's "Formerly Overlooked"), one per letter. An update has no
    question and needs no answer, and a letter may have several over the years."""

    letter = models.ForeignKey(
        "articles.LetterPage",
        null=True,  # kept if the letter is deleted; the editor decides what becomes of it
        on_delete=models.SET_NULL,
        related_name="writer_updates",
        help_text="The letter this update follows.",
    )
    text = RichTextField(
        features=INLINE_FEATURES, help_text="The writer's update, without greeting or sign-off."
    )
    pen_name = models.CharField(max_length=60, help_text="How the writer signs the update.")
    note = RichTextField(
        features=RICH_TEXT_FEATURES,
        blank=True,
        help_text="Optional: a short note from the columnist under the update.",
    )

    objects = PageManager.from_queryset(LetterUpdatePageQuerySet)()

    search_fields = [
        *PostPage.search_fields,
        index.SearchField("text"),
        index.SearchField("note"),
        index.SearchField("pen_name"),
    ]
    content_panels = [
        *Page.content_panels,
        FieldPanel("letter"),
        FieldPanel("text"),
        FieldPanel("pen_name"),
        FieldPanel("note"),
        byline_panel(),
        privacy_check_panel(),
    ]
    privacy_parts = (("Update", "text"), ("Note", "note"))
    base_form_class = LetterPageForm
    parent_page_types = ["articles.ColumnIndexPage"]
    subpage_types = []
    template = "articles/letter_update_page.html"

    class Meta:
        verbose_name = "update from a letter writer"

    @property
    def kind(self):
        return "update"

    @classmethod
    def default_author(cls, editor):
        return LetterPage.default_author(editor)

    @cached_property
    def original_letter(self):
        """The letter this update follows, if readers can see it (one query)."""
        if self.letter_id is None:
            return None
        letters = LetterPage.objects.published().only("title", "url_path", "date")
        return letters.filter(pk=self.letter_id).first()

    def text_html(self):
        return self.text + self.note

    def summary_html(self):
        return self.text  # the writer's words, not the columnist's note

    def text_passages(self):
        return [self.text, self.note]

    def searchable_extra(self):
        return self.pen_name

    def meaning_lead(self):
        return self.pen_name


# A round-up is a page of short letters: more than this is a section of its own.
ROUNDUP_MAX_LETTERS = 100


class RoundupPage(PostPage):
    """Several short letters with their answers on one page ("Five answers to five
    questions"). Each letter is at its own anchor (`#letter-1`, `#letter-2`, … in the editor's
    order), and search and "already answered?" find each on its own, not the page as a whole
    (`retrieval_documents`). A round-up is listed with the letters, in their feeds."""

    intro = models.TextField(
        blank=True, help_text="Optional. One or two sentences under the title."
    )

    search_fields = [
        *PostPage.search_fields,
        index.SearchField("intro"),
        index.RelatedFields(
            "letters",
            [
                index.SearchField("question"),
                index.SearchField("answer"),
                index.SearchField("pen_name"),
            ],
        ),
    ]
    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        InlinePanel(
            "letters",
            label="Letter",
            heading="Letters",
            min_num=1,
            max_num=ROUNDUP_MAX_LETTERS,
            help_text="Each letter is shown with its answer, in this order, and can be linked "
            "to as #letter-1, #letter-2, …",
        ),
        byline_panel(),
        privacy_confirm_panel(),
    ]
    base_form_class = RoundupPageForm
    parent_page_types = ["articles.ColumnIndexPage"]
    subpage_types = []
    template = "articles/roundup_page.html"
    retrieval_prefetch = ("topics", "letters")

    class Meta:
        verbose_name = "round-up of letters"
        verbose_name_plural = "round-ups of letters"

    # Found by "already answered?" and listed with the letters: a column of letters, several
    # at a time.
    kind = "letter"
    # One letter of it, as search shows it (`found_letter`); None for the whole round-up.
    letter = None

    @property
    def kind_label(self):
        return "Letter" if self.letter is not None else "Letters"

    def save(self, *args, **kwargs):
        """Letters given in code (the demo, an import) have no sort_order: number them in the
        order given, or PostgreSQL returns them in any order and the anchors move."""
        letters = list(self.letters.all())
        if any(letter.sort_order is None for letter in letters):
            for number, letter in enumerate(letters):
                letter.sort_order = number
            self.letters = letters
        return super().save(*args, **kwargs)

    def numbered_letters(self):
        """Its letters in order, each with its `number` and `anchor` ("letter-1", …)."""
        letters = list(self.letters.all())
        for number, letter in enumerate(letters, start=1):
            letter.number = number
        return letters

    def shown_letters(self):
        """`numbered_letters` with their question and answer expanded for readers
        (`question_html`, `answer_html`): page links and embeds in one pass for them all,
        so a round-up of a hundred letters costs the queries of one."""
        letters = self.numbered_letters()
        if not letters:
            return letters
        mark = f"<!--{uuid.uuid4().hex}-->"
        html = mark.join(part for letter in letters for part in (letter.question, letter.answer))
        parts = expand_db_html(html).split(mark)
        if len(parts) != 2 * len(letters):  # a text that held the mark: one at a time
            parts = [expand_db_html(p) for lt in letters for p in (lt.question, lt.answer)]
        for n, letter in enumerate(letters):
            letter.question_html, letter.answer_html = parts[2 * n], parts[2 * n + 1]
        return letters

    def letter_title(self, letter):
        """How one letter is named in search results: "Five answers to five questions – Poor"."""
        return f"{self.title} – {letter.pen_name}"

    def found_letter(self, anchor):
        """This round-up as its letter at `anchor`, for a list of what search found: its title
        names the pen name, its link goes to the anchor, its excerpt and snippet are that
        letter's. None when the round-up has no letter there (cut since it was indexed)."""
        letter = next((lt for lt in self.numbered_letters() if lt.anchor == anchor), None)
        if letter is None:
            return None
        found = copy.copy(self)
        found.__dict__.pop("summary", None)  # worked out again, from the letter
        found.letter, found.anchor, found.title = letter, anchor, self.letter_title(letter)
        return found

    def _letters_shown(self):
        return [self.letter] if self.letter is not None else self.numbered_letters()

    def text_html(self):
        """Each letter under its number and pen name, signed, then its answer (an email of the
        round-up reads as the page does)."""
        intro = format_html("<p>{}</p>", self.intro) if self.intro and self.letter is None else ""
        return intro + "".join(
            format_html("<h2>{}. {}</h2>", n, lt.pen_name)
            + lt.question
            + format_html("<p>—{}</p>", lt.pen_name)
            + lt.answer
            for n, lt in enumerate(self._letters_shown(), start=1)
        )

    def summary_html(self):
        # The readers' questions alone, as a letter's excerpt is its question.
        return " ".join(letter.question for letter in self._letters_shown())

    def text_passages(self):
        return [part for lt in self._letters_shown() for part in (lt.question, lt.answer)]

    def retrieval_documents(self):
        """One document per letter, at its anchor, titled with its pen name: readers find the
        letter that answers them, not a page of five."""
        topics = ", ".join(topic.name for topic in self.topics.all())
        documents = []
        for letter in self.numbered_letters():
            text = html_to_text(letter.question + letter.answer)
            documents.append(
                Described(
                    kind=self.kind,
                    title=self.letter_title(letter),
                    body=" ".join(part for part in (letter.pen_name, text) if part),
                    meaning=". ".join(part for part in (letter.pen_name, topics, text) if part),
                    anchor=letter.anchor,
                )
            )
        return documents

    def retrieval_document(self):
        raise NotImplementedError("a round-up has one document per letter: retrieval_documents")


class RoundupLetter(Orderable):
    """One letter of a round-up and its answer. As on a letter's own page, the greetings and
    sign-offs are rendered from the pen name and the columnist's name."""

    page = ParentalKey(RoundupPage, on_delete=models.CASCADE, related_name="letters")
    question = RichTextField(
        features=INLINE_FEATURES, help_text="The reader's letter, without greeting or sign-off."
    )
    pen_name = models.CharField(max_length=60, help_text='How the writer signs, e.g. "Poor".')
    answer = RichTextField(
        features=RICH_TEXT_FEATURES, help_text="The answer, without greeting or sign-off."
    )

    panels = [FieldPanel("question"), FieldPanel("pen_name"), FieldPanel("answer")]

    class Meta(Orderable.Meta):
        verbose_name = "letter in a round-up"
        ordering = ["sort_order", "pk"]  # the order written, should two share a sort_order

    def __str__(self):
        return self.pen_name

    def clean(self):
        # The editor's empty paragraph ("<p></p>") is not a letter, nor an answer.
        empty = {
            name: "Write the reader's letter." if name == "question" else "Write the answer."
            for name in ("question", "answer")
            if not html_to_text(getattr(self, name))
        }
        if empty:
            raise ValidationError(empty)

    @property
    def anchor(self):
        """ "letter-2": where on the round-up's page it is (set by `numbered_letters`)."""
        return f"letter-{getattr(self, 'number', (self.sort_order or 0) + 1)}"


class SectionPage(Page):
    """A section of the site that lists its posts newest first, paginated."""

    intro = models.TextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["core.HomePage"]

    class Meta:
        abstract = True

    def listed_posts(self):
        raise NotImplementedError

    def get_context(self, request, *args, **kwargs):
        from .listing import paginate  # listing imports this module

        context = super().get_context(request, *args, **kwargs)
        context["posts"] = paginate(request, self.listed_posts())
        return context


class ArticleIndexPage(SectionPage):
    """The guides section."""

    subpage_types = ["articles.ArticlePage"]
    template = "articles/index_page.html"

    class Meta:
        verbose_name = "guides index"

    def listed_posts(self):
        return ArticlePage.objects.published().child_of(self).newest_first()


class ColumnIndexPage(SectionPage):
    """The letters column ("Dear Dr. Mimi")."""

    subpage_types = ["articles.LetterPage", "articles.LetterUpdatePage", "articles.RoundupPage"]
    template = "articles/index_page.html"

    class Meta:
        verbose_name = "column index"

    def listed_posts(self):
        # Its children are letters, writers' updates and round-ups of letters (subpage_types).
        return PostPage.objects.published().child_of(self).newest_first()
