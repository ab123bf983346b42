"""WordPress comments as Dearly comments, written in bulk, threads kept.

Each comment keeps its true parent (at any depth: the thread display folds replies below
five levels into the fifth). Moderation done here wins over the export: a re-run updates
text, names, dates and threads, but never a comment's status, and never brings back a
comment a moderator deleted."""

import html
import ipaddress
import re
from collections import defaultdict

from django.utils.html import escape, linebreaks

import nh3

from dearly.comments.models import Comment
from dearly.comments.rendering import LINK_REL, render_body

from ..content.html import one_line, visible_text
from .state import Kind

STATUS = {"1": Comment.Status.APPROVED, "0": Comment.Status.PENDING}
SKIPPED = {"spam": "spam comments", "trash": "trashed comments"}
SKIPPED["post-trashed"] = "comments on trashed posts"
PINGS = {"pingback": Comment.Kind.PINGBACK, "trackback": Comment.Kind.TRACKBACK}
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")  # as clean_body
BREAKS = re.compile(r"<br\s*/?>|</p>|</div>|</li>|</blockquote>", re.IGNORECASE)
UPDATED_FIELDS = ["parent_id", "depth", "author_id", "author_name", "author_email", "kind", "body"]
UPDATED_FIELDS += ["body_html", "created_at", "ip_address"]


def comment_text(raw):
    """Comment HTML as the plain text the comment rules expect (links keep their URLs)."""
    raw = re.sub(
        r'<a\s[^>]*href="([^"]+)"[^>]*>(.*?)</a>',
        lambda m: m.group(2) if m.group(1) in m.group(2) else f"{m.group(2)} ({m.group(1)})",
        raw,
        flags=re.IGNORECASE | re.DOTALL,
    )
    text = html.unescape(nh3.clean(BREAKS.sub("\n", raw), tags=set()))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = visible_text(CONTROL.sub("", text))  # as the comment form cleans what readers type
    return re.sub(r"\n{3,}", "\n\n", text).strip()


LINKISH = re.compile(r"://|www\.|@|\.(com|edu|gov|int|mil|net|org)\b", re.IGNORECASE)


def comment_html(text):
    """render_body(text), without Django's urlize where there is nothing to link: urlize is
    most of the cost of 100,000 imported comments."""
    if LINKISH.search(text):
        return render_body(text)
    html = linebreaks(escape(text), autoescape=False)
    return nh3.clean(html, tags={"p", "br", "a"}, attributes={"a": {"href"}}, link_rel=LINK_REL)


def valid_ip(value):
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


