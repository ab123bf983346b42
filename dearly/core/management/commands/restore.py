"""Bring back a backup made by `manage.py backup` (make restore FILE=...)."""

from django.core.management.base import BaseCommand, CommandError

from dearly.core.backups import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Replace the database and media with a backup archive. The archive is checked first "
        "and the current state is saved as a '-pre-restore' backup. Stop the app servers and "
        "the worker while it runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="a dearly-*.tar.gz file written by manage.py backup")
        parser.add_argument("--dir", help="where the pre-restore backup goes (var/backups/)")
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive",
            help="do not ask for confirmation",
        )  # fmt: skip

    def handle(self, *args, archive, dir=None, interactive=True, **options):
        if interactive:
            answer = input(
                f"This replaces the whole database and media with {archive}. Type 'yes' to go on: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled; nothing was changed.")
        try:
            safety, media = restore_backup(archive, dir)
        except BackupError as error:
            raise CommandError(f"Restore failed: {error}") from None
        self.stdout.write(f"Restored {archive}.")
        if media is None:
            self.stdout.write("Media: not in the archive or not on local disk; left as they are.")
        else:
            self.stdout.write(f"Media: {media} files.")
        self.stdout.write(f"The state before the restore is saved in {safety}.")
