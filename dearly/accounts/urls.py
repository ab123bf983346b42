from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "accounts"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="accounts:profile"), name="index"),
    path("profile/", views.profile, name="profile"),
    path("delete/", views.delete_account, name="delete"),
]
