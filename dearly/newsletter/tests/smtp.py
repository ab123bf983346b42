"""A real SMTP server on 127.0.0.1 for the tests (aiosmtpd in a thread), keeping what arrives
and answering as told for some addresses."""

import contextlib
import email
import email.policy
import os
import signal
import threading

from aiosmtpd.controller import Controller

from dearly.scaleout.tests.servers import free_port


class Sink:
    """The handler: `messages` is [(recipients, parsed message)]; `answers` maps an address to
    the reply its RCPT gets (e.g. "550 No such user"); `drop_after` closes the connection
    before the DATA of the message after that many arrived; `kill` = (pid, command, count)
    kills the sending process with SIGKILL at that command ("MAIL", "RCPT", or "DATA": once
    the whole message is in, before the reply) once `count` messages have arrived."""

    def __init__(self):
        self.messages = []
        self.answers = {}
        self.drop_after = None
        self.kill = None
        self.kills = []
        self.mail_answer = None  # e.g. "550 Sender rejected": every MAIL FROM refused
        self.lock = threading.Lock()

    def _kill_at(self, command):
        if self.kill and self.kill[1] == command and len(self.messages) >= self.kill[2]:
            pid = self.kill[0]
            self.kill = None
            self.kills.append((command, len(self.messages)))
            os.kill(pid, signal.SIGKILL)
            return True
        return False

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self._kill_at("MAIL"):
            return "421 Going away"
        if self.mail_answer:
            return self.mail_answer
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self._kill_at("RCPT"):
            return "421 Going away"
        answer = self.answers.get(address)
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.drop_after is not None and len(self.messages) >= self.drop_after:
                self.drop_after = None
                server.transport.close()
                return "421 Closing"
            parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.messages.append((list(envelope.rcpt_tos), parsed))
            if self._kill_at("DATA"):  # it has arrived; the sender never hears so
                return "421 Going away"
        return "250 Message accepted"

    def to(self, address):
        return [message for rcpts, message in self.messages if address in rcpts]


@contextlib.contextmanager
def smtp_server():
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield sink, controller.port
    finally:
        controller.stop()
