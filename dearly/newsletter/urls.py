from django.urls import path

from . import views

app_name = "newsletter"

urlpatterns = [
    path("", views.subscribe, name="subscribe"),
    path("check-your-inbox/", views.sent, name="sent"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("emails/<int:page_id>/", views.web_version, name="web_version"),
    path("emails/week/<str:week>/", views.digest_web_version, name="digest_web_version"),
    path("webhook/", views.webhook, name="webhook"),
]
