"""One change at a time to a page in Wagtail's editor.

Wagtail's editor autosaves a draft 500 ms after each change, in the background. An autosave
still in flight when the editor presses Publish raced it: the autosave had read the page as a
draft and, saving after the publish committed, wrote `live = False` back. The editor saw
"has been published" and the page stayed a draft (the same race as payloadcms/payload#1748).

SerialPageEditsMiddleware runs each POST to a page's edit view in one transaction that first
locks the page's row (PostgreSQL: SELECT … FOR UPDATE; SQLite: the write lock an IMMEDIATE
transaction takes), so a second request reads the page only after the first has committed.
An autosave that comes after a publish is then refused by Wagtail's own out-of-date check.
Tested in dearly/questions/tests/test_publish_race.py.
"""

import re

from django.db import transaction

from wagtail.models import Page

EDIT_VIEW = re.compile(r"^/admin/pages/(\d{1,18})/edit/$")


class SerialPageEditsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        match = EDIT_VIEW.match(request.path_info) if request.method == "POST" else None
        if match is None:
            return self.get_response(request)
        with transaction.atomic():
            list(Page.objects.select_for_update().filter(pk=int(match[1])).values_list("pk"))
            response = self.get_response(request)
            if response.status_code >= 500:  # the view failed: keep none of its writes
                transaction.set_rollback(True)
            return response
