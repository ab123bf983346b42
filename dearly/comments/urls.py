from django.urls import path

from . import views

app_name = "comments"

urlpatterns = [
    path("post/<int:page_id>/", views.post, name="post"),
    path("<int:comment_id>/edit/", views.edit, name="edit"),
    path("<int:comment_id>/delete/", views.delete, name="delete"),
    path("<int:comment_id>/report/", views.report, name="report"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
