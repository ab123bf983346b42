"""Hostile requests to every route the site has: never a 5xx, nothing written, no error logged.

The routes come from Django's URL resolver, so a view is walked as soon as it is routed
(Wagtail's admin included, as a superuser); a route no request reached fails the walk, and
SKIPPED_ROUTES says why any is left out. Each path parameter gets every bad value in turn, the
others a real demo object so the view gets past its 404; query strings and form bodies carry
every parameter name the views read, all set to one bad value per request (a sample of the
values per route, see SAMPLE_OURS). Forms go without a CSRF token, as the test client sends
them: past the check, to the view. Each request is rolled back afterwards.

A failure names the method, the URL, who asked, what was bad, the status, and the exception or
log line; all of them are listed together. To replay one, send the same request with
`client.raise_request_exception = True` and read the traceback.
"""

import copy
import io
import itertools
import logging
import re
import sys
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, unquote_to_bytes

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.signals import got_request_exception
from django.db import OperationalError, connection, transaction
from django.forms.forms import BaseForm
from django.http import Http404
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.utils.encoding import repercent_broken_unicode

from taggit.models import Tag
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection, Page, Site

import pytest
import requests

import dearly
from dearly import testing
from dearly.articles.models import LetterPage, Topic
from dearly.comments.models import Comment
from dearly.comments.tasks import UNSUBSCRIBE_SALT
from dearly.core.models import ColumnSettings
from dearly.core.requests import WagtailAdminInputMiddleware
from dearly.importer.models import ImportRun
from dearly.newsletter.models import Mailing
from dearly.newsletter.sending import week_of
from dearly.questions.models import Question
from dearly.scaleout.tests.servers import app_server, database_url, server_env

# What travels in a URL or a form body, percent-encoded as a client would send it.
BAD_VALUES = {
    "superscript two": quote("²"),
    "Arabic-Indic three": quote("٣"),
    "year zero": "0000",
    "zero": "0",
    "huge number": str(10**30),
    "negative": "-1",
    "NUL": "%00",
    "invalid UTF-8": "%FF%FE",
    "unterminated quote": quote('"unterminated'),
    "NEAR(": quote("NEAR("),
    "a OR OR b": quote("a OR OR b"),
    "star": quote("*"),
    "caret": quote("^"),
    "long string": "a" * 5000,  # in a form body: LONG_FORM_VALUE
}
LONG_FORM_VALUE = "b" * 100_000  # under DATA_UPLOAD_MAX_MEMORY_SIZE; the 10 MB case is below
# Query strings and form bodies get a few of the bad values per route, a different few each
# time (every one on every route would take minutes): one for the routes of Wagtail and
# allauth, five for ours, always with the digits str.isdigit() accepts but int() does not.
SAMPLE_OURS = 5
ALWAYS_OURS = ("superscript two", "Arabic-Indic three")

# Names the views of other packages read (Wagtail's listings and choosers, allauth's forms);
# ours are collected from the source below.
THIRD_PARTY_NAMES = """q p page next ordering id ids email login password password1 password2
    remember code key token parent_page_id collection_id tag locale content_type page_type
    multiple action title slug year month body filter sort per_page""".split()
NAME_IN_SOURCE = re.compile(r"""\b(?:GET|POST)(?:\.get(?:list)?\(|\[)\s*["'](\w+)["']""")

# Routes that cannot take input at all, and why. Everything else must be exercised.
SKIPPED_ROUTES = {
    # Wagtail's "test the error page" view: raises on purpose for superusers.
    "admin/failwhale/",
}
# The tables a request may write to without changing anything a reader or editor sees.
BOOKKEEPING_TABLES = {
    "django_session",
    "dearly_cache",  # the database cache: rate-limit counters, locks
    # Wagtail's admin: an editor's profile and "who else is editing" (made on first visit),
    # following a page they open, thumbnails made when first shown.
    "wagtailusers_userprofile",
    "wagtailadmin_editingsession",
    "wagtailcore_pagesubscription",
    "wagtailimages_rendition",
}
# Routes where the URL's signed token is the credential and any POST acts (RFC 8058 one-click).
ACT_ON_ANY_POST = {"comments/unsubscribe/<str:token>/"}
# Exceptions Django turns into a 4xx on purpose; logged with a traceback at WARNING.
EXPECTED_4XX = (Http404, PermissionDenied, BadRequest, SuspiciousOperation)


