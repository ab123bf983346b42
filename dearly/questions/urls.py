from django.urls import path

from . import views

app_name = "questions"

urlpatterns = [
    path("", views.ask, name="ask"),
    path("send/", views.send, name="send"),
    path("similar/", views.similar, name="similar"),
    path("status/<str:token>/", views.status, name="status"),
    path("status/<str:token>/withdraw/", views.withdraw, name="withdraw"),
    path("status/<str:token>/claim/", views.claim, name="claim"),
    path("claims/<int:claim_id>/drop/", views.drop_claim, name="drop_claim"),
]
