from django.urls import path, re_path

from . import feeds, views

app_name = "articles"

urlpatterns = [
    path("feed/", feeds.LatestPostsFeed(), name="feed"),
    path("feed/atom/", feeds.LatestPostsAtomFeed(), name="feed_atom"),
    path("feed/letters/", feeds.LettersFeed(), name="letters_feed"),
    path("feed/letters/atom/", feeds.LettersAtomFeed(), name="letters_feed_atom"),
    # Before Wagtail's pages: a letter cannot take the slug "updates" (LetterPage.clean).
    path("letters/updates/", views.letter_updates, name="letter_updates"),
    path("feed/letters/updates/", feeds.LetterUpdatesFeed(), name="letter_updates_feed"),
    path(
        "feed/letters/updates/atom/",
        feeds.LetterUpdatesAtomFeed(),
        name="letter_updates_feed_atom",
    ),
    path("topics/<slug:slug>/", views.topic, name="topic"),
    path("topics/<slug:slug>/feed/", feeds.TopicFeed(), name="topic_feed"),
    path("topics/<slug:slug>/feed/atom/", feeds.TopicAtomFeed(), name="topic_feed_atom"),
    path("tags/<slug:slug>/", views.tag, name="tag"),
    path("authors/<str:username>/", views.author, name="author"),
    re_path(r"^(?P<year>[0-9]{4})/$", views.year_archive, name="year"),
    re_path(r"^(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/$", views.month_archive, name="month"),
]
