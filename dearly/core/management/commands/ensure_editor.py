"""Create the demo editor account once and print how to log in (used by `make run`)."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

USERNAME = "editor"


class Command(BaseCommand):
    help = "Create the 'editor' superuser once, keep its password in var/, and print the login."

    def handle(self, *args, **options):
        password_file = settings.VAR_DIR / "editor-password.txt"
        User = get_user_model()
        user = User.objects.filter(username=USERNAME).first()
        if user is None:
            password = secrets.token_urlsafe(12)
            User.objects.create_superuser(
                USERNAME, "editor@example.com", password, display_name="Editor"
            )
            password_file.parent.mkdir(parents=True, exist_ok=True)
            password_file.write_text(password + "\n")
            password_file.chmod(0o600)
            self.stdout.write(self.style.SUCCESS("Created the editor account."))
        if password_file.exists():
            password = password_file.read_text().strip()
            self.stdout.write(f"Editor login: /admin/  username: {USERNAME}  password: {password}")
        else:
            self.stdout.write(
                f"Editor account '{USERNAME}' exists; reset its password with "
                f"`python manage.py changepassword {USERNAME}`."
            )
