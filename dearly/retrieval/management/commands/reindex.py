"""`manage.py reindex`: every page's words and vector brought up to date, with a progress bar.

Safe to re-run and to stop: pages whose text has not changed are not embedded again, and each
batch is written on its own. Wagtail's own search index (the editor's page search) is rebuilt
by Wagtail's `update_index`, which this runs too unless `--retrieval-only`.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from tqdm import tqdm

from dearly.retrieval import encoder
from dearly.retrieval.indexing import reindex


class Command(BaseCommand):
    help = "Rebuild the search and similar-letters index (words and vectors). Safe to re-run."

    def add_arguments(self, parser):
        parser.add_argument(
            "--missing",
            action="store_true",
            help="Only the pages not indexed yet (quick when there are none; `make run` runs it).",
        )
        parser.add_argument(
            "--retrieval-only",
            action="store_true",
            help="Leave Wagtail's own search index (the editor's page search) as it is.",
        )

    def handle(self, *args, retrieval_only=False, missing=False, verbosity=1, **options):
        model = encoder.encoder()
        if model is None and missing:  # `make run` starting: the site serves, by words alone
            self.stderr.write("the sentence model could not be loaded: indexing words only")
        elif model is None:
            raise CommandError(
                "the sentence model could not be loaded (see the log above); reinstall with "
                "`make setup`, or pages keep only their words"
            )
        bar = tqdm(total=0, unit="page", disable=verbosity < 1, file=self.stderr._out)

        def progress(done, total, _elapsed):
            bar.total = total
            bar.n = done
            bar.refresh()

        pages, written, embedded = reindex(progress=progress, model=model, missing_only=missing)
        bar.close()
        if not retrieval_only and not missing:
            call_command("update_index", verbosity=0)
        if verbosity:
            self.stdout.write(f"{pages} pages: {written} documents written, {embedded} embedded.")
