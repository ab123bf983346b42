"""Listings outside the page tree: topic, tag, author and date archives, and letter writers'
updates."""

import calendar
import datetime

from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from taggit.models import Tag

from .listing import paginate
from .models import LetterUpdatePage, PostPage, Topic


def _listing(request, heading, posts, **extra):
    context = {"heading": heading, "posts": paginate(request, posts), **extra}
    return render(request, "articles/listing.html", context)


def topic(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    posts = PostPage.objects.published().filter(topics__in=topic.descendant_ids()).distinct()
    return _listing(
        request,
        topic.name,
        posts.newest_first(),
        topic=topic,
        description=topic.description,
        feed_url=topic.get_absolute_url() + "feed/",
    )


def tag(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    posts = PostPage.objects.published().filter(tagged_items__tag=tag).distinct()
    return _listing(request, f"Tagged “{tag.name}”", posts.newest_first(), tag=tag)


def author(request, username):
    person = get_object_or_404(get_user_model(), username=username)
    posts = PostPage.objects.published().filter(author=person).newest_first()
    if not posts.exists():
        raise Http404("No published posts by this author.")
    return _listing(request, person.public_name, posts, author=person, description=person.bio)


def _archive(request, heading, posts, year):
    """Like Django's date archives with allow_empty=False: a date with no posts is a 404."""
    if not posts.exists():
        raise Http404("Nothing was published then.")
    return _listing(request, heading, posts.newest_first(), archive_year=year)


def _archive_year(year):
    """The URL allows four digits, so "0000" too: a year Python's dates cannot hold."""
    year = int(year)
    if year < datetime.MINYEAR:
        raise Http404("No such year.")
    return year


def year_archive(request, year):
    year = _archive_year(year)
    posts = PostPage.objects.published().filter(date__year=year)
    return _archive(request, f"Posts from {year}", posts, year)


def month_archive(request, year, month):
    year, month = _archive_year(year), int(month)
    if not 1 <= month <= 12:
        raise Http404("No such month.")
    posts = PostPage.objects.published().filter(date__year=year, date__month=month)
    return _archive(request, f"Posts from {calendar.month_name[month]} {year}", posts, year)


def letter_updates(request):
    """/letters/updates/: every published update from a letter writer, newest first."""
    return _listing(
        request,
        "Updates from letter writers",
        LetterUpdatePage.objects.published().newest_first(),
        description="What happened next: letter writers tell how things turned out.",
        feed_url=reverse("articles:letter_updates_feed"),
        feed_label="Feed of the updates (RSS)",
    )
