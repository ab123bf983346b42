"""Posts and pages as Wagtail pages: placed in the tree, given their old site's status.

Pages are written directly at their place in the tree (the path computed here, the parent's
child count fixed once at the end) instead of through add_child(): that keeps each new page
to a handful of queries. No publish signals are sent, so subscribers are not told about
fifteen years of old posts."""

import html
import re

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.text import slugify

from wagtail.models import Page, PageLogEntry, PageViewRestriction

import nh3

from dearly.articles.models import ArticlePage, LetterPage
from dearly.core.models import StandardPage

from ..content.html import visible_text
from ..sources.records import MEMBERS, PAID

SPACES = re.compile(r"\s+")


def plain_text(raw_html):
    """Text of an HTML fragment (excerpts): tags dropped, entities decoded, spaces collapsed."""
    text = nh3.clean(re.sub(r"</(p|div|li|h\d)>|<br\s*/?>", " ", raw_html or ""), tags=set())
    return SPACES.sub(" ", visible_text(html.unescape(text))).strip()


class Tree:
    """Where the next child of each parent goes, and which slugs are taken under it."""

    def __init__(self):
        self.last_step = {}
        self.slugs = {}
        self.touched = set()
        self.created = []

    def _load(self, parent):
        if parent.pk not in self.slugs:
            children = Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
            rows = list(children.values_list("path", "slug"))
            self.slugs[parent.pk] = {slug for _, slug in rows}
            last = max((path for path, _ in rows), default=None)
            self.last_step[parent.pk] = Page._str2int(last[-Page.steplen :]) if last else 0

    def free_slug(self, parent, wanted, fallback):
        self._load(parent)
        base = (slugify(wanted) or fallback)[:240].strip("-") or fallback
        slug, n = base, 1
        while slug in self.slugs[parent.pk]:
            n += 1
            slug = f"{base}-{n}"
        return slug

    def add(self, parent, page):
        self._load(parent)
        self.last_step[parent.pk] += 1
        page.depth = parent.depth + 1
        page.path = Page._get_path(parent.path, page.depth, self.last_step[parent.pk])
        page.locale_id = parent.locale_id
        page._cached_parent_obj = parent  # Page.save() asks for it to build the url_path
        page._is_site_root = False  # saves Page.save() a query
        page.save(clean=False, log_action=None)  # creation logged in bulk (log_creations)
        self.slugs[parent.pk].add(page.slug)
        self.touched.add(parent.pk)
        # What the log entry needs, not the page: 100,000 kept pages held over a gigabyte.
        self.created.append((page.pk, type(page), page.title[:255]))

    def log_creations(self):
        """The "Created" entry of each new page's history, written in one go."""
        now = timezone.now()
        PageLogEntry.objects.bulk_create(
            [
                PageLogEntry(
                    page_id=pk,
                    content_type=ContentType.objects.get_for_model(page_class),
                    label=title,
                    action="wagtail.create",
                    timestamp=now,
                    content_changed=True,
                    data={},
                )
                for pk, page_class, title in self.created
            ],
            batch_size=1000,
        )
        self.created = []

    def fix_child_counts(self):
        for parent in Page.objects.filter(pk__in=self.touched):
            count = Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
            Page.objects.filter(pk=parent.pk).update(numchild=count.count())


def where(entry):
    """ "file:line" (or the file) of an entry, for messages."""
    return f"{entry.path}:{entry.line}" if entry.line else entry.path


