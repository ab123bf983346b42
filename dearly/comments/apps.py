from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "dearly.comments"
    label = "comments"
