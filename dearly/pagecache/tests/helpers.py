"""Calling the real WSGI application (page cache in front of Django) in the test process."""

import io
import sys

from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from dearly.pagecache.wsgi import PageCache


class Answer:
    def __init__(self, status, headers, body):
        self.status_code = int(status.split()[0])
        self.headers = {}
        for name, value in headers:
            self.headers.setdefault(name.lower(), value)
        self.header_list = headers
        self.body = body
        self.text = body.decode("utf-8", errors="replace")

    @property
    def cache(self):
        return self.headers.get("x-page-cache")


class Reader:
    """Requests through `PageCache(WSGIHandler())`, counting how often Django itself runs."""

    def __init__(self):
        self.app = PageCache(WSGIHandler())
        self.django_runs = 0

    def _count(self, **kwargs):
        self.django_runs += 1

    def get(self, path, method="GET", host="testserver", query="", headers=None, body=b""):
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SCRIPT_NAME": "",
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        if body:
            environ["CONTENT_LENGTH"] = str(len(body))
            environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
        if host is not None:
            environ["HTTP_HOST"] = host
        for name, value in (headers or {}).items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
        answered = []

        def start_response(status, headers, exc_info=None):
            answered[:] = [status, headers]

        # As Django's test client does: the test's transaction must outlive the request.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        request_started.connect(self._count)
        try:
            result = self.app(environ, start_response)
            try:
                content = b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        finally:
            request_started.disconnect(self._count)
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return Answer(*answered, content)