def apply_status(page, entry, report):
    """Live, draft or scheduled as on the old site. Private, password, members-only and paid
    posts are never public: private and paid ones become drafts, the others stay behind
    Wagtail's password or login restriction (set_password, require_login).

    Returns the date to approve a scheduled revision for, or None."""
    date = page.date if hasattr(page, "date") else entry.date or timezone.now()
    page.go_live_at = None
    status = entry.status
    if status in ("publish", "future") and entry.audience == PAID:
        label = entry.audience_label or "paid subscribers only"
        report.kept_private[f"{label} (kept as drafts)"] += 1
        status = "paid"
    elif status in ("publish", "future") and entry.audience == MEMBERS:
        label = entry.audience_label or "members only"
        report.kept_private[f"{label} (shown to readers who are logged in)"] += 1
    if status == "publish":
        page.live = True
        page.has_unpublished_changes = False
        page.first_published_at = page.first_published_at or date
        page.last_published_at = date
        if entry.password:
            report.kept_private["password-protected (asks for the password)"] += 1
        return None
    page.live = False
    page.has_unpublished_changes = True
    if status == "future":
        page.go_live_at = date
        return date
    if status == "private":
        # WordPress shows private posts to its editors only: here that is the admin, as drafts.
        report.kept_private[f"{entry.status_label or 'private'} (kept as drafts)"] += 1
    elif status not in ("draft", "pending", "paid"):
        report.warn(f"{where(entry)}: unknown status {status!r}, imported as a draft")
    return None


def require_login(page, pending):
    """Members-only posts: Wagtail's login restriction (readers with an account, who may sign
    up, as on Ghost and Substack). Never lifted by a later import: only an editor does that.
    A new page's restriction goes to `pending` (write_restrictions)."""
    login = PageViewRestriction.LOGIN
    if getattr(page, "_imported_new", False):
        pending.append(PageViewRestriction(page=page, restriction_type=login))
    elif not PageViewRestriction.objects.filter(page=page, restriction_type=login).exists():
        PageViewRestriction.objects.create(page=page, restriction_type=login)


def set_password(page, password, pending):
    """The WordPress post password as Wagtail's password restriction (it asks, as WP does).
    A new page's restriction goes to `pending` (write_restrictions)."""
    if getattr(page, "_imported_new", False):
        if password:  # nothing to remove from a page made a moment ago
            restriction = PageViewRestriction.PASSWORD
            pending.append(
                PageViewRestriction(
                    page=page, restriction_type=restriction, password=password[:255]
                )
            )
        return
    restrictions = PageViewRestriction.objects.filter(page=page)
    if not password:
        restrictions.filter(restriction_type=PageViewRestriction.PASSWORD).delete()
        return
    restriction = restrictions.filter(restriction_type=PageViewRestriction.PASSWORD).first()
    if restriction is None:
        PageViewRestriction.objects.create(
            page=page, restriction_type=PageViewRestriction.PASSWORD, password=password[:255]
        )
    elif restriction.password != password[:255]:
        restriction.password = password[:255]
        restriction.save(update_fields=["password"])


def write_restrictions(pending):
    """The restrictions of new pages (require_login, set_password) in one go, each with the
    entry in its page's history that Wagtail's own save writes. They send no signal, which
    would index and invalidate each page on its own: the import indexes its pages and tells the
    caches once, at the end, and nothing was cached of a page made by this import."""
    if not pending:
        return
    PageViewRestriction.objects.bulk_create(pending, batch_size=1000)
    now = timezone.now()
    names = dict(PageViewRestriction.RESTRICTION_CHOICES)
    PageLogEntry.objects.bulk_create(
        [
            PageLogEntry(
                page_id=restriction.page_id,
                content_type=ContentType.objects.get_for_model(type(restriction.page)),
                label=restriction.page.get_admin_display_title(),
                action="wagtail.view_restriction.create",
                timestamp=now,
                data={
                    "restriction": {
                        "type": restriction.restriction_type,
                        "title": force_str(names.get(restriction.restriction_type)),
                    }
                },
            )
            for restriction in pending
        ],
        batch_size=1000,
    )
    pending.clear()


def schedule(page, go_live_at):
    """A revision approved to go live at the old site's date: run_scheduler publishes it."""
    page.revisions.filter(approved_go_live_at__isnull=False).update(approved_go_live_at=None)
    revision = page.save_revision(clean=False, log_action=False)
    revision.approved_go_live_at = go_live_at
    revision.save(update_fields=["approved_go_live_at"])


def wanted_class(kind):
    return {"guide": ArticlePage, "letter": LetterPage, "page": StandardPage}[kind]
