"""Hints for moderators about whole threads, beside each comment's own hold reason.

A pile-on: many readers answering the letter writer at once. Advice columns ask their readers
to be kind to letter writers, and a writer who joins the comments (with the verified badge,
PageRole) can find a dozen replies to them within the hour. The queue flags such a thread so
that a moderator can hold its new comments in one click (HeldThread).
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone

from .models import Comment

PILE_ON_WINDOW = timezone.timedelta(hours=1)
# Only new comments count: a burst from last month is not something to act on now.
PILE_ON_LOOKBACK = timezone.timedelta(days=1)
# The replies read at most, so the queue's work stays bounded on a very busy day.
PILE_ON_READ = 5000


@dataclass(frozen=True)
class PileOn:
    page_id: int
    replies: int  # the most replies to the writer within any one PILE_ON_WINDOW
    latest: object  # when the last of them came

    @property
    def message(self):
        return f"{self.replies} replies to the letter writer within an hour"


def replies_to_role_holders(since, page_ids=None):
    """[(page id, created_at)] of the new comments (approved or waiting) that answer a comment
    by someone holding a role on the page, oldest first: one query. Replies by staff (the
    columnist, moderators) and the writer's answers to themselves do not count; nor do replies
    to the columnist's own comments, who holds no role."""
    replies = Comment.objects.filter(
        created_at__gte=since,
        status__in=[Comment.Status.APPROVED, Comment.Status.PENDING],
        parent__author__page_roles__page=F("page"),
    ).exclude(author=F("parent__author"))
    replies = replies.exclude(author__is_staff=True)
    if page_ids is not None:
        replies = replies.filter(page_id__in=page_ids)
    rows = replies.order_by("page_id", "created_at").values_list("page_id", "created_at")
    return list(rows[:PILE_ON_READ])


def most_within(times, window):
    """The most of the sorted `times` that fall within any one `window`."""
    most, start = 0, 0
    for end, time in enumerate(times):
        while time - times[start] > window:
            start += 1
        most = max(most, end - start + 1)
    return most


def pile_ons(threshold, now=None, page_ids=None):
    """{page id: PileOn} for the threads where at least `threshold` replies to the letter
    writer's comments came within one hour in the last day; {} when the threshold is 0."""
    if not threshold:
        return {}
    now = now or timezone.now()
    by_page = defaultdict(list)
    for page_id, created_at in replies_to_role_holders(now - PILE_ON_LOOKBACK, page_ids):
        by_page[page_id].append(created_at)
    found = {}
    for page_id, times in by_page.items():
        most = most_within(times, PILE_ON_WINDOW)
        if most >= threshold:
            found[page_id] = PileOn(page_id=page_id, replies=most, latest=times[-1])
    return found
