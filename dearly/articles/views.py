"""Listings outside the page tree: topic, tag, author and date archives."""

import calendar
import datetime

from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from taggit.models import Tag

from .listing import paginate
from .models import PostPage, Topic


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


def _valid_date(year, month=1):
    try:
        return datetime.date(year, month, 1)
    except ValueError as exc:
        raise Http404("No such date.") from exc


def year_archive(request, year):
    _valid_date(year)
    posts = PostPage.objects.published().filter(date__year=year).newest_first()
    return _listing(request, f"Posts from {year}", posts, archive_year=year)


def month_archive(request, year, month):
    _valid_date(year, month)
    posts = PostPage.objects.published().filter(date__year=year, date__month=month)
    heading = f"Posts from {calendar.month_name[month]} {year}"
    return _listing(request, heading, posts.newest_first(), archive_year=year)
