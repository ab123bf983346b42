"""python manage.py import_wordpress export.xml [more.xml …] [--dry-run] [--media-dir DIR]

Thin: wxr.py parses, mapping/ decides what each thing becomes, this prints what happened.
See docs/wordpress-import.md."""

import re
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tqdm import tqdm

from dearly.importer import content
from dearly.importer.mapping.run import ImportOptions, ImportRefused, WordPressImport
from dearly.importer.wxr import WXRError


class Command(BaseCommand):
    help = "Import a WordPress export (WXR 1.0-1.2): posts, pages, comments, media, old URLs."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="WXR export file(s)")
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would happen; write nothing"
        )
        parser.add_argument(
            "--letter-pattern",
            default=content.LETTER_PATTERN,
            metavar="REGEX",
            help="titles that make a post a letter (default: %(default)s)",
        )
        parser.add_argument(
            "--media-dir", metavar="DIR", help="a copy of wp-content/uploads to import files from"
        )
        parser.add_argument(
            "--skip-pings", action="store_true", help="leave pingbacks and trackbacks out"
        )

    def handle(self, *args, files, dry_run, letter_pattern, media_dir, skip_pings, **options):
        for name in files:
            if not Path(name).is_file():
                raise CommandError(f"{name}: no such file")
        try:
            re.compile(letter_pattern)
        except re.error as error:
            raise CommandError(f"--letter-pattern: not a regular expression ({error})") from None
        if media_dir and not Path(media_dir).is_dir():
            raise CommandError(f"--media-dir {media_dir}: no such directory")
        importer = WordPressImport(
            ImportOptions(
                letter_pattern=letter_pattern,
                media_dir=media_dir,
                skip_pings=skip_pings,
                dry_run=dry_run,
            )
        )
        bar = self._progress_bar(files)
        try:
            report = importer.run(files, progress=bar)
        except (WXRError, ImportRefused) as error:
            raise CommandError(str(error)) from None
        finally:
            if bar:
                bar.close()
        for line in report.lines(dry_run=dry_run):
            self.stdout.write(line)

    def _progress_bar(self, files):
        """A bar only on a terminal: logs and pipes get the summary alone."""
        stream = getattr(self.stdout, "_out", sys.stdout)
        if not stream.isatty():
            return None
        # disable=False: a terminal was asked for, whatever TQDM_DISABLE says in the environment
        return tqdm(desc="Importing", unit=" items", file=stream, disable=False)
