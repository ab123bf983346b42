import re

from django.core import mail
from django.test import Client, TestCase

import pytest

from dearly.comments.models import Comment
from dearly.testing import make_article

from .helpers import make_comment, make_reader

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(site_tree):
    page = make_article(site_tree["guides"], title="Reply guide")
    ann = make_reader("ann", display_name="Ann")
    bob = make_reader("bob", display_name="Bob")
    make_comment(page, bob, "Bob was here before")  # Bob is not a first-timer
    parent = make_comment(page, ann, "Ann asks a question")
    return page, ann, bob, parent


def committed():
    """Emails are queued once the transaction commits; run those callbacks in tests."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def reply(page, who, parent, body="Bob answers"):
    client = Client()
    client.force_login(who)
    with committed():
        return client.post(f"/comments/post/{page.pk}/", {"body": body, "parent": parent.pk})


def test_author_is_emailed_when_someone_replies(thread):
    page, ann, bob, parent = thread
    reply(page, bob, parent)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [ann.email]
    assert "Bob replied" in message.subject and "Bob answers" in message.body
    assert f"{page.url}#comment-" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/comments/unsubscribe/" in message.extra_headers["List-Unsubscribe"]
    assert bob.email not in message.body  # the replier's address is never shared


def test_no_email_for_replying_to_yourself_or_when_opted_out(thread):
    page, ann, bob, parent = thread
    reply(page, ann, parent, "Ann adds more")
    assert mail.outbox == []
    ann.notify_replies = False
    ann.save()
    reply(page, bob, parent)
    assert mail.outbox == []


def test_held_reply_notifies_only_when_approved(thread):
    page, ann, _bob, parent = thread
    newcomer = make_reader("cy")
    reply(page, newcomer, parent, "Held reply")
    assert [m.to for m in mail.outbox if m.to == [ann.email]] == []
    from dearly.comments.services import moderate

    with committed():
        moderate(Comment.objects.filter(body="Held reply"), "approve")
    assert [m.to for m in mail.outbox] == [[ann.email]]


def test_one_click_unsubscribe(thread):
    page, ann, bob, parent = thread
    reply(page, bob, parent)
    url = re.search(r"<(http://testserver[^>]+)>", mail.outbox[0].extra_headers["List-Unsubscribe"])
    path = url.group(1).removeprefix("http://testserver")
    client = Client(enforce_csrf_checks=True)
    page_html = client.get(path).content.decode()
    assert "Stop reply emails" in page_html
    ann.refresh_from_db()
    assert ann.notify_replies  # GET only asks
    assert client.post(path).status_code == 200  # a mail client's one-click POST
    ann.refresh_from_db()
    assert not ann.notify_replies


@pytest.mark.parametrize("token", ["nonsense", "a" * 500, "eyJ1IjoxfQ:bad:sig", "%00"])
def test_tampered_unsubscribe_tokens_are_400(client, token):
    response = client.post(f"/comments/unsubscribe/{token}/")
    assert response.status_code in (400, 404)


def test_a_reply_is_announced_once_whichever_task_runs_first(thread):
    """A held reply approved before the worker ran its "posted" task: the "posted" and
    "approved" tasks both find it approved, and the parent's author gets one email."""
    from dearly.comments.services import moderate
    from dearly.comments.tasks import comment_approved, comment_posted

    page, ann, _bob, parent = thread
    newcomer = make_reader("dee")
    reply(page, newcomer, parent, "Held, then approved quickly")
    held = Comment.objects.get(body="Held, then approved quickly")
    mail.outbox.clear()
    moderate(Comment.objects.filter(pk=held.pk), "approve")
    comment_posted.call(held.pk)  # the worker's late "posted" task
    comment_approved.call(held.pk)
    comment_approved.call(held.pk)  # and a retried one
    assert [m.to for m in mail.outbox] == [[ann.email]]
    held.refresh_from_db()
    assert held.reply_notified_at is not None
