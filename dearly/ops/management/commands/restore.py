"""Bring back a backup made by `manage.py backup` (make restore FILE=...)."""

from django.core.management.base import BaseCommand, CommandError

from dearly.ops.backups import BackupError, restore_backup


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
        try:
            safety, media, problems = restore_backup(
                archive, dir, self.confirm if interactive else None
            )
        except BackupError as error:
            raise CommandError(f"Restore failed: {error}") from None
        self.stdout.write(f"Restored {archive}.")
        if media is None:
            self.stdout.write("Media: not in the archive or not on local disk; left as they are.")
        else:
            self.stdout.write(f"Media: {media} files.")
        self.stdout.write(f"The state before the restore is saved in {safety}.")
        for problem in problems:
            self.stderr.write(f"Warning: {problem}; restart the app servers before serving.")

    def confirm(self, manifest):
        """Asked once the archive has been checked, before anything changes."""
        media = manifest.get("media", {})
        self.stdout.write(
            f"This backup was made {manifest.get('created', '?')}: a "
            f"{manifest['database']['vendor']} database and {media.get('files', 0)} media files."
        )
        self.stdout.flush()
        try:
            answer = input("It replaces the whole database and media. Type 'yes' to go on: ")
        except EOFError:
            raise CommandError(
                "Restore cancelled: no answer on standard input (use --noinput to skip the "
                "question); nothing was changed."
            ) from None
        if answer.strip().lower() != "yes":
            raise CommandError("Restore cancelled; nothing was changed.")
        return True
