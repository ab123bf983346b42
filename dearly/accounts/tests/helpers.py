"""Plain helpers for account tests."""

from django.contrib.auth import get_user_model

from allauth.account.models import EmailAddress

PASSWORD = "a-long-quiet-passphrase"
_n = iter(range(1, 10**6))


def make_account(display_name="Ann", verified=True, **fields):
    """A reader (or, with is_staff=True, an editor) who signed up with an email address."""
    n = next(_n)
    email = fields.pop("email", f"person{n}@example.com")
    user = get_user_model().objects.create_user(
        f"person{n}", email=email, password=PASSWORD, display_name=display_name, **fields
    )
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user
