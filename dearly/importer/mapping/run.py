"""The mapping step: WordPress things (from wxr.py and content.py) to Dearly's models.

`WordPressImport(options).run(paths)` reads every file twice: a quick first pass that checks
the whole export parses (so a file broken near its end is refused before anything is
written) and notes the attachments, authors and pages that later items refer to; then the
import itself, in one transaction, keyed by WordPress ids in the import table."""

import dataclasses
import hashlib
import re
from collections import defaultdict
from contextlib import contextmanager
from urllib.parse import unquote, urlsplit

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone

from wagtail.models import Page, Site
from wagtail.signal_handlers import disable_reference_index_auto_update

from modelsearch.backends import get_search_backends
from modelsearch.signal_handlers import post_save_signal_handler

from dearly.articles.models import (
    ArticleIndexPage,
    ColumnIndexPage,
    LetterPage,
    PostPage,
    PostPageTag,
    Topic,
)
from dearly.core.invalidation import COMMENTS, CONTENT, batched, invalidate, thread
from dearly.core.models import StandardPage
from dearly.retrieval.indexing import embedding_ahead
from dearly.retrieval.indexing import schedule as schedule_indexing

from .. import content, wxr
from .body import BodyBlocks
from .comments import CommentWriter
from .links import LinkMarker, RedirectBook
from .media import MediaLibrary
from .pages import Tree, apply_status, plain_text, schedule, set_password, wanted_class
from .people import AuthorsAndTerms
from .report import Report
from .state import ImportTable, Kind, source_key
from .urls import OldUrls

FLUSH_EVERY = 200  # items between bulk writes
REINDEX_BATCH = 500  # pages loaded at a time for Wagtail's search index
SKIPPED_STATUSES = {"trash", "auto-draft", "inherit"}
LABELS = {"guide": "guides", "letter": "letters", "page": "pages"}


class ImportRefused(Exception):
    """The site is not ready for an import (the command prints it as one line)."""


@dataclasses.dataclass
class ImportOptions:
    letter_pattern: str = ""
    media_dir: str | None = None
    skip_pings: bool = False
    dry_run: bool = False


@dataclasses.dataclass
class Scan:
    """What the first pass learned."""

    items: int = 0
    hosts: set = dataclasses.field(default_factory=set)
    attachments: dict = dataclasses.field(default_factory=dict)  # (source, id) -> (url, alt, title)
    attached: dict = dataclasses.field(default_factory=dict)  # (source, post id) -> [ids]
    pages: set = dataclasses.field(default_factory=set)  # (source, id) of importable pages


def fingerprint(item, options):
    plain = dataclasses.replace(item, path="", line=0)
    extra = (options.letter_pattern, bool(options.media_dir), options.skip_pings)
    return hashlib.sha1(repr((plain, extra)).encode(), usedforsecurity=False).hexdigest()


@contextmanager
def deferred_indexing(models):
    """No search-index or reference-index work per saved page; the import indexes at the end."""
    quiet = [m for m in models if post_save.disconnect(post_save_signal_handler, sender=m)]
    try:
        with disable_reference_index_auto_update():
            yield
    finally:
        for model in quiet:
            post_save.connect(post_save_signal_handler, sender=model)


