"""python manage.py import_wordpress export.xml [more.xml …] [--dry-run] [--media-dir DIR]

Thin: wxr.py parses, sources/wordpress.py gives neutral records, mapping/ decides what each
becomes, this prints what happened. See docs/moving-in.md."""

from dearly.importer.command import ImportCommand
from dearly.importer.mapping.run import ImportOptions, WordPressImport


class Command(ImportCommand):
    help = "Import a WordPress export (WXR 1.0-1.2): posts, pages, comments, media, old URLs."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="WXR export file(s)")
        super().add_arguments(parser)
        parser.add_argument(
            "--media-dir", metavar="DIR", help="a copy of wp-content/uploads to import files from"
        )
        parser.add_argument(
            "--skip-pings", action="store_true", help="leave pingbacks and trackbacks out"
        )

    def handle(self, *args, files, dry_run, letter_pattern, media_dir, skip_pings, **options):
        self.check_arguments(files, letter_pattern, media_dir)
        importer = WordPressImport(
            ImportOptions(
                letter_pattern=letter_pattern,
                media_dir=media_dir,
                skip_pings=skip_pings,
                dry_run=dry_run,
            )
        )
        self.run_import(lambda bar: importer.run(files, progress=bar), dry_run=dry_run)
