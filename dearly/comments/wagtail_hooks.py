from django.urls import include, path, reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from dearly.core.dashboard import SHOWN, WAITING_HOOK, Waiting, WaitingItem, gist

from . import admin_views
from .models import Comment


class ModerationMenuItem(MenuItem):
    """ "Comments (3)": the number awaiting moderation, for moderators only."""

    def is_shown(self, request):
        return request.user.has_perm(admin_views.PERMISSION)

    def render_component(self, request):
        waiting = Comment.objects.awaiting_moderation().count()
        self.label = f"Comments ({waiting})" if waiting else "Comments"
        return super().render_component(request)


@hooks.register("register_admin_urls")
def register_moderation_urls():
    urls = [
        path("", admin_views.QueueView.as_view(), name="index"),
        path("bulk/", admin_views.bulk_action, name="bulk"),
        path("<int:comment_id>/moderate/", admin_views.moderate_one, name="moderate"),
        path("ban/<int:user_id>/", admin_views.ban, name="ban"),
        path("threads/<int:page_id>/hold/", admin_views.hold_thread_view, name="hold_thread"),
    ]
    return [path("comments/", include((urls, "comment_moderation")))]


@hooks.register("register_admin_menu_item")
def register_moderation_menu_item():
    return ModerationMenuItem(
        "Comments",
        reverse("comment_moderation:index"),
        name="comments",
        icon_name="comment",
        order=250,
    )


@hooks.register(WAITING_HOOK)
def comments_waiting(request):
    """The dashboard's "Waiting for you": comments held for moderation, newest first."""
    if not request.user.has_perm(admin_views.PERMISSION):
        return None
    held = Comment.objects.awaiting_moderation()
    newest = held.select_related("author", "page").order_by("-created_at", "-pk")[:SHOWN]
    queue = reverse("comment_moderation:index")
    return Waiting(
        heading="Comments awaiting moderation",
        count=held.count(),
        url=queue,
        link_label="Moderate comments",
        empty="No comment is waiting.",
        items=[
            WaitingItem(
                label=f"{comment.display_name} on “{comment.page.title}”",
                url=f"{queue}#moderate-{comment.pk}",
                detail=gist(comment.body),
            )
            for comment in newest
        ],
        order=100,
    )
