"""The mapping step, shared by every source: neutral records (../sources/records.py) to
Dearly's pages, letters, accounts, topics, tags, redirects and subscribers.

`Import(source, options).run()` reads the export twice: the source's quick first pass checks
that the whole export parses (so a file broken near its end is refused before anything is
written) and notes what later records refer to; then the import itself, in one transaction,
keyed by the source's ids in the import table, so that a re-run updates and never duplicates.
`WordPressImport` adds what only WordPress has (mapping/wordpress.py)."""

import dataclasses
import hashlib
import re
from collections import defaultdict
from contextlib import contextmanager

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone

from wagtail.models import Page, Revision, Site
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
from dearly.core.invalidation import CONTENT, batched, invalidate
from dearly.core.models import StandardPage
from dearly.core.statistics import refresh_statistics
from dearly.retrieval.indexing import embedding_ahead
from dearly.retrieval.indexing import schedule as schedule_indexing

from .. import content
from ..sources import records
from ..sources.wordpress import WordPressExport
from .body import BodyBlocks
from .links import LinkMarker, RedirectBook
from .media import MediaLibrary
from .pages import (
    Tree,
    apply_status,
    plain_text,
    require_login,
    schedule,
    set_password,
    wanted_class,
    where,
    write_restrictions,
)
from .people import AuthorsAndTerms
from .readers import Readers
from .report import Report
from .state import ImportTable, Kind
from .urls import OldUrls
from .wordpress import WordPressSteps

FLUSH_EVERY = 200  # items between bulk writes
REINDEX_BATCH = 500  # pages loaded at a time for Wagtail's search index
LABELS = {"guide": "guides", "letter": "letters", "page": "pages"}


class ImportRefused(Exception):
    """The site is not ready for an import (the command prints it as one line)."""


@dataclasses.dataclass
class ImportOptions:
    letter_pattern: str = ""
    media_dir: str | None = None
    skip_pings: bool = False
    dry_run: bool = False


def fingerprint(entry, options):
    """A digest of an entry as exported, for sources that do not make their own."""
    plain = dataclasses.replace(entry, path="", line=None)
    extra = (options.letter_pattern, bool(options.media_dir))
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


