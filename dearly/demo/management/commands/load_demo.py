"""Load the demo column: idempotent, safe to run on every `make run`; says what it did."""

import datetime
import io
import json
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from wagtail.images import get_image_model
from wagtail.models import Page, Site

from dearly.articles.editor import rich_text_lines
from dearly.articles.models import (
    ArticleIndexPage,
    ArticlePage,
    ColumnIndexPage,
    LetterPage,
    LetterUpdatePage,
    PostPage,
    RoundupLetter,
    RoundupPage,
    Topic,
)
from dearly.comments.models import Comment, CommentSettings
from dearly.core.models import ColumnSettings, HomePage, StandardPage
from dearly.demo import content as demo
from dearly.demo.illustrations import ILLUSTRATIONS
from dearly.newsletter import sending
from dearly.questions import consent
from dearly.questions.models import LetterClaim, Question, WriterUpdate
from dearly.questions.similarity import question_plain_text

# The weekly digest takes the posts first published in its week (newsletter.sending): a demo
# post dated at least this long ago is in no digest sent from now on.
NOT_NEWS = datetime.timedelta(days=8)
# The numbered filler earlier versions of the demo made ("Notes on Work 4: …", "Dear Dr. Mimi –
# Curious (5)"): a site loaded with them gets the written column instead.
OLD_FILLER_SLUG = re.compile(r"(notes-on-work|letter)-\d+")
OLD_FILLER_TITLE = re.compile(r"^Notes on Work \d+: |^Dear Dr\. Mimi – .* \(\d+\)$")

MADE = {  # what load_demo counts: (one, several)
    "pages": ("page", "pages"),
    "images": ("image", "images"),
    "comments": ("comment", "comments"),
    "links": ("link from a letter to its update", "links from letters to their updates"),
    "claims": ("letter claimed by its writer", "letters claimed by their writers"),
    "writer_updates": (
        "update from a letter writer (in the inbox or published)",
        "updates from letter writers (in the inbox or published)",
    ),
}


