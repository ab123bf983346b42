"""python manage.py import_substack EXPORT.zip [--dry-run]

Thin: sources/substack.py reads the zip, mapping/ decides what each post becomes, this prints
what happened. See docs/moving-in.md."""

from dearly.importer.command import ImportCommand
from dearly.importer.sources.substack import SubstackExport


class Command(ImportCommand):
    help = "Import a Substack export (zip): posts, old URLs, and the active subscribers."

    def add_arguments(self, parser):
        parser.add_argument("export", metavar="EXPORT.zip", help="Substack's export zip")
        super().add_arguments(parser)

    def handle(self, *args, export, dry_run, letter_pattern, **options):
        self.check_arguments([export], letter_pattern)
        source = SubstackExport(export)
        self.import_source(source, letter_pattern=letter_pattern, dry_run=dry_run)
