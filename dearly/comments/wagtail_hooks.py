from django.urls import include, path, reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem

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
        path("ban/<int:user_id>/", admin_views.ban, name="ban"),
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
