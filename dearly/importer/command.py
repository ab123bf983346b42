"""What every import command shares: --dry-run and --letter-pattern, the progress bar on a
terminal, the summary, and a refused export as one line "FILE: reason" with exit status 1."""

import re
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tqdm import tqdm

from . import content
from .mapping.run import Import, ImportOptions, ImportRefused
from .sources.records import SourceError


class ImportCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would happen; write nothing"
        )
        parser.add_argument(
            "--letter-pattern",
            default=content.LETTER_PATTERN,
            metavar="REGEX",
            help="titles that make a post a letter (default: %(default)s)",
        )

    def check_arguments(self, files, letter_pattern, media_dir=None):
        for name in files:
            if name and not Path(name).is_file():
                raise CommandError(f"{name}: no such file")
        try:
            re.compile(letter_pattern)
        except re.error as error:
            raise CommandError(f"--letter-pattern: not a regular expression ({error})") from None
        if media_dir and not Path(media_dir).is_dir():
            raise CommandError(f"--media-dir {media_dir}: no such directory")

    def import_source(self, source, **options):
        """Import a records.Source with the shared mapping (ImportOptions' fields)."""
        importer = Import(source, ImportOptions(**options))
        self.run_import(lambda bar: importer.run(progress=bar), dry_run=options["dry_run"])

    def run_import(self, run, *, dry_run):
        """`run(progress)` imports and returns the report, printed here."""
        bar = self._progress_bar()
        try:
            report = run(bar)
        except (SourceError, ImportRefused) as error:
            raise CommandError(str(error)) from None
        finally:
            if bar:
                bar.close()
        for line in report.lines(dry_run=dry_run):
            self.stdout.write(line)

    def _progress_bar(self):
        """A bar only on a terminal: logs and pipes get the summary alone."""
        stream = getattr(self.stdout, "_out", sys.stdout)
        if not stream.isatty():
            return None
        # disable=False: a terminal was asked for, whatever TQDM_DISABLE says in the environment
        return tqdm(desc="Importing", unit=" items", file=stream, disable=False)
