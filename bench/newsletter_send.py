"""The newsletter at the size of a real list: N active subscribers (100,000), one letter
published, and `manage.py send_newsletter` sending it to an SMTP server on 127.0.0.1 (aiosmtpd,
in this process, counting what arrives), killed with SIGKILL several times on the way and
started again each time.

Reports the editor's wait when publishing, the send's wall time and rate, the sender's peak
RSS, and, counted at the server, who got it twice and who never got it. Targets (issue 12):
publish under 1 s, the whole list under 10 minutes, peak under 300 MB, 0 twice and 0 missed.

    .venv/bin/python bench/newsletter_send.py [--subscribers 100000] [--kills 3]
                                              [--database-url postgres://…]
"""

import argparse
import collections
import os
import random
import signal
import subprocess
import sys
import threading
import time

import harness
from harness import ROOT, BenchError

TARGETS = {"publish_s": 1.0, "send_s": 600.0, "peak_mb": 300.0}
CLAIM_SECONDS = 5  # the sender's lease: a killed sender's batch is taken over after it


# --- in a child with Django (harness.main's inner commands) ------------------------------------


def inner_prepare(count):
    harness.django_setup()
    from dearly.newsletter.models import Mailing, Subscriber

    Mailing.objects.update(state=Mailing.State.DONE)  # the demo's own posts: not this bench's
    Subscriber.objects.bulk_create(
        (Subscriber(email=f"reader{n}@bench.example", state="active") for n in range(int(count))),
        batch_size=5000,
    )
    print(Subscriber.objects.active().count())


def inner_publish():
    harness.django_setup()
    from dearly.articles.models import ColumnIndexPage, LetterPage

    column = ColumnIndexPage.objects.first()
    letter = LetterPage(
        title="Dear Dr. Mimi – Counted Twice",
        slug=f"counted-twice-{int(time.time())}",
        pen_name="Counted Twice",
        question="<p>My team lead sends every announcement twice. How do I ask her to stop?</p>",
        answer="<p>Ask once, kindly, and offer to keep the list of who has been told.</p>",
    )
    column.add_child(instance=letter)
    revision = letter.save_revision()
    started = time.perf_counter()
    revision.publish()  # what the editor waits for when they press Publish
    print(round(time.perf_counter() - started, 3))


# --- the SMTP server -----------------------------------------------------------------------------


class Counting:
    def __init__(self):
        self.received = collections.Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.received.update(envelope.rcpt_tos)
        return "250 Message accepted"

    @property
    def total(self):
        return sum(self.received.values())


# --- the run ---------------------------------------------------------------------------------


def run(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=harness.positive_int, default=100_000)
    parser.add_argument("--kills", type=int, default=3, help="SIGKILLs during the send (3)")
    parser.add_argument("--seed", type=int, default=12)
    harness.add_database_arg(parser)
    args = parser.parse_args(argv)
    harness.check_database_arg(parser, args)
    if args.kills < 0:
        parser.error("--kills must not be negative")
    return harness.in_scratch_dir("dearly-newsletter-", lambda tmp: measure(args, tmp))


def measure(args, tmp):
    from aiosmtpd.controller import Controller

    rng = random.Random(args.seed)  # noqa: S311  # when to kill, not secrets
    sink = Counting()
    smtp = Controller(sink, hostname=harness.HOST, port=harness.free_port())
    smtp.start()
    try:
        with harness.database(args.database_url) as database_url:
            env = harness.scratch_site(tmp, harness.free_port(), database_url)
            env["DJANGO_SETTINGS_MODULE"] = "dearly.settings.dev"
            env["EMAIL_URL"] = f"smtp://{harness.HOST}:{smtp.port}"
            env["NEWSLETTER_CLAIM_SECONDS"] = str(CLAIM_SECONDS)
            script = str(ROOT / "bench" / "newsletter_send.py")
            harness.python(env, script, "inner-prepare", args.subscribers)
            publish_s = float(harness.python(env, script, "inner-publish").strip().splitlines()[-1])
            result = send(env, sink, args, rng)
    finally:
        smtp.stop()
    twice = sum(1 for n in sink.received.values() if n > 1)
    missed = args.subscribers - len(sink.received)
    report = {
        "subscribers": args.subscribers,
        "database": "postgresql" if args.database_url else "sqlite",
        "publish_s": publish_s,
        **result,
        "received": sink.total,
        "twice": twice,
        "missed": missed,
        "load_average": harness.load_average(),
        "git": harness.git_state(),
    }
    print(
        f"publish: {publish_s:.3f} s (target < {TARGETS['publish_s']:.0f})\n"
        f"send: {result['send_s']:.0f} s for {args.subscribers} subscribers, "
        f"{args.subscribers / result['send_s']:.0f}/s (target < {TARGETS['send_s']:.0f} s), "
        f"killed {result['kills']} times\n"
        f"sender peak RSS: {result['peak_mb']:.0f} MB (target < {TARGETS['peak_mb']:.0f})\n"
        f"at the server: {sink.total} messages, {twice} twice, {missed} missed (target 0 and 0)"
    )
    harness.write_results(f"newsletter_send-{report['database']}.json", report)
    if twice or missed:
        raise BenchError(f"{twice} subscribers got it twice and {missed} never got it")
    return 0


def send(env, sink, args, rng):
    """Run the sender until it finishes, killing it at random points first. Returns the wall
    time, the kills and the senders' peak RSS (VmHWM, read while each runs)."""
    command = [str(harness.VENV_BIN / "python"), "manage.py", "send_newsletter", "-v0"]
    kill_at = sorted(rng.uniform(0.1, 0.9) * args.subscribers for _ in range(args.kills))
    started = time.monotonic()
    kills, peak = 0, 0
    while True:
        sender = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
        killed = False
        while sender.poll() is None:
            peak = max(peak, _high_water_mb(sender.pid))
            if kills < len(kill_at) and sink.total >= kill_at[kills]:
                os.killpg(sender.pid, signal.SIGKILL)
                sender.wait()
                kills, killed = kills + 1, True
                time.sleep(CLAIM_SECONDS + 0.5)  # its claimed batch is free again
                break
            if time.monotonic() - started > 3 * TARGETS["send_s"]:
                os.killpg(sender.pid, signal.SIGKILL)
                raise BenchError("the send took over three times its target; stopped")
            time.sleep(0.05)
        if not killed:
            if sender.returncode != 0:
                raise BenchError(f"send_newsletter exited with {sender.returncode}")
            break
    return {"send_s": round(time.monotonic() - started, 1), "kills": kills, "peak_mb": peak}


def _high_water_mb(pid):
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "bench"))
    harness.main(run, {"inner-prepare": inner_prepare, "inner-publish": inner_publish})
