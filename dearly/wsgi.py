import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dearly.settings.dev")

application = get_wsgi_application()

# Logged-out readers' pages are answered from the page cache before Django runs
# (docs/architecture.md, "Page cache").
from dearly.pagecache.wsgi import wrap  # noqa: E402  # needs the settings loaded above

application = wrap(application)