def parameter_names():
    """Every query or form parameter our views read, plus the common third-party ones."""
    names = set(THIRD_PARTY_NAMES)
    for path in Path(dearly.__file__).parent.rglob("*.py"):
        if not {"tests", "migrations"} & set(path.parts):
            names.update(NAME_IN_SOURCE.findall(path.read_text()))
    forms = [BaseForm]
    while forms:
        form = forms.pop()
        forms.extend(form.__subclasses__())
        if form.__module__.startswith("dearly."):
            names.update(getattr(form, "base_fields", {}))
    return sorted(names)


# Routes: every URL pattern, as literal parts and parameters.


@dataclass
class Route:
    key: str  # as Django's ResolverMatch.route spells it
    parts: list  # literal strings and ("param", name)
    module: str
    params: list = field(default_factory=list)
    model: type | None = None  # the model a generic (Wagtail) view is for

    @property
    def ours(self):
        # Wagtail's page-tree view serves our page models.
        return self.module.startswith("dearly.") or self.module == "wagtail.views.serve"

    @property
    def admin(self):
        return self.key.startswith("admin/")

    def url(self, values):
        return "/" + "".join(v if isinstance(v, str) else values[v[1]] for v in self.parts)


def _route_parts(route):
    """'comments/<int:comment_id>/edit/' -> ['comments/', ('param', 'comment_id'), '/edit/']."""
    parts, last = [], 0
    for match in re.finditer(r"<(?:\w+:)?(\w+)>", route):
        parts += [route[last : match.start()], ("param", match[1])]
        last = match.end()
    return [*parts, route[last:]]


def _regex_parts(regex):
    """A regex's literal text and its groups (and bare .* runs) as parameters."""
    parts, i, unnamed = [], 0, 0
    while i < len(regex):
        char = regex[i]
        if char == "\\":
            parts.append(regex[i + 1])
            i += 2
        elif char == "(":
            depth, j = 0, i
            while True:
                depth += {"(": 1, ")": -1}.get(regex[j], 0)
                j += 2 if regex[j] == "\\" else 1
                if depth == 0:
                    break
            named = re.match(r"\(\?P<(\w+)>", regex[i:])
            name = named[1] if named else f"arg{unnamed}"
            unnamed += not named
            parts.append(("param", name))
            i = j + (regex[j : j + 1] in ("*", "+", "?"))
        elif regex[i : i + 2] in (".*", ".+"):
            parts.append(("param", "rest"))
            i += 2
        elif char in "^$":
            i += 1
        else:
            parts.append(char)
            i += 1
    return parts


def all_routes():
    routes = []

    def walk(patterns, prefix, prefix_parts):
        for pattern in patterns:
            text = str(pattern.pattern)
            key = prefix + (text.removeprefix("^") if prefix else text)
            regex = not hasattr(pattern.pattern, "_route")
            parts = prefix_parts + (_regex_parts(text) if regex else _route_parts(text))
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, key, parts)
            else:
                assert isinstance(pattern, URLPattern)
                params = [p[1] for p in parts if not isinstance(p, str)]
                model = getattr(pattern.callback, "view_initkwargs", {}).get("model")
                routes.append(Route(key, parts, pattern.lookup_str, params, model))

    walk(get_resolver().url_patterns, "", [])
    return routes


def resolves_to(route, url):
    """Whether Django would send this URL (as a client sends it) to this route's view."""
    path = repercent_broken_unicode(unquote_to_bytes(url.split("?")[0])).decode()
    try:
        return resolve(path).route == route.key
    except Resolver404:
        return False


# The demo column and the objects whose ids fill the path parameters.


