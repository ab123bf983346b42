"""What the comment area of a guide or letter needs, in a fixed number of queries."""

from django.middleware.csrf import get_token

from .forms import CommentForm
from .models import Comment
from .services import closed_reason, column_settings
from .threads import ThreadRenderer, build_threads


def comment_area(request, page):
    reader = request.user if request.user.is_authenticated else None
    comments = list(Comment.objects.for_thread(page, reader))
    if reader:
        for comment in comments:
            comment.can_change = comment.editable_by(reader)
    closed = closed_reason(page, column_settings(page))
    form = None
    reply_to = None
    if reader and not closed and not reader.banned_from_commenting:
        form = getattr(request, "comment_form", None)
        wanted = request.GET.get("replyto", "")
        reply_to = next((c for c in comments if str(c.pk) == wanted and not c.is_taken_down), None)
        if form is None:
            form = CommentForm(initial={"parent": reply_to.pk if reply_to else ""})
        elif form.data.get("parent"):
            reply_to = next((c for c in comments if str(c.pk) == form.data["parent"]), None)
    threads = build_threads(comments)
    renderer = ThreadRenderer(
        reader=reader,
        csrf_token=get_token(request) if reader else None,
        closed=closed,
        path=request.path,
    )
    return {
        "comment_threads": threads,
        "comment_threads_html": renderer.render(threads),
        "comment_count": sum(1 for c in comments if c.status == Comment.Status.APPROVED),
        "comment_form": form,
        "comments_closed": closed,
        "reply_to": reply_to,
    }
