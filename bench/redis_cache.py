"""The shared cache against a real Redis: time per get/set while it is up, and what each
operation costs while it is away, refused (stopped: nothing listens) or hung (the process
frozen with SIGSTOP: connections open, no answer comes).

Starts its own redis-server on a free port (never the one REDIS_URL names) and measures the
cache `redis_cache()` in dearly/settings/base.py configures, or the ones named.

    .venv/bin/python bench/redis_cache.py [--ops 20000] [--config NAME ...]
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time

import harness

DOWN_OPS = 200  # operations timed while Redis refuses connections
HUNG_OPS = 6  # … and while it hangs: each may cost a whole socket timeout


def redis_server(tmp, port):
    child = harness.Child(
        "redis-server",
        ["redis-server", "--port", port, "--bind", harness.HOST, "--save", "", "--appendonly",
         "no", "--dir", tmp],
        tmp / "redis.log",
    )  # fmt: skip
    for _ in range(100):
        ping = subprocess.run(
            ["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True, check=False
        )
        if ping.stdout.startswith("PONG"):
            return child
        time.sleep(0.05)
    raise harness.BenchError(f"redis-server did not start:\n{child.log_tail()}")


# Other configurations to measure beside the one redis_cache() in the settings makes.
OTHERS = {
    "django-redis, IGNORE_EXCEPTIONS": {
        "BACKEND": "django_redis.cache.RedisCache",
        "OPTIONS": {
            "SOCKET_CONNECT_TIMEOUT": 1,
            "SOCKET_TIMEOUT": 1,
            "IGNORE_EXCEPTIONS": True,
        },
    },
    "TolerantRedisCache": {
        "BACKEND": "dearly.scaleout.cache.TolerantRedisCache",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    },
}


def make_cache(name, url):
    """The cache `name` (a key of OTHERS, or "settings": what redis_cache() configures)."""
    from django.utils.module_loading import import_string

    from dearly.settings.base import redis_cache

    config = redis_cache(url) if name == "settings" else {**OTHERS[name], "LOCATION": url}
    params = {key: value for key, value in config.items() if key not in {"BACKEND", "LOCATION"}}
    return f"{name}: {config['BACKEND']}", import_string(config["BACKEND"])(url, params)


def per_op_us(operation, count):
    started = time.perf_counter()
    for n in range(count):
        operation(n)
    return (time.perf_counter() - started) / count * 1e6


def measure(config, url, server, ops):
    name, cache = make_cache(config, url)
    small, page = {"n": 1}, "x" * 20_000  # a counter's history; a rendered fragment
    cache.set("warm", 1)
    row = {"backend": name}
    row["set small µs"] = per_op_us(lambda n: cache.set(f"s{n}", small, 60), ops)
    row["get small µs"] = per_op_us(lambda n: cache.get(f"s{n}"), ops)
    row["set 20 KB µs"] = per_op_us(lambda n: cache.set(f"p{n % 100}", page, 60), ops)
    row["get 20 KB µs"] = per_op_us(lambda n: cache.get(f"p{n % 100}"), ops)
    row["get_many(10) µs"] = per_op_us(
        lambda n: cache.get_many([f"s{(n + k) % ops}" for k in range(10)]), ops // 10
    )

    os.kill(server.proc.pid, signal.SIGSTOP)
    try:
        row["hung: first get ms"] = per_op_us(lambda n: cache.get("warm", "gone"), 1) / 1000
        row["hung: next gets ms"] = per_op_us(lambda n: cache.get("warm"), HUNG_OPS) / 1000
    finally:
        os.kill(server.proc.pid, signal.SIGCONT)
    time.sleep(2.5)  # past a circuit breaker's pause, so that the next part starts fresh
    cache.get("warm")
    server.stop()
    row["down: get µs"] = per_op_us(lambda n: cache.get("warm", "gone"), DOWN_OPS)
    row["down: set µs"] = per_op_us(lambda n: cache.set("warm", 2), DOWN_OPS)
    row["down: get answers"] = repr(cache.get("warm", "gone"))
    return row


def inner(args):
    """In the project's environment (dearly importable, Django configured)."""
    harness.django_setup()
    for config in args.config:
        tmp = harness.Path(args.tmp)
        port = harness.free_port()
        server = redis_server(tmp, port)
        try:
            row = measure(config, f"redis://{harness.HOST}:{port}/0", server, args.ops)
        finally:
            server.stop()
        print(f"\n{row.pop('backend')}")
        for key, value in row.items():
            print(f"  {key:<20} {value:>10.1f}" if isinstance(value, float) else f"  {key} {value}")


def run(args, tmp):
    if not shutil.which("redis-server"):
        raise harness.BenchError("redis-server not found: apt-get install redis-server")
    print(f"{args.ops} operations of each kind with Redis up; {DOWN_OPS} with it stopped; "
          f"{HUNG_OPS + 1} with it frozen")  # fmt: skip
    extra = [arg for config in args.config for arg in ("--config", config)]
    print(harness.python(harness.server_env(), __file__, "--inner", "--tmp", str(tmp),
                         "--ops", str(args.ops), *extra))  # fmt: skip
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ops", type=harness.positive_int,
                        default=os.environ.get("BENCH_OPS") or "20000")  # fmt: skip
    parser.add_argument(
        "--config",
        action="append",
        choices=["settings", *OTHERS],
        help="a cache configuration to measure, repeatable (default: settings, the one "
        "redis_cache() in dearly/settings/base.py makes)",
    )
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--tmp", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.config = args.config or ["settings"]
    if args.inner:
        return inner(args)
    return harness.in_scratch_dir("dearly-redis-", lambda tmp: run(args, tmp))


if __name__ == "__main__":
    sys.exit(main())
