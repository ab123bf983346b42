from django.urls import path

from . import views, writer_views

app_name = "questions"

urlpatterns = [
    path("", views.ask, name="ask"),
    path("send/", views.send, name="send"),
    path("similar/", views.similar, name="similar"),
    path("status/<str:token>/", views.status, name="status"),
    path("status/<str:token>/withdraw/", views.withdraw, name="withdraw"),
    path("status/<str:token>/claim/", views.claim, name="claim"),
    path("claims/<int:claim_id>/drop/", views.drop_claim, name="drop_claim"),
    path("status/<str:token>/update/", writer_views.update, name="update"),
    path("status/<str:token>/update/send/", writer_views.send_update, name="send_update"),
    path("status/<str:token>/takedown/", writer_views.takedown, name="takedown"),
]
