from django.urls import path

from . import feeds, views

app_name = "articles"

urlpatterns = [
    path("feed/", feeds.LatestPostsFeed(), name="feed"),
    path("feed/atom/", feeds.LatestPostsAtomFeed(), name="feed_atom"),
    path("feed/letters/", feeds.LettersFeed(), name="letters_feed"),
    path("feed/letters/atom/", feeds.LettersAtomFeed(), name="letters_feed_atom"),
    path("topics/<slug:slug>/", views.topic, name="topic"),
    path("topics/<slug:slug>/feed/", feeds.TopicFeed(), name="topic_feed"),
    path("topics/<slug:slug>/feed/atom/", feeds.TopicAtomFeed(), name="topic_feed_atom"),
    path("tags/<slug:slug>/", views.tag, name="tag"),
    path("authors/<str:username>/", views.author, name="author"),
    path("<int:year>/", views.year_archive, name="year"),
    path("<int:year>/<int:month>/", views.month_archive, name="month"),
]