def demo_objects():
    call_command("load_demo", stdout=io.StringIO())
    User = get_user_model()
    editor = User.objects.create_superuser("hostile-editor", "editor@example.com", "pw")
    reader = User.objects.get(username="ana")  # has approved comments in the demo
    letter = LetterPage.objects.live().get(slug="dear-dr-mimi-poor")
    comment = Comment.objects.filter(author=reader).first()
    token, token_hash = Question.new_token()
    question = Question.objects.create(
        token_hash=token_hash,
        text="Is it too late to change careers?",
        pen_name="Late",
        consent=True,
    )
    # With their size and hash, as Wagtail's upload forms leave them (a GET would add them).
    image = get_image_model().objects.create(title="Desk", file=get_test_image_file())
    document = get_document_model().objects.create(
        title="Notes", file=ContentFile(b"notes", name="notes.txt")
    )
    for media in (image, document):
        media.get_file_size(), media.get_file_hash()  # each saves what it reads
    # The letter went out by email, and so did the weekly digest that holds it (the demo's
    # own posts start no mailing).
    Mailing.objects.create(page=letter)
    week_end = (letter.first_published_at + timedelta(days=1)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    Mailing.objects.create(digest_from=week_end - timedelta(days=7), digest_until=week_end)
    # An export uploaded in the admin, its dry run done: it may be imported or cancelled.
    import_run = ImportRun.objects.create(
        kind=ImportRun.Kind.WORDPRESS,
        export_name="export.xml",
        state=ImportRun.State.CHECKED,
        dry_run_report="Dry run: nothing was written.",
        started_by=editor,
    )
    return {
        "editor": editor,
        "reader": reader,
        "letter": letter,
        "comment": comment,
        "question": question,
        "question_token": token,
        "image": image,
        "document": document,
        "import_run": import_run,
    }


def real_values(objects):
    """Path values that name real objects: {name: value}, and {(route prefix, name): value}
    where a name means different things on different routes."""
    letter, reader = objects["letter"], objects["reader"]
    page = str(letter.pk)
    revision = str(letter.latest_revision_id)
    by_name = {
        "page_id": page,
        "page_pk": page,
        "page_to_move_id": page,
        "object_id": page,
        "parent_page_id": str(letter.get_parent().pk),
        "destination_id": str(Page.objects.get(slug="guides").pk),
        "revision_id": revision,
        "revision_id_a": "earliest",
        "revision_id_b": "latest",
        "comment_id": str(objects["comment"].pk),
        "user_id": str(reader.pk),
        "image_id": str(objects["image"].pk),
        "document_id": str(objects["document"].pk),
        "doc_id": str(objects["document"].pk),
        "collection_id": str(Collection.get_first_root_node().pk),
        "username": "mimi",
        "slug": Topic.objects.first().slug,
        "year": "2025",
        "month": "01",
        "filter_spec": "original",
        "action_name": "copy",
        "content_type_app_name": "articles",
        "content_type_model_name": "letterpage",
        "app_label": "articles",
        "app_name": "articles",
        "model_name": "letterpage",
        "action": "delete",
        "key": "not-a-key",
        "uidb36": "1",
        "uidb64": "MQ",
        "token": "not-a-token",
        "rest": "nowhere",
        "arg0": ["", "letters/", "letters/dear-dr-mimi-poor/", "guides/", "about/"],
    }
    by_route = {
        ("admin/bulk/", "app_label"): "wagtailcore",
        ("admin/bulk/", "model_name"): "page",
        ("admin/editing-sessions/", "app_label"): "wagtailcore",
        ("admin/editing-sessions/", "model_name"): "page",
        ("admin/settings/", "app_name"): "core",
        ("admin/settings/", "model_name"): "columnsettings",
        ("admin/settings/", "pk"): str(ColumnSettings.for_site(Site.objects.get()).pk),
        ("admin/workflows/tasks/add/", "app_label"): "wagtailcore",
        ("admin/workflows/tasks/add/", "model_name"): "groupapprovaltask",
        ("admin/tag-autocomplete/", "model_name"): "articlepage",
        ("admin/pages/workflow/", "action_name"): "approve",
        ("admin/pages/", "pk"): page,
        ("admin/api/main/pages/", "pk"): page,
        ("admin/api/main/images/", "pk"): str(objects["image"].pk),
        ("admin/api/main/documents/", "pk"): str(objects["document"].pk),
        ("admin/images/", "pk"): str(objects["image"].pk),
        ("admin/documents/", "pk"): str(objects["document"].pk),
        ("admin/questions/", "pk"): str(objects["question"].pk),
        ("admin/move-in/", "run_id"): str(objects["import_run"].pk),
        ("ask/status/", "token"): objects["question_token"],
        ("comments/unsubscribe/", "token"): signing.dumps({"u": reader.pk}, salt=UNSUBSCRIBE_SALT),
        ("subscribe/emails/week/", "week"): week_of(Mailing.objects.get(page=None)),
        ("tags/", "slug"): Tag.objects.first().slug,
        ("theme/", "colour"): "1a5f7a",
        ("documents/", "arg0"): str(objects["document"].pk),
        ("documents/", "arg1"): "notes.txt",
    }
    return by_name, by_route


def fill(route, by_name, by_route):
    """The real value of each of the route's parameters (a list for the page-tree route)."""
    values = {}
    for name in route.params:
        prefixed = [
            v for (prefix, n), v in by_route.items() if n == name and route.key.startswith(prefix)
        ]
        if prefixed:
            values[name] = prefixed[0]
        elif name == "pk" and route.model is not None:
            obj = route.model._default_manager.order_by("pk").first()
            values[name] = str(obj.pk) if obj else "1"
        else:
            values[name] = by_name.get(name, "1")
    return values


# Sending: one request at a time, rolled back, with what it wrote and logged recorded.

WRITE = re.compile(
    r"""^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+["`]?(\w+)""", re.IGNORECASE
)


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.records = []

    def emit(self, record):
        self.records.append(record)


def _is_error(record):
    if record.name.startswith("django.security."):
        return False  # SuspiciousOperation (a 10 MB body, a bad Host): Django's security log
    if record.exc_info and record.exc_info[1] is not None:
        return not isinstance(record.exc_info[1], EXPECTED_4XX)
    return record.levelno >= logging.ERROR


class Walker:
    """Sends requests as anonymous, reader or editor and collects every failure."""

    def __init__(self, objects):
        self.clients = {"anonymous": Client(raise_request_exception=False)}
        self.sessions = {}
        for who in ("reader", "editor"):
            client = Client(raise_request_exception=False)
            client.force_login(objects[who])
            self.clients[who] = client
            self.sessions[who] = client.cookies[settings.SESSION_COOKIE_NAME].value
        self.failures = []
        self.reached = {}  # route key -> statuses of the requests its view answered
        self.sent = 0
        self._writes, self._exceptions = [], []
        self._log = _Records()

    def __enter__(self):
        got_request_exception.connect(self._exception)
        return self

    def __exit__(self, *exc):
        got_request_exception.disconnect(self._exception)

    def _exception(self, sender, request=None, **kwargs):
        self._exceptions.append(sys.exc_info()[1])

    def _write(self, execute, sql, params, many, context):
        if match := WRITE.match(sql):
            self._writes.append(match[1])
        return execute(sql, params, many, context)

    def send(self, route, who, method, url, what, body=b"", check_writes=True, **extra):
        """One request; `check_writes` is off only where an editor or reader really acts."""
        client = self.clients[who]
        client.cookies.pop("messages", None)
        if who in self.sessions:  # a logout or login in the last request is undone
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[who]
        self._writes.clear()
        self._exceptions.clear()
        self._log.records.clear()
        content_type = extra.pop("content_type", "application/x-www-form-urlencoded")
        # Thousands of "Not Found" warnings: read here, not printed or kept by pytest.
        root = logging.getLogger()
        handlers, root.handlers = root.handlers, [self._log]
        try:
            with transaction.atomic():
                with connection.execute_wrapper(self._write):
                    response = client.generic(method, url, body, content_type, **extra)
                transaction.set_rollback(True)  # whatever a request did, the next starts afresh
        finally:
            root.handlers = handlers
        self.sent += 1
        if route is not None and resolves_to(route, url):
            self.reached.setdefault(route.key, []).append(response.status_code)
        problems = []
        if response.status_code >= 500:
            problems.append(f"status {response.status_code}")
        problems += [f"{type(e).__name__}: {e}" for e in self._exceptions]
        problems += [
            f"logged {r.levelname} by {r.name}: {r.getMessage()[:150]}"
            + (f" ({type(r.exc_info[1]).__name__}: {r.exc_info[1]})" if r.exc_info else "")
            for r in self._log.records
            if _is_error(r)
        ]
        if check_writes:
            written = sorted(set(self._writes) - BOOKKEEPING_TABLES)
            if written:
                problems.append(f"wrote to {', '.join(written)}")
        if problems:
            shown = url if len(url) < 160 else url[:150] + f"…({len(url)} chars)"
            self.failures.append(
                f"{method} {shown} as {who} [{what}] -> {response.status_code}: "
                + "; ".join(dict.fromkeys(problems))
            )
        return response

    def report(self):
        return f"{len(self.failures)} of {self.sent} hostile requests failed:\n" + "\n".join(
            self.failures
        )


# The walk.


def may_not_act(route, who):
    """Whether a POST to real objects must change nothing: a reader's or editor's may (their
    comment, unpublishing a page; rolled back), and so may the holder of a signed link."""
    return who == "anonymous" and route.key not in ACT_ON_ANY_POST


def who_asks(route):
    return ["editor"] if route.admin else ["anonymous", "reader"]


def real_urls(route, by_name, by_route):
    values = fill(route, by_name, by_route)
    choices = [v if isinstance(v, list) else [v] for v in values.values()]
    combos = itertools.product(*choices)
    return [route.url(dict(zip(values, combo, strict=True))) for combo in combos]


def bad_path_urls(route, by_name, by_route):
    """(parameter, value label, URL) for each bad value that still reaches the route's view."""
    real = {
        k: v[0] if isinstance(v, list) else v for k, v in fill(route, by_name, by_route).items()
    }
    for name in route.params:
        for label, value in BAD_VALUES.items():
            for candidate in (value, value + "/"):  # the page tree wants a trailing slash
                url = route.url({**real, name: candidate})
                if resolves_to(route, url):
                    yield name, label, url
                    break


def sampled_values(route, turn):
    """The bad values to send this turn (see SAMPLE_OURS)."""
    if not route.ours:
        return [list(BAD_VALUES)[turn % len(BAD_VALUES)]]
    rest = [label for label in BAD_VALUES if label not in ALWAYS_OURS]
    size = SAMPLE_OURS - len(ALWAYS_OURS)
    return [*ALWAYS_OURS, *(rest[(turn * size + n) % len(rest)] for n in range(size))]


def form_body(names, label):
    value = LONG_FORM_VALUE if label == "long string" else BAD_VALUES[label]
    return "&".join(f"{name}={value}" for name in names)


def walked_routes():
    """Every route once, as Django resolves it: a route of ours that shadows one of Wagtail's
    (dearly/urls.py) comes first and has the same key."""
    routes = {}
    for route in all_routes():
        if route.key not in SKIPPED_ROUTES:
            routes.setdefault(route.key, route)
    return list(routes.values())


@pytest.fixture(scope="module")
def _demo_objects(module_db):
    """The demo column, loaded once for the module's walks (every request is rolled back)."""
    with module_db.unblocked():
        return demo_objects()


@pytest.fixture
def walker(db, settings, _demo_objects):
    settings.ACCOUNT_RATE_LIMITS = False  # a limit's 429 would stop the walk at the door
    objects = copy.deepcopy(_demo_objects)
    with Walker(objects) as walker:
        walker.objects = objects
        walker.values = real_values(objects)
        yield walker


@pytest.mark.sweeps
def test_every_route_survives_bad_path_values_and_real_ones(walker):
    routes = walked_routes()
    for route in routes:
        for who in who_asks(route):
            for url in real_urls(route, *walker.values):
                walker.send(route, who, "GET", url, "real ids")
                walker.send(
                    route, who, "POST", url, "real ids", check_writes=may_not_act(route, who)
                )
        for name, label, url in bad_path_urls(route, *walker.values):
            who = who_asks(route)[-1]  # the reader or editor: the one the view lets furthest
            if walker.send(route, who, "GET", url, f"{name} = {label}").status_code == 405:
                walker.send(route, who, "POST", url, f"{name} = {label}")
    unreached = [r.key for r in routes if r.key not in walker.reached]
    stuck = [r.key for r in routes if r.ours and set(walker.reached.get(r.key, [404])) == {404}]
    assert not walker.failures, walker.report()
    assert not unreached, f"No request reached these routes' views: {unreached}"
    assert not stuck, f"Our views answered only 404, even with real ids: {stuck}"


@pytest.mark.sweeps
def test_every_route_survives_bad_query_strings_and_form_bodies(walker):
    names = parameter_names()
    turn = itertools.count()
    for route in walked_routes():
        for who in who_asks(route):
            for url in real_urls(route, *walker.values):
                for label in sampled_values(route, next(turn)):
                    query = "&".join(f"{name}={BAD_VALUES[label]}" for name in names)
                    what = f"every query parameter = {label}"
                    walker.send(route, who, "GET", f"{url}?{query}", what)
                    what = f"every form field = {label}"
                    body = form_body(names, label)
                    walker.send(
                        route, who, "POST", url, what, body, check_writes=may_not_act(route, who)
                    )
    assert not walker.failures, walker.report()


def test_a_ten_megabyte_body_gets_a_400_never_a_500(walker):
    """Over DATA_UPLOAD_MAX_MEMORY_SIZE: Django refuses a form body or a form field that big
    (RequestDataTooBig, logged by django.security); a 10 MB file is an upload like any other."""
    letter = walker.objects["letter"]
    big = "x" * (10 * 1024 * 1024)
    multipart = f'--b\r\nContent-Disposition: form-data; name="body"\r\n\r\n{big}\r\n--b--\r\n'
    upload = multipart.replace('name="body"', 'name="body"; filename="big.txt"')
    routes = {r.key: r for r in walked_routes()}
    for key, who, url in [
        ("ask/", "anonymous", "/ask/"),
        ("ask/send/", "anonymous", "/ask/send/"),
        ("accounts/login/", "anonymous", "/accounts/login/"),
        ("comments/post/<int:page_id>/", "reader", f"/comments/post/{letter.pk}/"),
        ("admin/comments/bulk/", "editor", "/admin/comments/bulk/"),
        ("admin/pages/<int:page_id>/edit/", "editor", f"/admin/pages/{letter.pk}/edit/"),
    ]:
        route, checked = routes[key], may_not_act(routes[key], who)
        for what, body, content_type in [
            ("10 MB form", f"body={big}", "application/x-www-form-urlencoded"),
            ("10 MB form field", multipart, "multipart/form-data; boundary=b"),
            ("10 MB file", upload, "multipart/form-data; boundary=b"),
        ]:
            response = walker.send(
                route, who, "POST", url, what, body, checked, content_type=content_type
            )
            if what != "10 MB file":
                assert response.status_code == 400, (key, what, response)
    assert not walker.failures, walker.report()


# Bodies in a charset Django cannot read (dearly.core.requests).

# Charsets Django refuses for a form body (only UTF-8 is allowed) or that garble ASCII.
ODD_CHARSETS = ["utf-16", "utf-32", "utf-7", "cp037", "no-such-charset", "utf8", "latin-1"]
FORM_PAGES = ["/", "/ask/", "/accounts/login/", "/search/", "/no-such-page/"]


def post_in_charset(client, url, charset):
    content_type = f"application/x-www-form-urlencoded; charset={charset}"
    return client.generic("POST", url, b"a=b", content_type)  # post() would encode it


def csrf_checking_client():
    """A browser's request: the CSRF check runs (the test client skips it by default) and
    reads the body for the token."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.cookies["csrftoken"] = "a" * 32
    return client


def errors_logged(caplog):
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("charset", ODD_CHARSETS)
def test_a_form_in_a_charset_django_cannot_read_gets_our_400_page(site_tree, caplog, charset):
    client = csrf_checking_client()
    for url in FORM_PAGES:
        response = post_in_charset(client, url, charset)
        assert response.status_code == 400, (url, response)
        assert "Sorry, your browser sent a request" in response.content.decode()
    assert not errors_logged(caplog)


@pytest.mark.parametrize("charset", ["utf-8", "UTF-8"])
def test_a_utf8_form_still_reaches_the_csrf_check(site_tree, charset):
    response = post_in_charset(csrf_checking_client(), "/ask/", charset)
    assert response.status_code == 403  # the token was not the cookie's: refused as ever
    assert "Your form could not be sent" in response.content.decode()


def test_a_query_string_is_not_read_in_a_charset_that_garbles_it(client, site_tree):
    response = client.get("/search/?q=hello", CONTENT_TYPE="text/plain; charset=utf-16")
    assert response.status_code == 400


def test_a_nul_in_the_path_gets_400_before_any_lookup(client, site_tree):
    """PostgreSQL refuses NUL in text, so /authors/%00/ was a 500 there."""
    for url in ["/authors/%00/", "/admin/workflows/tasks/add/%00/task/", "/letters/%00/"]:
        assert client.get(url).status_code == 400


def test_error_pages_never_read_a_body_that_failed_to_parse(settings, site_tree, caplog):
    """Without the middleware in front, Django's CSRF check refuses the body (BadRequest) and
    the 400 page is shown: its own CSRF check would read the body again, and fail with 500."""
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "dearly.core.requests.UnreadableRequestMiddleware"
    ]
    for url in FORM_PAGES:
        response = post_in_charset(csrf_checking_client(), url, "utf-16")
        assert response.status_code == 400, (url, response)
    assert not errors_logged(caplog)


@pytest.mark.servers
def test_the_production_server_answers_an_odd_charset_with_400(transactional_db):
    """granian as `make run` starts it, in front of the whole stack (page cache included).
    Transactional: the server writes to the database cache, which a test's open transaction
    would keep locked on SQLite."""
    env = server_env(database_url())
    with app_server(env) as server:
        http = requests.Session()
        http.cookies.set("csrftoken", "a" * 32)
        for url in FORM_PAGES:
            response = http.post(
                server.url + url,
                data=b"a=b",
                headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-16"},
                timeout=10,
            )
            assert response.status_code == 400, (url, server.output())
        for url in ["/search/?q=%FF%FE", "/%00/", "/ask/status/%FF/"]:
            response = http.get(server.url + url, timeout=10)
            assert response.status_code < 500, (url, server.output())
        big = http.post(server.url + "/ask/", data={"question": "x" * 3_000_000}, timeout=30)
        assert big.status_code == 400, server.output()
        assert "Internal Server Error" not in server.output()


# Wagtail's admin and malformed input (dearly.core.requests.WagtailAdminInputMiddleware).


@pytest.mark.parametrize(
    "path, error, answered_400",
    [
        ("/admin/images/chooser/chosen/1/", ValueError("Field 'id' expected a number"), True),
        ("/admin/pages/search/", OperationalError('fts5: syntax error near "\'"'), True),
        # Ours: a failure there is our bug and stays a 500, as on the public site.
        ("/admin/comments/", ValueError("Field 'id' expected a number"), False),
        ("/letters/", ValueError("Field 'id' expected a number"), False),
        # A database gone is no bad input: the outage page (503) answers it.
        ("/admin/pages/search/", OperationalError("database is locked"), False),
    ],
)
def test_only_wagtails_admin_views_answer_bad_input_with_400(rf, path, error, answered_400):
    request = rf.get(path)
    request.resolver_match = resolve(path)
    middleware = WagtailAdminInputMiddleware(lambda request: None)
    if answered_400:
        with pytest.raises(BadRequest):
            middleware.process_exception(request, error)
    else:
        assert middleware.process_exception(request, error) is None


@pytest.mark.search_indexes
def test_an_editors_search_with_a_lone_quote_gets_400_not_the_outage_page(client, site_tree):
    """On SQLite, modelsearch puts the term in double quotes without doubling the one inside
    it; PostgreSQL's backend copes and shows the results."""
    # Its own slug: the module's walks may have loaded the demo, whose letters are letter-N.
    testing.make_letter(site_tree["letters"], slug="a-lone-quote")
    editor = get_user_model().objects.create_superuser("quote-editor", "q@example.com", "pw")
    client.force_login(editor)
    client.raise_request_exception = False
    response = client.get("/admin/pages/usage/articles/letterpage/", {"q": '"unterminated'})
    assert response.status_code == (400 if connection.vendor == "sqlite" else 200)
