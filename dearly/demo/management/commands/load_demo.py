"""Load the demo column: idempotent, safe to run on every `make run`; says what it did."""

import datetime
import json
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from wagtail.models import Page, Site

from dearly.articles.models import (
    ArticleIndexPage,
    ArticlePage,
    ColumnIndexPage,
    LetterPage,
    PostPage,
    Topic,
)
from dearly.comments.models import Comment, CommentSettings
from dearly.core.models import ColumnSettings, HomePage, StandardPage
from dearly.demo import content as demo
from dearly.newsletter import sending

START = datetime.datetime(2025, 1, 6, 9, 0, tzinfo=datetime.UTC)


def paragraphs(texts):
    return "".join(f"<p>{t}</p>" for t in texts)


def rich(text):
    return {"type": "paragraph", "value": f"<p>{text}</p>"}


class Command(BaseCommand):
    help = "Load the demo column (home, guides, letters, topics, pages). Safe to run repeatedly."

    def handle(self, *args, **options):
        self.created = self.comments = 0
        with transaction.atomic(), sending.not_mailed():  # the demo is not news to subscribers
            author = self.columnist()
            home = self.home()
            self.topics = self.load_topics()
            guides = self.child(
                home,
                ArticleIndexPage,
                "guides",
                title="Guides",
                intro="Step-by-step help for the moments that matter at work.",
            )
            letters = self.child(
                home,
                ColumnIndexPage,
                "letters",
                title="Dear Dr. Mimi",
                intro="Readers' letters, answered.",
            )
            for slug, title, text in (
                ("about", "About", "Dearly is an advice column about work, written by Dr. Mimi."),
                (
                    "privacy",
                    "Privacy",
                    "We never publish a letter writer's email address or "
                    "any detail that could identify them.",
                ),
                (
                    "comment-policy",
                    "Comment policy",
                    "Be kind, stay on topic, and remember that letter writers are real people.",
                ),
            ):
                self.child(home, StandardPage, slug, title=title, intro=text)
            self.load_guides(guides, author)
            self.load_letters(letters, author)
            self.load_generated(guides, letters, author)
            self.load_comments()
        made = [
            f"{n} {what}" for n, what in ((self.created, "pages"), (self.comments, "comments")) if n
        ]
        verb = f"created {' and '.join(made)}" if made else "nothing new to create"
        self.stdout.write(self.style.SUCCESS(f"Demo content loaded: {verb}."))

    def columnist(self):
        user, made = get_user_model().objects.get_or_create(
            username="mimi",
            defaults={
                "display_name": "Dr. Mimi",
                "first_name": "Mimi",
                "bio": "Dr. Mimi has answered questions about work for twenty years.",
            },
        )
        if made:
            user.set_unusable_password()
            user.save()
        return user

    def home(self):
        site = Site.objects.filter(is_default_site=True).first()
        home = HomePage.objects.first()
        if home is None:
            root = Page.get_first_root_node()
            home = root.add_child(
                instance=HomePage(
                    title="Dearly",
                    slug="dearly-home",
                    intro="<p>Practical, kind answers to the questions people ask about work.</p>",
                )
            )
            home.save_revision().publish()
            self.created += 1
        # The demo site answers at SITE_URL (make run sets it from PORT), so canonical and
        # feed links point where the reader actually is.
        address = urlsplit(settings.WAGTAILADMIN_BASE_URL)
        old_root = site.root_page if site else None
        site = site or Site(is_default_site=True)
        site.hostname = address.hostname or "localhost"
        site.port = address.port or (443 if address.scheme == "https" else 80)
        site.root_page = home
        site.site_name = site.site_name or "Dearly"
        site.save()
        replaced = old_root and old_root.pk != home.pk and old_root.specific_class is Page
        if replaced and not old_root.get_children().exists():
            old_root.delete()  # Wagtail's "Welcome" placeholder
        ColumnSettings.for_site(site)  # creates the settings row with its defaults
        CommentSettings.for_site(site)
        return home

    def load_comments(self):
        """Demo readers (no password: they cannot log in) and their comments, once."""
        User = get_user_model()
        for slug, entries in demo.COMMENTS.items():
            page = PostPage.objects.filter(slug=slug).first()
            if page is None or Comment.objects.filter(page=page).exists():
                continue
            posted = []
            for n, (username, name, body, reply_to, status) in enumerate(entries):
                reader, made = User.objects.get_or_create(
                    username=username, defaults={"display_name": name}
                )
                if made:
                    reader.set_unusable_password()
                    reader.save()
                parent = posted[reply_to] if reply_to is not None else None
                self.comments += 1
                posted.append(
                    Comment.objects.create(
                        page=page,
                        author=reader,
                        parent=parent,
                        depth=parent.depth + 1 if parent else 1,
                        body=body,
                        status=status,
                        held_because="first comment" if status == "pending" else "",
                        created_at=page.date + timezone.timedelta(days=1, hours=n),
                    )
                )

    def load_topics(self):
        topics = {}
        for name, slug, parent, description in demo.TOPICS:
            topic, _ = Topic.objects.get_or_create(
                slug=slug,
                defaults={"name": name, "description": description, "parent": topics.get(parent)},
            )
            topics[slug] = topic
        return topics

    def child(self, parent, model, slug, **fields):
        existing = model.objects.child_of(parent).filter(slug=slug).first()
        if existing:
            return existing
        topics = fields.pop("topics", [])
        tags = fields.pop("tags", [])
        page = model(slug=slug, **fields)
        if topics:
            page.topics = [self.topics[t] for t in topics]
        if tags:
            page.tags.add(*tags)
        parent.add_child(instance=page)
        revision = page.save_revision()
        revision.publish()
        self.created += 1
        return page

    def load_guides(self, guides, author):
        steps = [{"lead": lead, "text": f"<p>{text}</p>"} for lead, text in demo.TURNED_DOWN_STEPS]
        self.child(
            guides,
            ArticlePage,
            "when-you-are-turned-down",
            title="When You Are Turned Down for a Job or Promotion",
            intro="Hearing no is hard. What you do in the next two weeks decides whether it "
            "becomes a setback or a step.",
            body=json.dumps(
                [
                    rich(
                        "Most people are turned down many times in a working life. The ones who "
                        "go on to get the role next time tend to do the same six things."
                    ),
                    {"type": "steps", "value": {"heading": "Six steps after a no", "steps": steps}},
                    {
                        "type": "quote",
                        "value": {
                            "quote": "The interview you lost is the rehearsal for the one you win.",
                            "attribution": "Dr. Mimi",
                        },
                    },
                ]
            ),
            date=START + datetime.timedelta(days=300),
            author=author,
            topics=["promotions", "job-search"],
            tags=["feedback", "promotion", "interviews"],
            featured=True,
        )
        self.child(
            guides,
            ArticlePage,
            "imposter-syndrome",
            title="Imposter Syndrome: When Success Feels Like a Mistake",
            intro="The fear of being found out is common, and it says little about your "
            "actual ability.",
            body=json.dumps([rich(p) for p in demo.IMPOSTER_BODY]),
            date=START + datetime.timedelta(days=320),
            author=author,
            topics=["wellbeing"],
            tags=["confidence", "imposter syndrome"],
        )

    def load_letters(self, letters, author):
        for offset, letter in enumerate(demo.LETTERS):
            self.child(
                letters,
                LetterPage,
                letter["slug"],
                title=letter["title"],
                pen_name=letter["pen_name"],
                question=paragraphs(letter["question"]),
                answer=paragraphs(letter["answer"]),
                date=START + datetime.timedelta(days=330 + 7 * offset),
                author=author,
                topics=letter["topics"],
                tags=letter["tags"],
            )

    def load_generated(self, guides, letters, author):
        """Further letters and guides so that listings and archives paginate."""
        now = timezone.now()
        for n in range(30):
            subject, topic, tags = demo.GENERATED_SUBJECTS[n % len(demo.GENERATED_SUBJECTS)]
            date = min(START + datetime.timedelta(days=11 * n), now)
            if n % 3 == 0:
                self.child(
                    guides,
                    ArticlePage,
                    f"notes-on-work-{n + 1}",
                    title=f"Notes on Work {n + 1}: Handling {subject}",
                    intro=f"A short guide to {subject}.",
                    body=json.dumps(
                        [
                            rich(
                                f"When you face {subject}, start by writing down what you can "
                                "change and what you cannot."
                            ),
                            rich("Then talk to one person you trust before you decide anything."),
                        ]
                    ),
                    date=date,
                    author=author,
                    topics=[topic],
                    tags=tags,
                )
            else:
                pen_name = demo.PEN_NAMES[n % len(demo.PEN_NAMES)]
                self.child(
                    letters,
                    LetterPage,
                    f"letter-{n + 1}",
                    title=f"Dear Dr. Mimi – {pen_name} ({n + 1})",
                    pen_name=pen_name,
                    question=paragraphs(
                        [
                            f"I am struggling with {subject}. It has gone on for "
                            "months and I do not know whom to talk to."
                        ]
                    ),
                    answer=paragraphs(
                        [
                            f"Many readers write about {subject}. Begin with a "
                            "calm, private conversation and a clear request.",
                            "If nothing changes, write down what happened and "
                            "take it one level up.",
                        ]
                    ),
                    date=date,
                    author=author,
                    topics=[topic],
                    tags=tags,
                )
