import os

from django.core.management import call_command

import pytest

from dearly.articles.models import ArticlePage, LetterPage, Topic
from dearly.comments.models import Comment
from dearly.newsletter.models import Mailing


@pytest.mark.django_db
def test_load_demo_builds_the_column_and_is_idempotent(client):
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    counts = (ArticlePage.objects.count(), LetterPage.objects.count(), Topic.objects.count())
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert (
        ArticlePage.objects.count(),
        LetterPage.objects.count(),
        Topic.objects.count(),
    ) == counts
    assert LetterPage.objects.live().count() >= 3 and counts[0] + counts[1] >= 30
    assert not Mailing.objects.exists()  # the demo's posts are not news to any subscriber
    guide = client.get("/guides/when-you-are-turned-down/").content.decode()
    assert guide.count('id="step-') == 6 and "Solicit feedback." in guide
    poor = client.get("/letters/dear-dr-mimi-poor/").content.decode()
    assert "Dear Dr. Mimi," in poor and "—Poor" in poor and "Dear Poor," in poor
    assert client.get("/guides/imposter-syndrome/").status_code == 200
    assert "Step two changed how I handled" in guide  # an approved demo comment
    assert "I wish I had read this last year" not in guide  # a pending one stays hidden
    assert Comment.objects.awaiting_moderation().count() == 1
    assert "Page 1 of" in client.get("/letters/").content.decode()
