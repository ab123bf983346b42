from django.core.management.base import BaseCommand, CommandError

from dearly.newsletter import services
from dearly.newsletter.models import Subscriber


class Command(BaseCommand):
    help = (
        "Subscribe the people in a CSV file (a header row with an 'email' column) who agreed "
        "to get the column by email. All or nothing; unsubscribed and bouncing addresses stay so."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file")
        parser.add_argument(
            "--consented", action="store_true",
            help="required: say that everyone in the file agreed to get the column",
        )  # fmt: skip
        parser.add_argument("--weekly", action="store_true", help="a weekly digest for them")

    def handle(self, *args, file, consented, weekly, **options):
        if not consented:
            raise CommandError("import only people who agreed to get the column: add --consented")
        try:
            with open(file, encoding="utf-8-sig", newline="") as lines:
                frequency = Subscriber.Frequency.WEEKLY if weekly else Subscriber.Frequency.EACH
                counts = services.import_subscribers(lines, frequency)
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror or error}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{file}: not UTF-8 text (export it as CSV UTF-8)") from None
        except services.ImportProblem as error:
            lines = "\n".join(error.problems[:20])
            more = len(error.problems) - 20
            tail = f"\n…and {more} more" if more > 0 else ""
            raise CommandError(
                f"{file}: nobody imported; fix these lines:\n{lines}{tail}"
            ) from None
        self.stdout.write(
            "{added} added, {activated} made active, {unchanged} already subscribed, "
            "{kept out} kept out (unsubscribed or bouncing)".format(**counts)
        )
