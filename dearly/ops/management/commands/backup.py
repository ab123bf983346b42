"""Write a consistent snapshot of the database and media into one archive (make backup)."""

from django.core.management.base import BaseCommand, CommandError

from dearly.ops.backups import BackupError, create_backup, default_directory


class Command(BaseCommand):
    help = "Back up the database (SQLite online backup or pg_dump) and media into var/backups/."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir", help=f"where to write the archive (default: {default_directory()})"
        )

    def handle(self, *args, dir=None, **options):
        try:
            path = create_backup(dir)
        except BackupError as error:
            raise CommandError(f"Backup failed, earlier backups untouched: {error}") from None
        self.stdout.write(f"Backup written: {path} ({path.stat().st_size:,} bytes)")
