"""The old site's members and newsletter subscribers, as the newsletter's subscribers (a part
of Import). Only those who were subscribed come in, active at once, with no confirmation
email: they agreed on the old site. The newsletter's own rules hold (dearly.newsletter
.services.subscribe_consented): an address that unsubscribed or bounced here stays so."""

from dearly.newsletter.services import checked_address, subscribe_consented


class Readers:
    def __init__(self, report):
        self.report = report
        self.wanted = {}  # lower-cased address -> (address, subscribed since)

    def add(self, reader):
        if not reader.subscribed:
            self.report.skipped["subscribers who had stopped the emails"] += 1
            return
        email = checked_address(reader.email)
        if email is None:
            self.report.skipped["subscribers with an invalid email address"] += 1
            where = f"{reader.path}:{reader.line}" if reader.line else reader.path
            self.report.warn(f"{where}: “{reader.email[:60]}” is not an email address; left out")
            return
        if email.lower() in self.wanted:
            self.report.skipped["subscribers listed twice"] += 1
            return
        self.wanted[email.lower()] = (email, reader.since)

    def subscribe(self):
        if not self.wanted:
            return
        counts = subscribe_consented(self.wanted)
        self.report.created["subscribers"] += counts["added"]
        self.report.updated["subscribers"] += counts["activated"]
        self.report.unchanged["subscribers"] += counts["unchanged"]
        if counts["kept out"]:
            self.report.skipped["subscribers who unsubscribed or bounced here (left so)"] += counts[
                "kept out"
            ]
