"""Where a page's time goes: cProfile and query counts for the article with 300 comments,
rendered in-process through the WSGI application (the full middleware stack), on a scratch
site (SQLite, or PostgreSQL with --database-url) loaded like the one bench/comments_load.py uses.

    .venv/bin/python bench/profile_page.py [--requests 300] [--logged-out] [--top 30]

Prints the CPU time per request, the queries per request (and the distinct SQL of one
request), then the functions with the most cumulative and own time.
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time

import harness
from harness import ARTICLE


def inner(args):
    """In the server's environment: run the requests and profile them."""
    harness.django_setup()
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    application = get_wsgi_application()
    host = os.environ["SITE_URL"].split("//", 1)[1]
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": ARTICLE,
        "QUERY_STRING": "",
        "SERVER_NAME": host.split(":")[0],
        "SERVER_PORT": host.split(":")[1],
        "HTTP_HOST": host,
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
    }
    if args.session:
        environ["HTTP_COOKIE"] = f"sessionid={args.session}"

    def get():
        status = []
        body = b"".join(application(dict(environ), lambda s, h, *a: status.append(s)))
        if not status[0].startswith("200"):
            raise SystemExit(f"GET {ARTICLE} answered {status[0]}")
        return body

    for _ in range(20):  # warm the per-process caches
        body = get()
    queries = []

    def record(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    # The connection is closed after each request (SQLite, CONN_MAX_AGE 0), so Django's
    # CaptureQueriesContext would lose the log; a wrapper sees every statement.
    with connection.execute_wrapper(record):
        get()
    profiler = cProfile.Profile()
    started = time.process_time()
    profiler.enable()
    for _ in range(args.requests):
        get()
    profiler.disable()
    cpu_ms = (time.process_time() - started) * 1000 / args.requests
    print(f"{'logged in' if args.session else 'logged out'}: {len(body)} bytes")
    print(f"CPU per request (with the profiler's overhead): {cpu_ms:.2f} ms")
    started = time.process_time()
    for _ in range(args.requests):
        get()
    print(
        f"CPU per request (without the profiler): "
        f"{(time.process_time() - started) * 1000 / args.requests:.2f} ms"
    )
    print(f"queries per request: {len(queries)}")
    for sql in queries:
        print(f"  {sql[:160]}")
    if args.callees:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative")
        stats.print_callees(args.callees)
        print(out.getvalue())
    for sort in ("cumulative", "tottime"):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(sort)
        stats.print_stats(args.top)
        print(f"\n--- by {sort} ---")
        print(out.getvalue().split("\n", 6)[-1])


def profile(args, tmp):
    with harness.database(args.database_url) as url:
        env = harness.scratch_site(tmp, harness.free_port(), url)
        data = harness.commented_article(env, 5)
        extra = [] if args.logged_out else ["--session", data["sessions"][0]]
        if args.callees:
            extra += ["--callees", args.callees]
        print(f"Article with {data['comments']} approved comments, {args.requests} requests")
        inner_args = ["--inner", "--requests", args.requests, "--top", args.top, *extra]
        print(harness.python(env, __file__, *inner_args))
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--requests",
        type=harness.positive_int,
        default=os.environ.get("BENCH_REQUESTS") or "300",
        help="requests to profile (env BENCH_REQUESTS; default 300)",
    )
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--logged-out", action="store_true")
    harness.add_database_arg(parser)
    parser.add_argument("--callees", help="also show what functions matching this call")
    parser.add_argument("--session", help=argparse.SUPPRESS)  # inner run only
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inner:
        return inner(args)
    harness.check_database_arg(parser, args)
    return harness.in_scratch_dir("dearly-profile-", lambda tmp: profile(args, tmp))


if __name__ == "__main__":
    sys.exit(main())
