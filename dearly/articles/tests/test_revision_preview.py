"""An editor viewing an old revision of a letter with topics, before any reader has asked for
its related posts: the preview page holds its topics in memory (modelcluster), where `pk` is
not a field name. It answered 500 (found by the hostile-request walk)."""

from django.test import Client

import pytest

from dearly.testing import make_letter, make_topic


@pytest.mark.django_db
def test_an_old_revision_of_a_letter_with_topics_shows_its_related_posts(
    site_tree, django_user_model
):
    work = make_topic("Work")
    neighbour = make_letter(
        site_tree["letters"], title="Dear Dr. Mimi – A colleague", topics=[work]
    )
    letter = make_letter(site_tree["letters"], topics=[work])
    revision = letter.save_revision()
    editor = django_user_model.objects.create_superuser("ed", "ed@example.com", "pw")
    client = Client(raise_request_exception=True)
    client.force_login(editor)

    response = client.get(f"/admin/pages/{letter.pk}/revisions/{revision.pk}/view/")

    assert response.status_code == 200
    assert neighbour.title in response.content.decode()