class CommentWriter:
    def __init__(self, table, report, *, skip_pings, users_by_wp_id):
        self.table = table
        self.report = report
        self.skip_pings = skip_pings
        self.users_by_wp_id = users_by_wp_id  # (source, WordPress user id) -> user id
        self.queue = []  # (source, page id, page date, WordPress comments)
        self.queued = 0

    def add(self, source, page_id, page_date, comments):
        if comments:
            self.queue.append((source, page_id, page_date, comments))
            self.queued += len(comments)

    def flush(self):
        """Write the queued comments: existing ones updated, new ones created level by level."""
        levels = defaultdict(list)  # depth -> [(source, Comment, WordPress parent id)]
        existing = {}
        for source, page_id, page_date, comments in self.queue:
            for depth, wp, wp_parent in self._kept(source, comments):
                comment = self._comment(source, page_id, page_date, wp, depth)
                known = self.table.get(source, Kind.COMMENT, wp.wp_id)
                if known is not None:
                    existing[known.object_id] = (source, comment, wp_parent)
                else:
                    levels[depth].append((source, comment, wp_parent, wp.wp_id))
        self._update(existing)
        for depth in sorted(levels):
            batch = levels[depth]
            for source, comment, wp_parent, _ in batch:
                comment.parent_id = self._parent_id(source, wp_parent)
            Comment.objects.bulk_create([c for _, c, _, _ in batch], batch_size=1000)
            for source, comment, _, wp_id in batch:
                self.table.record(source, Kind.COMMENT, wp_id, comment)
            self.report.created["comments"] += len(batch)
        self.queue = []
        self.queued = 0

    def _parent_id(self, source, wp_parent):
        return self.table.object_id(source, Kind.COMMENT, wp_parent) if wp_parent else None

    def _kept(self, source, comments):
        """(depth, comment, kept parent's WordPress id) for the comments to import, parents
        first; a reply to a left-out comment joins the nearest kept ancestor."""
        by_id = {c.wp_id: c for c in comments}
        kept = {}
        for c in comments:
            reason = self._skip_reason(c)
            if reason:
                self.report.skipped[reason] += 1
            else:
                kept[c.wp_id] = c

        def kept_parent(c):
            seen = {c.wp_id}
            parent = by_id.get(c.parent_id)
            while parent is not None and parent.wp_id not in kept and parent.wp_id not in seen:
                seen.add(parent.wp_id)
                parent = by_id.get(parent.parent_id)
            return parent.wp_id if parent is not None and parent.wp_id in kept else 0

        parents = {wp_id: kept_parent(c) for wp_id, c in kept.items()}
        depths = {}
        for wp_id in kept:
            chain, node = [], wp_id
            while node and node not in depths and node not in chain:
                chain.append(node)
                node = parents[node]
            base = depths.get(node, 0)
            for n, link in enumerate(reversed(chain), start=1):
                depths[link] = base + n
        rows = [(depths[wp_id], c, parents[wp_id]) for wp_id, c in kept.items()]
        rows.sort(key=lambda row: (row[0], row[1].date_gmt is None, row[1].date_gmt, row[1].wp_id))
        return rows

    def would_keep(self, c):
        return not self._skip_reason(c)

    def _skip_reason(self, c):
        if c.type == "note":
            return "private notes (never public)"
        if c.approved in SKIPPED:
            return SKIPPED[c.approved]
        if c.approved not in STATUS:
            return f"comments with status {c.approved!r}"
        if c.type in PINGS and self.skip_pings:
            return f"{c.type}s (--skip-pings)"
        return ""

    def _comment(self, source, page_id, page_date, wp, depth):
        kind = PINGS.get(wp.type, Comment.Kind.COMMENT)
        body = comment_text(wp.content)
        url = visible_text(wp.author_url)
        if kind != Comment.Kind.COMMENT and url and url not in body:
            body = f"{body}\n\n{url}".strip()
        author_id = self.users_by_wp_id.get((source, wp.user_id)) if wp.user_id else None
        return Comment(
            page_id=page_id,
            depth=depth,
            author_id=author_id,
            author_name=(one_line(wp.author_name) or "Anonymous")[:100],
            author_email=wp.author_email[:254],
            kind=kind,
            body=body,
            body_html=comment_html(body) if body else "",
            status=STATUS[wp.approved],
            created_at=wp.date_gmt or page_date,
            ip_address=valid_ip(wp.author_ip),
        )

    def _update(self, existing):
        if not existing:
            return
        current = Comment.objects.in_bulk(list(existing))
        changed = []
        for pk, (source, new, wp_parent) in existing.items():
            old = current.get(pk)
            if old is None:
                self.report.skipped["comments deleted here since the last import"] += 1
                continue
            new.parent_id = self._parent_id(source, wp_parent)
            if any(getattr(old, f) != getattr(new, f) for f in UPDATED_FIELDS):
                for f in UPDATED_FIELDS:
                    setattr(old, f, getattr(new, f))
                changed.append(old)
            else:
                self.report.unchanged["comments"] += 1
        if changed:
            Comment.objects.bulk_update(changed, UPDATED_FIELDS, batch_size=500)
            self.report.updated["comments"] += len(changed)
