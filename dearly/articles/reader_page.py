"""A guide or letter for a logged-in reader, without rendering the page's templates.

The page is rendered once per version of what it shows (dearly.core.invalidation) into a skeleton
with markers where it differs between readers: the account links in the header, the comment
threads (their own Edit/Delete links and CSRF token, dearly.comments.cache), the comment form
and the user bar. A request renders only those small parts and joins them into the skeleton.

Whatever is unusual takes the ordinary full rendering: previews, a reply in progress
(?replyto=) or a form with errors, a reader with a comment awaiting moderation (only they see
it), and readers who may use the admin (the user bar). A skeleton that came out holding a
CSRF token is never kept.
"""

import hashlib
import re
import secrets
from dataclasses import dataclass

from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import get_template, render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe

from dearly.articles.related import related_ids, related_versions
from dearly.comments.cache import shared_thread
from dearly.comments.forms import CommentForm
from dearly.comments.services import closed_reason, comment_settings
from dearly.comments.threads import ThreadRenderer
from dearly.core import invalidation
from dearly.core.cached import may_use_admin
from dearly.core.invalidation import CONTENT, TIMEOUT, fragment_cache

PIECES = ("account_nav", "threads", "respond", "userbar")
_MARKER = re.compile(r"\ue004([0-9a-f]{16}):(\w+)\ue005")


def serve_for_reader(page, request):
    """The page's response for a logged-in reader, or None for the full rendering."""
    reader = request.user
    if (
        request.method not in ("GET", "HEAD")
        or not reader.is_authenticated
        or getattr(request, "is_preview", False)
        or hasattr(request, "comment_form")
        or "replyto" in request.GET
        or _has_messages(request)
        or may_use_admin(request, reader)
    ):
        return None
    closed = closed_reason(page, comment_settings(page, request))
    thread = shared_thread(request, page, for_readers=True, closed=closed)
    if reader.pk in thread.waiting:
        return None
    content = invalidation.token(request, *CONTENT)
    shown = invalidation.token(request, *CONTENT, invalidation.thread(page.pk))
    related = related_versions(request, related_ids(request, page))
    if None in (content, shown, related):
        return None  # the versions cannot be read: render in full, keep nothing
    where = f"{request.get_host()}|{request.path}|{related}".encode()
    where = hashlib.md5(where, usedforsecurity=False)
    key = f"dearly:reader-page:{page.pk}:{shown}:{int(bool(closed))}:{where.hexdigest()}"
    skeleton = fragment_cache.get(key)
    if skeleton is None:
        skeleton = _skeleton(page, request)
        if skeleton is None:
            return None
        fragment_cache.set(key, skeleton, TIMEOUT)
    csrf_token = get_token(request)
    renderer = ThreadRenderer(
        reader=reader, csrf_token=csrf_token, closed=closed, path=request.path
    )
    banned = reader.banned_from_commenting
    pieces = _reader_pieces(request, page, closed, banned, content)
    name, token = escape(reader.public_name), escape(csrf_token)
    pieces = {
        "account_nav": pieces.account_nav.replace(pieces.csrf_marker, token),
        "threads": thread.for_reader(renderer, reader),
        "respond": pieces.respond.replace(pieces.csrf_marker, token).replace(
            pieces.name_marker, name
        ),
        "userbar": "",  # only readers who may use the admin have one; they are not served here
    }
    html = "".join(part if n % 2 == 0 else pieces[part] for n, part in enumerate(skeleton))
    return HttpResponse(html)


@dataclass
class ReaderPieces:
    account_nav: str
    respond: str
    csrf_marker: str
    name_marker: str


@dataclass
class _StandIn:
    """The reader as the pieces' templates see them, their name left as a marker."""

    public_name: str
    banned_from_commenting: bool
    is_authenticated = True


def _reader_pieces(request, page, closed, banned, content_token):
    """The header's account links and the comment form as any logged-in reader gets them, with
    markers for their CSRF token and name (rendered once, without the request)."""
    key = f"dearly:reader-pieces:{page.pk}:{content_token}:{int(banned)}:"
    key += hashlib.md5(f"{closed}|{request.path}".encode(), usedforsecurity=False).hexdigest()
    pieces = fragment_cache.get(key)
    if pieces is None:
        nonce = secrets.token_hex(8)
        csrf_marker, name_marker = f"\ue006{nonce}\ue007", f"\ue008{nonce}\ue009"
        context = {
            "user": _StandIn(public_name=name_marker, banned_from_commenting=banned),
            "csrf_token": csrf_marker,
            "page": page,
            "comments_closed": closed,
            "comment_form": None if closed or banned else CommentForm(initial={"parent": ""}),
            "reply_to": None,
            "messages": [],  # readers with messages waiting get the full rendering
            "request": request,
        }
        pieces = ReaderPieces(
            account_nav=get_template("accounts/includes/header_links.html").render(context),
            respond=get_template("comments/respond.html").render(context),
            csrf_marker=csrf_marker,
            name_marker=name_marker,
        )
        fragment_cache.set(key, pieces, TIMEOUT)
    return pieces


def _skeleton(page, request):
    """The page's HTML split at the markers: [text, piece name, text, piece name, …, text]."""
    nonce = secrets.token_hex(8)
    markers = {name: mark_safe(f"\ue004{nonce}:{name}\ue005") for name in PIECES}  # noqa: S308
    context = page.get_context(request)
    context["overlay"] = markers
    context["comment_threads_html"] = markers["threads"]
    html = render_to_string(page.get_template(request), context, request=request)
    if "csrfmiddlewaretoken" in html:  # something per-reader outside the pieces: never share
        return None
    parts = []
    done = 0
    for match in _MARKER.finditer(html):
        if match[1] != nonce:
            continue  # not ours (a reader can type these characters)
        parts += [html[done : match.start()], match[2]]
        done = match.end()
    parts.append(html[done:])
    names = parts[1::2]
    # The threads are missing only when there are none to show.
    if len(names) != len(set(names)) or set(PIECES) - set(names) - {"threads"}:
        return None
    return parts


def _has_messages(request):
    """Messages wait in a cookie or the session (Django's FallbackStorage), read without
    marking them shown."""
    return "messages" in request.COOKIES or "_messages" in request.session
