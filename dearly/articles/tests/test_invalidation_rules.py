"""What articles tells the invalidation layer: topics, and the names of the people posts are by
(dearly.articles.invalidation)."""

from django.contrib.auth.models import update_last_login

import pytest

from dearly.core.invalidation import SITE, token
from dearly.testing import make_article, make_topic

pytestmark = pytest.mark.django_db


def site_version():
    return token(None, SITE)


def test_a_topic_renamed_or_deleted_bumps_the_site():
    topic = make_topic("Work")
    before = site_version()
    topic.name = "Work and pay"
    topic.save()
    assert site_version() != before
    before = site_version()
    topic.delete()
    assert site_version() != before


def test_an_author_renamed_bumps_the_site_and_a_login_does_not(site_tree, django_user_model):
    author = django_user_model.objects.create_user("mimi", "mimi@example.com", "pw")
    make_article(site_tree["guides"], title="Raise", slug="raise", author=author)
    before = site_version()
    update_last_login(None, author)
    author.set_password("a new passphrase")
    author.save(update_fields=["password"])
    assert site_version() == before
    author.display_name = "Dr. Mimi Rosa"
    author.save()
    assert site_version() != before


def test_a_reader_with_no_posts_changes_nothing_on_the_site(django_user_model):
    """A reader signing up or renaming themselves must not empty the page cache."""
    before = site_version()
    reader = django_user_model.objects.create_user("cy", "cy@example.com", "pw")
    reader.display_name = "Cy"
    reader.save()
    assert site_version() == before
