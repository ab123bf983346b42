"""What the comment area of a commentable page needs, in a fixed number of queries."""

from django.middleware.csrf import get_token

from dearly.core.ids import parse_id

from .cache import shared_thread
from .forms import CommentForm
from .models import Comment
from .services import closed_reason, comment_settings
from .threads import ThreadRenderer, build_threads


def comment_area(request, page):
    reader = request.user if request.user.is_authenticated else None
    closed = closed_reason(page, comment_settings(page, request))
    renderer = ThreadRenderer(
        reader=reader,
        csrf_token=get_token(request) if reader else None,
        closed=closed,
        path=request.path,
    )
    shared = shared_thread(request, page, for_readers=reader is not None, closed=closed)
    if reader is not None and reader.pk in shared.waiting:
        return _rendered_for_reader(request, page, reader, closed, renderer)
    form = reply_to = None
    if reader and not closed and not reader.banned_from_commenting:
        form = getattr(request, "comment_form", None)
        if form is None:
            reply_to = _reply_target(page, request.GET.get("replyto", ""), taken_down=False)
            form = CommentForm(initial={"parent": reply_to.pk if reply_to else ""})
        elif form.data.get("parent"):
            reply_to = _reply_target(page, form.data["parent"], taken_down=True)
    return {
        "comment_threads": shared.has_threads,
        "comment_threads_html": shared.for_reader(renderer, reader),
        "comment_count": shared.count,
        "comment_form": form,
        "comments_closed": closed,
        "reply_to": reply_to,
    }


def _reply_target(page, wanted, *, taken_down):
    """The shown comment a reader is replying to (one query, only when they are replying)."""
    pk = parse_id(wanted)
    if pk is None:
        return None
    comments = Comment.objects.for_thread(page).filter(pk=pk)
    if not taken_down:
        comments = comments.exclude(status__in=Comment.TAKEN_DOWN)
    return comments.first()


def _rendered_for_reader(request, page, reader, closed, renderer):
    """The whole thread for one reader: it shows their comments awaiting moderation."""
    comments = list(Comment.objects.for_thread(page, reader))
    for comment in comments:
        comment.can_change = comment.editable_by(reader)
    form = None
    reply_to = None
    if not closed and not reader.banned_from_commenting:
        form = getattr(request, "comment_form", None)
        wanted = request.GET.get("replyto", "")
        reply_to = next((c for c in comments if str(c.pk) == wanted and not c.is_taken_down), None)
        if form is None:
            form = CommentForm(initial={"parent": reply_to.pk if reply_to else ""})
        elif form.data.get("parent"):
            reply_to = next((c for c in comments if str(c.pk) == form.data["parent"]), None)
    threads = build_threads(comments)
    return {
        "comment_threads": bool(threads),
        "comment_threads_html": renderer.render(threads),
        "comment_count": sum(1 for c in comments if c.status == Comment.Status.APPROVED),
        "comment_form": form,
        "comments_closed": closed,
        "reply_to": reply_to,
    }
