"""Create the demo editor and reader accounts once and print how to log in (`make run`)."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from allauth.account.models import EmailAddress

ACCOUNTS = [
    # username, email, display name, superuser
    ("editor", "editor@example.com", "Editor", True),
    ("reader", "reader@example.com", "Demo Reader", False),
]


class Command(BaseCommand):
    help = "Create the demo 'editor' (superuser) and 'reader' accounts once; print their logins."

    def handle(self, *args, **options):
        User = get_user_model()
        for username, email, name, superuser in ACCOUNTS:
            password_file = settings.VAR_DIR / f"{username}-password.txt"
            if not User.objects.filter(username=username).exists():
                password = secrets.token_urlsafe(12)
                create = User.objects.create_superuser if superuser else User.objects.create_user
                user = create(username, email, password, display_name=name)
                # Verified, so the demo reader can log in without opening the outbox first.
                EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
                password_file.parent.mkdir(parents=True, exist_ok=True)
                password_file.write_text(password + "\n")
                password_file.chmod(0o600)
            if password_file.exists():
                password = password_file.read_text().strip()
                self.stdout.write(f"Log in at /accounts/login/ as {email} with password {password}")
            else:
                self.stdout.write(
                    f"The {username} account exists; set a password with "
                    f"`python manage.py changepassword {username}`."
                )
