import time

from django.core.management.base import BaseCommand, CommandError

from dearly.newsletter import sending


class Command(BaseCommand):
    help = (
        "Send the newsletter's waiting mailings, then stop (or keep watching with --watch). "
        "Safe to run beside the server's scheduler and other senders."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--watch", type=float, metavar="SECONDS", default=0,
            help="after sending, look again every SECONDS until stopped",
        )  # fmt: skip

    def handle(self, *args, watch=0, **options):
        if watch < 0:
            raise CommandError("--watch must be a positive number of seconds")
        while True:
            sent = sending.send_pending()
            if options["verbosity"]:
                self.stdout.write(f"{sent} emails sent")
            if not watch:
                return
            time.sleep(watch)