class Command(BaseCommand):
    help = "Load the demo column (home, guides, letters, topics, pages). Safe to run repeatedly."

    def handle(self, *args, **options):
        self.done = dict.fromkeys([*MADE, "removed"], 0)
        with transaction.atomic(), sending.not_mailed():  # the demo is not news to subscribers
            author = self.columnist()
            home = self.home()
            self.topics = self.load_topics()
            self.images = self.load_images()
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
                intro="Readers’ letters, answered.",
            )
            for page in demo.pages():
                self.child(
                    home,
                    StandardPage,
                    page["slug"],
                    title=page["title"],
                    intro=page["intro"],
                    body=json.dumps(self.plain_page_body(page)),
                )
            self.remove_old_filler(guides, letters)
            self.load_posts(guides, letters, author)
            self.link_updates()
            self.load_writer_updates(author)
            self.load_comments(author)
            self.load_claims()
        self.stdout.write(self.style.SUCCESS(f"Demo content loaded: {self.summary()}."))

    def summary(self):
        made = [
            f"{n} {one if n == 1 else several}"
            for key, (one, several) in MADE.items()
            if (n := self.done[key])
        ]
        said = f"created {', '.join(made)}" if made else "nothing new to create"
        if n := self.done["removed"]:
            said += f"; removed {n} {'page' if n == 1 else 'pages'} of the old numbered filler"
        return said

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

    def reader(self, username, name):
        """A demo reader: no password, so nobody can log in as them."""
        user, made = get_user_model().objects.get_or_create(
            username=username, defaults={"display_name": name}
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
            self.done["pages"] += 1
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

    def load_topics(self):
        topics = {}
        for topic in demo.topics():
            topics[topic["slug"]], _ = Topic.objects.get_or_create(
                slug=topic["slug"],
                defaults={
                    "name": topic["name"],
                    "description": topic["description"],
                    "parent": topics.get(topic.get("parent")),
                },
            )
        return topics

    def load_images(self):
        """The illustrations (dearly/demo/illustrations.py) as Wagtail images, found by title."""
        Image = get_image_model()
        images = {}
        for key, drawing in ILLUSTRATIONS.items():
            image = Image.objects.filter(title=drawing.title).first()
            if image is None:
                image = Image.objects.create(
                    title=drawing.title,
                    description=drawing.description,
                    file=ImageFile(io.BytesIO(drawing.png()), name=f"demo-{key}.png"),
                    width=drawing.size[0],
                    height=drawing.size[1],
                )
                image.get_file_size(), image.get_file_hash()  # as an upload leaves them
                self.done["images"] += 1
            images[key] = image
        return images

    def figure(self, key, caption):
        image = self.images[key]
        value = {"image": image.pk, "alt_text": image.description, "decorative": False}
        return {"type": "image", "value": {"image": value, "caption": caption}}

    def plain_page_body(self, page):
        body = [self.figure(page["image"], page["caption"])] if "image" in page else []
        return [*body, {"type": "paragraph", "value": demo.html(page["body"])}]

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
        page.save_revision().publish()
        if isinstance(page, PostPage):  # published when it is dated, as an import would be
            Page.objects.filter(pk=page.pk).update(
                first_published_at=page.date, last_published_at=page.date
            )
        self.done["pages"] += 1
        return page

    def remove_old_filler(self, guides, letters):
        numbered = Q(slug__startswith="notes-on-work-") | Q(slug__startswith="letter-")
        for section in (guides, letters):
            for page in section.get_children().filter(numbered):
                if OLD_FILLER_SLUG.fullmatch(page.slug) and OLD_FILLER_TITLE.search(page.title):
                    page.delete()
                    self.done["removed"] += 1

    def load_posts(self, guides, letters, author):
        """Letters, round-ups and guides, oldest first, so that a post can link to those before
        it."""
        posts = [("letter", letter) for letter in demo.letters()]
        posts += [("roundup", roundup) for roundup in demo.roundups()]
        posts += [("guide", guide) for guide in demo.guides()]
        posts.sort(key=lambda post: post[1]["date"])
        slugs = [post["slug"] for _, post in posts]
        self.page_ids = dict(PostPage.objects.filter(slug__in=slugs).values_list("slug", "pk"))
        latest = timezone.now() - NOT_NEWS
        for kind, post in posts:
            common = {
                "date": min(post["date"], latest),
                "author": author,
                "topics": post["topics"],
                "tags": post["tags"],
                "featured_image": self.images.get(post.get("image")),
            }
            if kind == "letter":
                page = self.child(
                    letters,
                    LetterPage,
                    post["slug"],
                    title=demo.letter_title(post),
                    pen_name=post["pen_name"],
                    question=demo.html(post["question"], self.page_ids),
                    answer=demo.html(post["answer"], self.page_ids),
                    comments_open=post.get("comments_open", True),
                    **common,
                )
            elif kind == "roundup":
                page = self.child(
                    letters,
                    RoundupPage,
                    post["slug"],
                    title=post["title"],
                    intro=post["intro"],
                    letters=[
                        RoundupLetter(
                            pen_name=letter["pen_name"],
                            question=demo.html(letter["question"], self.page_ids),
                            answer=demo.html(letter["answer"], self.page_ids),
                        )
                        for letter in post["letter"]
                    ],
                    **common,
                )
            else:
                page = self.child(
                    guides,
                    ArticlePage,
                    post["slug"],
                    title=post["title"],
                    intro=post["intro"],
                    body=json.dumps([self.guide_block(block) for block in post["body"]]),
                    featured=post.get("featured", False),
                    **common,
                )
            self.page_ids[page.slug] = page.pk

    def guide_block(self, block):
        kind = block["type"]
        if kind == "paragraph":
            return {"type": kind, "value": demo.html(block["text"], self.page_ids)}
        if kind == "steps":
            steps = [
                {"lead": step["lead"], "text": demo.html(step["text"], self.page_ids)}
                for step in block["steps"]
            ]
            return {"type": kind, "value": {"heading": block["heading"], "steps": steps}}
        if kind == "quote":
            return {
                "type": kind,
                "value": {"quote": block["quote"], "attribution": block["attribution"]},
            }
        if kind == "image":
            return self.figure(block["image"], block["caption"])
        raise ValueError(f"unknown block type {kind!r} in dearly/demo/text/guides.toml")

    def link_updates(self):
        """A letter whose writer wrote again links to the later letter (LetterPage.update), in a
        revision published when the later one was; the later one links back in its text."""
        for letter in demo.letters():
            if "update" not in letter:
                continue
            original = LetterPage.objects.filter(slug=letter["slug"]).first()
            later = LetterPage.objects.filter(slug=letter["update"]).first()
            if original is None or later is None or original.update_id is not None:
                continue
            original.update = later
            original.save_revision().publish()
            Page.objects.filter(pk=original.pk).update(last_published_at=later.date)
            self.done["links"] += 1

    def load_writer_updates(self, columnist):
        """A published letter's question, as if sent from /ask/, with an update from its writer,
        for letters that have no question yet: waiting in the inbox, or (with `published`)
        answered and published under the letter on that day, with the columnist's note. Nobody
        holds the status link: only its hash is stored, of a token thrown away here."""
        for entry in demo.writer_updates():
            letter = LetterPage.objects.filter(slug=entry["letter"]).first()
            if letter is None or Question.objects.filter(letter=letter).exists():
                continue
            _, token_hash = Question.new_token()
            question = Question.objects.create(
                text=rich_text_lines(letter.question).replace("\n", "\n\n"),
                pen_name=letter.pen_name,
                consent=True,
                status=Question.Status.PUBLISHED,
                token_hash=token_hash,
                letter=letter,
                created_at=letter.date - datetime.timedelta(days=20),
                status_changed_at=letter.date,
            )
            columnist_name = ColumnSettings.objects.values_list("columnist_name", flat=True).first()
            consent.record(
                question, consent.letter_consent_text(columnist_name or "Dr. Mimi"), None
            )
            _, submission_hash = Question.new_token()
            update = WriterUpdate.objects.create(
                question=question, text=entry["text"].strip(), submission_hash=submission_hash
            )
            consent.record(
                question, consent.update_consent_text(columnist_name or "Dr. Mimi"), None, update
            )
            if "published" in entry:
                self.publish_writer_update(update, letter, entry, columnist)
            self.done["writer_updates"] += 1

    def publish_writer_update(self, update, letter, entry, columnist):
        """The update page an editor would make from `update` in the inbox, published."""
        page = LetterUpdatePage(
            title=f"Update: {letter.title}",
            slug=f"update-{letter.slug}",
            letter=letter,
            text=demo.html(entry["text"]),
            pen_name=letter.pen_name,
            note=demo.html(entry.get("note", "")) if entry.get("note") else "",
            date=entry["published"],
            author=columnist,
            owner=columnist,
            topics=list(letter.topics.all()),
        )
        letter.get_parent().add_child(instance=page)
        page.save_revision(user=columnist).publish()
        Page.objects.filter(pk=page.pk).update(
            first_published_at=page.date, last_published_at=page.date
        )
        update.page = page
        update.set_status(WriterUpdate.Status.PUBLISHED, "page")

    def load_comments(self, columnist):
        """The readers' comment threads, on posts that have none yet."""
        people = {"mimi": columnist}
        people.update((name, self.reader(name, shown)) for name, shown in demo.readers().items())
        for thread in demo.threads():
            page = PostPage.objects.filter(slug=thread["post"]).first()
            if page is None or Comment.objects.filter(page=page).exists():
                continue
            keyed = {}
            for entry in thread["comment"]:
                parent = keyed[entry["reply_to"]] if "reply_to" in entry else None
                status = entry.get("status", Comment.Status.APPROVED)
                comment = Comment.objects.create(
                    page=page,
                    author=people[entry["by"]],
                    parent=parent,
                    depth=parent.depth + 1 if parent else 1,
                    body=entry["text"],
                    status=status,
                    held_because="first comment" if status == Comment.Status.PENDING else "",
                    created_at=page.date + datetime.timedelta(hours=entry["hours"]),
                )
                if "key" in entry:
                    keyed[entry["key"]] = comment
                self.done["comments"] += 1

    def load_claims(self):
        """Letters their writers claimed (the "Letter writer" badge): the question each came
        from, published, with a status link nobody knows, and the claim by the demo reader."""
        for username, slug in demo.letter_writers().items():
            letter = LetterPage.objects.filter(slug=slug).first()
            if letter is None or LetterClaim.objects.filter(question__letter=letter).exists():
                continue
            question = Question.objects.filter(letter=letter).first()
            if question is None:
                _, token_hash = Question.new_token()
                question = Question.objects.create(
                    text=question_plain_text(letter.question),
                    pen_name=letter.pen_name,
                    consent=True,
                    status=Question.Status.PUBLISHED,
                    token_hash=token_hash,
                    letter=letter,
                    created_at=letter.date - datetime.timedelta(days=12),
                    status_changed_at=letter.date,
                )
            reader = self.reader(username, demo.readers()[username])
            LetterClaim.objects.create(question=question, user=reader)
            self.done["claims"] += 1
