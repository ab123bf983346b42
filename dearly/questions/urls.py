from django.urls import path

from . import views

app_name = "questions"

urlpatterns = [
    path("", views.ask, name="ask"),
    path("send/", views.send, name="send"),
    path("similar/", views.similar, name="similar"),
    path("status/<str:token>/", views.status, name="status"),
    path("status/<str:token>/withdraw/", views.withdraw, name="withdraw"),
]
