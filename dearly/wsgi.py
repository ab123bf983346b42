import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dearly.settings.dev")

application = get_wsgi_application()

# Logged-out readers' pages are answered from the page cache before Django runs
# (docs/architecture.md, "Page cache").
from dearly.pagecache.wsgi import wrap  # noqa: E402  # needs the settings loaded above

application = wrap(application)

# Retrieval by meaning is ready before the first reader asks: the sentence model and every
# page's vector load now, in each worker (about a second; docs/architecture.md, "Retrieval").
from dearly.retrieval.vectors import warm_up  # noqa: E402

warm_up()

# `make run` keeps the schedule (scheduled publishing, the daily purge) in the server: one worker
# at a time, by a lock (dearly/ops/scheduler.py). Elsewhere `manage.py run_scheduler` or cron.
if os.environ.get("DEARLY_SCHEDULER", "").strip().lower() == "thread":
    from dearly.ops.scheduler import start_in_worker

    start_in_worker()

# What is loaded by now lives as long as the worker: keep it out of the garbage collector's
# full passes, each of which paused a worker for 0.1-0.8 s every ~1,000 requests (bench/README.md).
import gc  # noqa: E402

gc.freeze()