class WordPressImport(AuthorsAndTerms, BodyBlocks, OldUrls):
    def __init__(self, options, report=None):
        self.options = options
        self.pattern = re.compile(options.letter_pattern or content.LETTER_PATTERN)
        self.report = report or Report()
        self.table = ImportTable(forgettable=[Kind.COMMENT])
        self.users = {}  # (source, login) -> user id
        self.users_by_wp_id = {}  # (source, WordPress user id) -> user id
        self.topics = {}  # (source, slug) -> Topic
        self.topic_parents = {}  # Topic id -> (source, parent slug)
        self.tags = {}  # (source, slug) -> Tag
        self.channels = {}  # source -> Channel
        self.deferred = []  # pages whose parent page comes later in the export
        self.attachment_links = []
        self.to_fix = set()  # pages whose text links to the old site
        self.indexed = defaultdict(set)  # page class -> ids to index at the end
        self.ahead, self.sent_ahead = None, set()
        self.commented_pages = set()

    # --- the two passes ----------------------------------------------------------------

    def scan(self, paths):
        """First pass: parse everything (WXRError on the first problem) and note references."""
        scan = Scan()
        for path in paths:
            source = None
            for thing in wxr.iter_wxr(path):
                if isinstance(thing, wxr.Channel):
                    source = source_key(thing)
                    for url in (thing.base_site_url, thing.base_blog_url, thing.link):
                        host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
                        if host:
                            scan.hosts.add(host)
                elif isinstance(thing, wxr.Item):
                    scan.items += 1
                    if thing.post_type == "attachment":
                        alt = next(iter(thing.meta_values("_wp_attachment_image_alt")), "")
                        title = content.plain_title(thing.title)
                        url = thing.attachment_url or thing.guid
                        scan.attachments[(source, thing.wp_id)] = (url, alt, title)
                        if thing.parent_id:
                            key = (source, thing.parent_id)
                            scan.attached.setdefault(key, []).append(thing.wp_id)
                    elif thing.post_type == "page" and thing.status not in SKIPPED_STATUSES:
                        scan.pages.add((source, thing.wp_id))
        return scan

    def run(self, paths, progress=None):
        """Import the files; `progress` (a tqdm bar, optional) counts the items."""
        self.scan_result = self.scan(paths)
        if progress is not None:
            progress.total = self.scan_result.items
            progress.refresh()
        self.marker = LinkMarker(self.scan_result.hosts, self._resolve_now)
        self.media = MediaLibrary(
            self.options.media_dir, self.table, self.report, dry_run=self.options.dry_run
        )
        page_models = [Page, PostPage, wanted_class("guide"), LetterPage, StandardPage, Topic]
        try:
            with (
                transaction.atomic(),
                deferred_indexing(page_models),
                batched(),
                embedding_ahead() as self.ahead,
            ):
                self._setup()
                for path in paths:
                    self._import_file(path, progress)
                self._finish()
                if self.options.dry_run:
                    transaction.set_rollback(True)
        except BaseException:
            self.media.remove_stored()
            raise
        return self.report

    def _setup(self):
        site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
        if site is None:
            raise ImportRefused("there is no default site: run `manage.py load_demo` first")
        self.home = site.root_page.specific
        self.tree = Tree()
        self.redirects = RedirectBook(self.home)
        self.comments = CommentWriter(
            self.table,
            self.report,
            skip_pings=self.options.skip_pings,
            users_by_wp_id=self.users_by_wp_id,
        )
        self.existing_pages = set(Page.objects.values_list("pk", flat=True))
        self.url_paths = {}
        self.new_topic_links, self.new_tag_links = [], []
        self.guides = self._section(ArticleIndexPage, "Guides", "guides")
        self.letters = self._section(ColumnIndexPage, "Letters", "letters")

    def _section(self, model, title, slug):
        found = model.objects.child_of(self.home).first() or model.objects.first()
        if found is None:
            found = model(title=title, slug=self.tree.free_slug(self.home, slug, slug))
            found.draft_title, found.live = title, True
            self.tree.add(self.home, found)
        return found

    def _import_file(self, path, progress):
        source = None
        since_flush = 0
        for thing in wxr.iter_wxr(path):
            if isinstance(thing, wxr.Channel):
                source = source_key(thing)
                self.channels.setdefault(source, thing)
            elif isinstance(thing, wxr.Author):
                self.author(source, thing)
            elif isinstance(thing, wxr.Term):
                self.term(source, thing)
            elif isinstance(thing, wxr.Skipped):
                self.report.skip(f"{thing.what}s that could not be read", thing.comments)
                self.report.warn(str(thing))
            elif isinstance(thing, wxr.Notice):
                self.report.warn(str(thing))
            elif isinstance(thing, wxr.Item):
                self.current_source = source
                self.item(source, thing)
                since_flush += 1
                if progress is not None:
                    progress.update()
                if since_flush >= FLUSH_EVERY or self.comments.queued > 20_000:
                    self._flush()
                    since_flush = 0
        self._flush()

    def _flush(self):
        through = PostPage.topics.through
        through.objects.bulk_create(
            [through(postpage_id=page, topic_id=topic) for page, topic in self.new_topic_links],
            batch_size=1000,
        )
        PostPageTag.objects.bulk_create(
            [PostPageTag(content_object_id=page, tag_id=tag) for page, tag in self.new_tag_links],
            batch_size=1000,
        )
        self.new_topic_links, self.new_tag_links = [], []
        self.comments.flush()
        self.table.flush()
        self.table.forget_written(Kind.COMMENT)  # a comment's parent is always in its own post
        self.redirects.flush()
        if self.ahead is not None and not self.options.dry_run:
            new = {pk for ids in self.indexed.values() for pk in ids} - self.sent_ahead
            self.ahead.add(new)  # their vectors are worked out on the other core meanwhile
            self.sent_ahead |= new

    # --- posts and pages ---------------------------------------------------------------

    def item(self, source, item):
        post_type = item.post_type
        if post_type == "attachment":
            return self.attachment(source, item)
        if post_type not in ("post", "page"):
            self.report.skip(f"{post_type or 'untyped'} items", len(item.comments))
            return None
        if item.status in SKIPPED_STATUSES:
            self.report.skip(f"{post_type}s with status {item.status}", len(item.comments))
            return None
        kind_key = Kind.POST if post_type == "post" else Kind.PAGE
        known = self.table.get(source, kind_key, item.wp_id)
        digest = fingerprint(item, self.options)
        exists = known is not None and known.object_id in self.existing_pages
        if exists and known.fingerprint == digest:  # unchanged since the last run: no queries
            model = ContentType.objects.get_for_id(known.content_type_id).model_class()
            label = "pages" if post_type == "page" else LABELS[_kind_of(model)]
            self.report.unchanged[label] += 1
            return known.object_id
        page = Page.objects.get(pk=known.object_id).specific if exists else None
        parent = None
        if post_type == "page" and page is None:
            parent = self._parent_page(source, item)
            if parent is None:
                self.deferred.append((source, item))
                return None
        return self._write(source, item, page, parent, digest, kind_key)

    def _parent_page(self, source, item):
        """The page's parent, or None when that parent comes later in the export."""
        if not item.parent_id:
            return self.home
        parent_id = self.table.object_id(source, Kind.PAGE, item.parent_id)
        if parent_id:
            return Page.objects.get(pk=parent_id)
        if (source, item.parent_id) in self.scan_result.pages:
            return None
        self.report.warn(
            f"{item.path}:{item.line}: page {item.wp_id}'s parent ({item.parent_id}) is not "
            "in the export; placed at the top level"
        )
        return self.home

    def _write(self, source, item, page, parent, digest, kind_key):
        self.marker.seen = False
        converted = content.convert(item.content, resolve_link=self.marker)
        title = content.plain_title(item.title) or f"Untitled ({item.post_type} {item.wp_id})"
        for note in converted.notes:
            self.report.warn(f"{item.path}:{item.line}: “{title}”: {note}")
        kind, letter = self._classify(item, title, converted)
        new = page is None
        if not new and _kind_of(page) != kind:
            self.report.warn(
                f"{item.path}:{item.line}: “{title}” was imported as a {_kind_of(page)} before; "
                f"kept as one (it now looks like a {kind})"
            )
            kind = _kind_of(page)
            if kind == "letter" and letter is None:
                kind = "keep-letter"
        if new:
            page = wanted_class(kind)()
            parent = parent or (self.letters if kind == "letter" else self.guides)
            fallback = f"{item.post_type}-{item.wp_id}"
            page.slug = self.tree.free_slug(parent, unquote(item.slug) or title, fallback)
        page.title = page.draft_title = title[:255]
        if kind != "page":
            page.date = item.date_gmt or timezone.now()
            page.author_id = self.user_id(source, item.author_login)
            page.excerpt = plain_text(item.excerpt) or plain_text(converted.excerpt_html)
            page.featured = item.is_sticky
            page.comments_open = item.comment_status == "open"
            page.featured_image = self._featured_image(source, item)
            if new:  # written in bulk with the next flush, not through modelcluster
                page._imported_terms = (self._topics(source, item), self._tags(source, item))
            else:
                page.topics = self._topics(source, item)
                page.tags.set(self._tags(source, item))
        if kind in ("guide", "page"):
            page.body = self.stream(source, converted.blocks, item.wp_id)
        elif kind == "letter":
            page.question = letter.question_html
            page.pen_name = letter.pen_name[:60]
            page.answer = letter.answer_html
        go_live_at = apply_status(page, item, self.report)
        if new:
            page._imported_new = True
            self.tree.add(parent, page)
            self.url_paths[page.pk] = page.url_path
            terms = getattr(page, "_imported_terms", None)
            if terms:
                self.new_topic_links += [(page.pk, topic.pk) for topic in terms[0]]
                self.new_tag_links += [(page.pk, tag.pk) for tag in terms[1]]
        else:
            page.save(clean=False)
        set_password(page, item.password if item.status == "publish" else "")
        if go_live_at is not None:
            schedule(page, go_live_at)
        label = "pages" if item.post_type == "page" else LABELS[kind.removeprefix("keep-")]
        (self.report.created if new else self.report.updated)[label] += 1
        if kind == "letter":
            self.report.letters.append(title)
        self.table.record(source, kind_key, item.wp_id, page, old_url=item.link, fingerprint=digest)
        self.indexed[type(page)].add(page.pk)
        if self.marker.seen:
            self.to_fix.add(page.pk)
        self._page_redirects(item, page)
        if kind != "page":
            self.comments.add(source, page.pk, page.date, item.comments)
            self.commented_pages.add(page.pk)
        elif item.comments:
            self.report.skipped["comments on pages (left out: all were spam, trash or notes)"] += (
                len(item.comments)
            )
        return page

    def _classify(self, item, title, converted):
        if item.post_type == "page":
            # Plain pages have no comments here: a page with comments becomes a guide at the
            # same place in the tree, so its threads stay public.
            if any(self.comments.would_keep(c) for c in item.comments):
                return "guide", None
            return "page", None
        if not self.pattern.search(title):
            return "guide", None
        letter = content.split_letter(title, converted.blocks, pattern=self.pattern)
        if letter is None:
            self.report.not_split.append(f"{title} ({item.path}:{item.line})")
            return "guide", None
        return "letter", letter

    def attachment(self, source, item):
        url = item.attachment_url or item.guid
        title = self.scan_result.attachments.get((source, item.wp_id), ("", "", ""))[2]
        obj = self.media.file_for(source, url, title) if url else None
        known = self.table.get(source, Kind.ATTACHMENT, item.wp_id)
        model = type(obj) if obj is not None else None
        self.table.record(source, Kind.ATTACHMENT, item.wp_id, obj, old_url=url, model=model)
        bucket = self.report.created if known is None else self.report.unchanged
        bucket["attachments (original URLs recorded)"] += 1
        if item.comments:  # attachment pages are not imported, nor their comments
            self.report.skipped["comments on attachments"] += len(item.comments)
        self.attachment_links.append((source, item, obj, url))

    # --- the end -----------------------------------------------------------------------

    def _finish(self):
        rounds = 0
        while self.deferred and rounds < 50:  # parents declared after their children
            rounds += 1
            waiting, self.deferred = self.deferred, []
            progress = False
            for source, item in waiting:
                self.current_source = source
                if self.item(source, item) is not None:
                    progress = True
            if not progress:
                break
        for source, item in self.deferred:
            self.current_source = source
            self.report.warn(f"{item.path}:{item.line}: page {item.wp_id} placed at the top level")
            kind_key = Kind.PAGE
            digest = fingerprint(item, self.options)
            self._write(source, item, None, self.home, digest, kind_key)
        self.deferred = []
        self._flush()
        self._topic_parents()
        self._site_redirects()
        self._flush()
        self._fix_links()
        self.tree.fix_child_counts()
        self.tree.log_creations()
        self._reindex()
        self._bump_cached_versions()
        self.table.flush()
        self.report.created["redirects"] += self.redirects.created
        self._report_unredirected()

    def _reindex(self):
        if self.options.dry_run:
            return
        for model, ids in self.indexed.items():
            ids = sorted(ids)
            for start in range(0, len(ids), REINDEX_BATCH):  # not 100,000 pages in memory at once
                objects = list(model.objects.filter(pk__in=ids[start : start + REINDEX_BATCH]))
                for backend in get_search_backends(with_auto_update=True):
                    backend.add_bulk(model, objects)
        # Search, related posts and "already answered?" (dearly.retrieval): words and vectors.
        schedule_indexing({pk for ids in self.indexed.values() for pk in ids})

    def _bump_cached_versions(self):
        """Bulk writes send no signals: tell the caches once what may have changed."""
        threads = (thread(pk) for pk in self.commented_pages)
        invalidate(*CONTENT, COMMENTS, *threads)


def _kind_of(page):
    """ "letter", "page" or "guide" for a page or a page class."""
    cls = page if isinstance(page, type) else type(page)
    if issubclass(cls, LetterPage):
        return "letter"
    return "page" if issubclass(cls, StandardPage) else "guide"