class Import(AuthorsAndTerms, BodyBlocks, OldUrls):
    """The import of one source's export (a `records.Source`)."""

    def __init__(self, source, options, report=None):
        self.source = source
        self.options = options
        self.pattern = re.compile(options.letter_pattern or content.LETTER_PATTERN)
        self.report = report or Report()
        self.table = ImportTable(forgettable=[Kind.COMMENT])
        self.users = {}  # (site, login) -> user id
        self.users_by_wp_id = {}  # (site, the source's user id) -> user id
        self.topics = {}  # (site, slug) -> Topic
        self.topic_parents = {}  # Topic id -> (site, parent slug)
        self.tags = {}  # (site, slug) -> Tag
        self.sites = {}  # site key -> records.Site
        self.deferred = []  # pages whose parent page comes later in the export
        self.to_fix = set()  # pages whose text links to the old site
        self.indexed = defaultdict(set)  # page class -> ids to index at the end
        self.ahead, self.sent_ahead = None, set()
        self.new_restrictions = []  # of new pages, written at the next flush
        self.readers = Readers(self.report)

    # --- the two passes ----------------------------------------------------------------

    def run(self, progress=None):
        """Import the export; `progress` (a tqdm bar, optional) counts its items."""
        self.scan_result = self.source.scan()
        if progress is not None:
            progress.total = self.scan_result.items
            progress.refresh()
        self.marker = LinkMarker(self.scan_result.hosts, self._resolve_now)
        self.media = MediaLibrary(
            self.options.media_dir,
            self.table,
            self.report,
            dry_run=self.options.dry_run,
            folder=self.source.media_folder,
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
                self._import_records(progress)
                self._finish()
                if self.options.dry_run:
                    transaction.set_rollback(True)
        except BaseException:
            self.media.remove_stored()
            raise
        if not self.options.dry_run:
            refresh_statistics()  # the planner sees the tables as they are now, not empty
        return self.report

    def _setup(self):
        site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
        if site is None:
            raise ImportRefused("there is no default site: run `manage.py load_demo` first")
        self.home = site.root_page.specific
        self.tree = Tree()
        self.redirects = RedirectBook(self.home)
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

    def _import_records(self, progress):
        site = None
        since_flush = 0
        for record in self.source.records():
            if isinstance(record, records.Site):
                site = record.key
                self.sites.setdefault(site, record)
                continue
            if isinstance(record, records.Person):
                self.author(site, record)
                continue
            if isinstance(record, records.Term):
                self.term(site, record)
                continue
            if isinstance(record, records.Reader):
                self.readers.add(record)
                continue
            if isinstance(record, records.Notice):
                self.report.warn(record.message)
                continue
            self.current_source = site
            if isinstance(record, records.Entry):
                self.entry(site, record)
            elif isinstance(record, records.Skipped):
                self.report.skip(record.reason, count=record.count, comments=record.comments)
                if record.warning:
                    self.report.warn(record.warning)
            else:
                self.other(site, record)
            since_flush += 1
            if progress is not None:
                progress.update()
            if since_flush >= FLUSH_EVERY or self._needs_flush():
                self._flush()
                since_flush = 0
        self._flush()

    def other(self, site, record):
        """A record only some sources yield (WordPress's attachments)."""
        raise TypeError(f"{self.source.label} gave an unknown record: {record!r}")

    def _needs_flush(self):
        return False

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
        write_restrictions(self.new_restrictions)  # before the pages are embedded: not public
        self._flush_more()
        self.table.flush()
        self.table.forget_written(Kind.COMMENT)  # a comment's parent is always in its own post
        self.redirects.flush()
        if self.ahead is not None and not self.options.dry_run:
            new = {pk for ids in self.indexed.values() for pk in ids} - self.sent_ahead
            self.ahead.add(new)  # their vectors are worked out on the other core meanwhile
            self.sent_ahead |= new

    def _flush_more(self):
        """What a source adds to each bulk write, before the import table's rows."""

    # --- posts and pages ---------------------------------------------------------------

    def entry(self, site, entry):
        kind_key = Kind.POST if entry.kind == "post" else Kind.PAGE
        known = self.table.get(site, kind_key, entry.key)
        digest = entry.fingerprint or fingerprint(entry, self.options)
        exists = known is not None and known.object_id in self.existing_pages
        if exists and known.fingerprint == digest:  # unchanged since the last run: no queries
            model = ContentType.objects.get_for_id(known.content_type_id).model_class()
            label = "pages" if entry.kind == "page" else LABELS[_kind_of(model)]
            self.report.unchanged[label] += 1
            return known.object_id
        page = Page.objects.get(pk=known.object_id).specific if exists else None
        parent = None
        if entry.kind == "page" and page is None:
            parent = self._parent_page(site, entry)
            if parent is None:
                self.deferred.append((site, entry))
                return None
        return self._write(site, entry, page, parent, digest, kind_key)

    def _parent_page(self, site, entry):
        """The page's parent, or None when that parent comes later in the export."""
        if not entry.parent:
            return self.home
        parent_id = self.table.object_id(site, Kind.PAGE, entry.parent)
        if parent_id:
            return Page.objects.get(pk=parent_id)
        if (site, entry.parent) in self.scan_result.pages:
            return None
        self.report.warn(
            f"{where(entry)}: page {entry.key}'s parent ({entry.parent}) is not "
            "in the export; placed at the top level"
        )
        return self.home

    def _write(self, site, entry, page, parent, digest, kind_key):
        title = content.plain_title(entry.title) or f"Untitled ({entry.kind} {entry.key})"
        new = page is None
        if not new and _edited_here(page):
            return self._keep_edited(site, entry, page, kind_key, title)
        self.marker.seen = False
        converted = self.source.convert(site, entry, self.marker)
        for note in converted.notes:
            self.report.warn(f"{where(entry)}: “{title}”: {note}")
        kind, letter = self._classify(entry, title, converted)
        if not new and _kind_of(page) != kind:
            self.report.warn(
                f"{where(entry)}: “{title}” was imported as a {_kind_of(page)} before; "
                f"kept as one (it now looks like a {kind})"
            )
            kind = _kind_of(page)
            if kind == "letter" and letter is None:
                kind = "keep-letter"
        if new:
            page = wanted_class(kind)()
            parent = parent or (self.letters if kind == "letter" else self.guides)
            fallback = f"{entry.kind}-{entry.key}"
            page.slug = self.tree.free_slug(parent, entry.slug or title, fallback)
        page.title = page.draft_title = title[:255]
        if entry.seo_title:
            page.seo_title = content.plain_title(entry.seo_title)[:255]
        if entry.search_description:
            page.search_description = plain_text(entry.search_description)
        if kind != "page":
            page.date = entry.date or timezone.now()
            page.author_id = self.user_id(site, entry.author)
            page.excerpt = plain_text(entry.excerpt) or plain_text(converted.excerpt_html)
            page.featured = entry.sticky
            page.comments_open = entry.comments_open
            page.featured_image = self._featured_image(site, entry)
            if new:  # written in bulk with the next flush, not through modelcluster
                page._imported_terms = (self._topics(site, entry), self._tags(site, entry))
            else:
                page.topics = self._topics(site, entry)
                page.tags.set(self._tags(site, entry))
        if kind in ("guide", "page"):
            page.body = self.stream(site, converted.blocks)
        elif kind == "letter":
            page.question = letter.question_html
            page.pen_name = letter.pen_name[:60]
            page.answer = letter.answer_html
        go_live_at = apply_status(page, entry, self.report)
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
        if entry.password is not None:
            password = entry.password if entry.status == "publish" else ""
            set_password(page, password, self.new_restrictions)
        if entry.audience == records.MEMBERS:
            require_login(page, self.new_restrictions)
        if go_live_at is not None:
            schedule(page, go_live_at)
        label = "pages" if entry.kind == "page" else LABELS[kind.removeprefix("keep-")]
        (self.report.created if new else self.report.updated)[label] += 1
        if kind == "letter":
            self.report.letters.append(title)
        old_url = entry.old_url
        self.table.record(site, kind_key, entry.key, page, old_url=old_url, fingerprint=digest)
        self.indexed[type(page)].add(page.pk)
        if self.marker.seen:
            self.to_fix.add(page.pk)
        self._page_redirects(entry, page)
        self._written(site, entry, page, kind)
        return page

    def _keep_edited(self, site, entry, page, kind_key, title):
        """A page an editor has changed here since it was imported stays as they left it."""
        self.report.warn(
            f"{where(entry)}: “{title}” changed in the export but was edited here since it was "
            "imported: kept as it is here"
        )
        label = "pages" if entry.kind == "page" else LABELS[_kind_of(page)]
        self.report.unchanged[label] += 1
        known = self.table.get(site, kind_key, entry.key)
        self.table.record(
            site, kind_key, entry.key, page, old_url=entry.old_url, fingerprint=known.fingerprint
        )
        self._page_redirects(entry, page)
        self._written(site, entry, page, _kind_of(page))
        return page

    def _written(self, site, entry, page, kind):
        """What a source adds once an entry's page exists (WordPress: its comments)."""

    def _page_keeps_comments(self, entry):
        return False

    def _classify(self, entry, title, converted):
        if entry.kind == "page":
            # Plain pages have no comments here: a page with comments becomes a guide at the
            # same place in the tree, so its threads stay public.
            if self._page_keeps_comments(entry):
                return "guide", None
            return "page", None
        if not self.pattern.search(title):
            return "guide", None
        letter = content.split_letter(title, converted.blocks, pattern=self.pattern)
        if letter is None:
            self.report.not_split.append(f"{title} ({where(entry)})")
            return "guide", None
        return "letter", letter

    # --- the end -----------------------------------------------------------------------

    def _finish(self):
        rounds = 0
        while self.deferred and rounds < 50:  # parents declared after their children
            rounds += 1
            waiting, self.deferred = self.deferred, []
            progress = False
            for site, entry in waiting:
                self.current_source = site
                if self.entry(site, entry) is not None:
                    progress = True
            if not progress:
                break
        for site, entry in self.deferred:
            self.current_source = site
            self.report.warn(f"{where(entry)}: page {entry.key} placed at the top level")
            digest = entry.fingerprint or fingerprint(entry, self.options)
            self._write(site, entry, None, self.home, digest, Kind.PAGE)
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
        self.readers.subscribe()
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

    def _bump_cached_versions(self, *more):
        """Bulk writes send no signals: tell the caches once what may have changed."""
        invalidate(*CONTENT, *more)


class WordPressImport(WordPressSteps, Import):
    """`WordPressImport(options).run(paths)`: one or several WXR files."""

    def __init__(self, options, report=None):
        super().__init__(None, options, report)

    def run(self, paths, progress=None):
        self.source = WordPressExport(paths, self.options)
        return super().run(progress)


def _edited_here(page):
    """Whether an editor saved the page here (a revision with a user) since its import: the
    import's own revisions (scheduled posts) have none."""
    if page.latest_revision_id is None:
        return False
    return Revision.objects.filter(pk=page.latest_revision_id, user__isnull=False).exists()


def _kind_of(page):
    """ "letter", "page" or "guide" for a page or a page class."""
    cls = page if isinstance(page, type) else type(page)
    if issubclass(cls, LetterPage):
        return "letter"
    return "page" if issubclass(cls, StandardPage) else "guide"
