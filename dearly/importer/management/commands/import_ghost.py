"""python manage.py import_ghost EXPORT.json [--members MEMBERS.csv] [--dry-run]

Thin: sources/ghost.py reads the export, mapping/ decides what each post becomes, this prints
what happened. See docs/moving-in.md."""

from dearly.importer.command import ImportCommand
from dearly.importer.sources.ghost import GhostExport


class Command(ImportCommand):
    help = "Import a Ghost export (JSON): posts, pages, tags, authors, old URLs; members (CSV)."

    def add_arguments(self, parser):
        parser.add_argument("export", metavar="EXPORT.json", help="Ghost's JSON export")
        parser.add_argument(
            "--members",
            metavar="MEMBERS.csv",
            help="Ghost's members export: those subscribed to emails become subscribers",
        )
        super().add_arguments(parser)
        parser.add_argument(
            "--media-dir",
            metavar="DIR",
            help="a copy of Ghost's content/images, for the posts' feature images and pictures",
        )

    def handle(self, *args, export, members, dry_run, letter_pattern, media_dir, **options):
        self.check_arguments([export, members], letter_pattern, media_dir)
        source = GhostExport(export, members)
        self.import_source(
            source, letter_pattern=letter_pattern, media_dir=media_dir, dry_run=dry_run
        )
