from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A reader, writer or editor. `display_name` is what the public sees; never the email."""

    display_name = models.CharField(max_length=80, blank=True)
    bio = models.TextField(blank=True, help_text="Shown on the author page.")
    notify_replies = models.BooleanField(
        default=True, help_text="Email me when someone replies to my comment."
    )
    banned_from_commenting = models.BooleanField(
        default=False, help_text="Set by moderators; the reader can still read and log in."
    )

    @property
    def public_name(self):
        return self.display_name or self.get_full_name() or self.username


def public_name(user):
    """How allauth names a user on its pages and in its emails."""
    return user.public_name
