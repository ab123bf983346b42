"""What happens to a reader's data when they leave."""

from django.db import transaction

from dearly.comments.models import Comment


class CannotDeleteStaff(Exception):
    """Editors' accounts own pages and revisions; an administrator removes them instead."""


def can_delete_self(user):
    return not (user.is_staff or user.is_superuser)


@transaction.atomic
def delete_reader(user):
    """Remove a reader's personal data. Their comments stay in the threads with no author,
    shown as "Deleted reader"; allauth's email addresses and MFA authenticators cascade."""
    if not can_delete_self(user):
        raise CannotDeleteStaff
    Comment.objects.filter(author=user).update(ip_address=None, author_name="")
    user.delete()
