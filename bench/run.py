"""Benchmark Dearly's server with wrk, against nginx serving a saved copy of one page.

`make bench` runs this first; bench/README.md says what is measured and why. The site is a
scratch demo site (var/ is never touched); every child is stopped before the script exits.
"""

import argparse
import datetime
import os
import platform
import sys

import harness
from harness import ARTICLE

PAGES = [
    ("home", "/"),
    ("article", ARTICLE),
    ("letter", "/letters/dear-dr-mimi-poor/"),
]
CONNECTIONS = (16, 64)
# name -> (description, command for a port and a number of workers)
SERVER_CONFIGS = {
    "granian-bt1": ("granian, --blocking-threads 1 (make run)", harness.granian_cmd),
    "granian-default": (
        "granian, default blocking threads",
        lambda port, workers: harness.granian_cmd(port, workers, blocking_threads=None),
    ),
    "gunicorn-sync": ("gunicorn, sync workers", harness.gunicorn_cmd),
}
MAIN_SERVER = "granian-bt1"


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Benchmark Dearly (granian as `make run` starts it) with wrk against "
        "nginx serving a saved copy of the article page."
    )
    harness.add_wrk_args(parser)
    parser.add_argument(
        "--port",
        type=harness.port_number,
        default=os.environ.get("PORT") or None,
        help="port for the server under test (env PORT; default: a free port)",
    )
    parser.add_argument(
        "--workers",
        type=harness.positive_int,
        default=os.environ.get("WORKERS") or "2",
        help="server worker processes, as in `make run` (env WORKERS; default 2)",
    )
    parser.add_argument(
        "--servers",
        action="store_true",
        default=harness.env_flag("BENCH_SERVERS"),
        help="also compare granian --blocking-threads 1, granian defaults and gunicorn sync "
        "workers on the article page (env BENCH_SERVERS=1)",
    )
    return parser.parse_args(argv)


def run(args, tmp):
    harness.find_nginx()
    if args.servers and not (harness.VENV_BIN / "gunicorn").exists():
        raise harness.BenchError("gunicorn not found; run make install (it is in the dev lock)")
    started = datetime.datetime.now(datetime.UTC)
    load_start = os.getloadavg()
    others = [name for name in SERVER_CONFIGS if name != MAIN_SERVER] if args.servers else []
    n_runs = args.rounds * (len(PAGES) + 1 + len(others)) * len(CONNECTIONS)
    estimate = n_runs * (harness.seconds(args.duration) + harness.seconds(args.warmup))
    print(
        f"dearly bench: {n_runs} wrk runs of {args.duration} (+{args.warmup} warm-up), "
        f"about {estimate // 60}m{estimate % 60:02d}s after setting up a scratch site; "
        f"load average {load_start[0]:.2f}"
    )
    if load_start[0] > 0.5:
        print("warning: the machine is busy (load average above 0.5); figures will be noisy")

    port = args.port or harness.free_port()
    harness.check_port_free(port)
    env = harness.scratch_site(tmp, port)
    with harness.Children() as children:
        # Every server stays up (idle when not measured) and each round measures all of
        # them in turn, so that a change in the machine's load falls on all of them.
        servers = {}
        for config in [MAIN_SERVER, *others]:
            config_port = port if config == MAIN_SERVER else harness.free_port()
            description, cmd = SERVER_CONFIGS[config]
            child = harness.start_server(
                children, env, config_port, tmp, name=description,
                cmd=cmd(config_port, args.workers),
            )  # fmt: skip
            servers[config] = (child, config_port)
            print(f"{description} on port {config_port} ({args.workers} workers)")
        app = servers[MAIN_SERVER][0]
        for _, path in PAGES:
            harness.expect_200(port, path, "the server under test")
        nginx, nginx_port, saved = harness.nginx_copy(children, tmp, port)
        print(f"nginx on port {nginx_port}, serving {', '.join(saved)}")

        plan = [("nginx", "nginx copy", nginx, nginx_port, ARTICLE)]
        plan += [("pages", label, app, port, path) for label, path in PAGES]
        plan += [("servers", config, *servers[config], ARTICLE) for config in others]
        raw = {}
        for round_number in range(1, args.rounds + 1):
            if args.rounds > 1:
                print(f"round {round_number} of {args.rounds}")
            for group, label, child, target_port, path in plan:
                for conns in CONNECTIONS:
                    row = harness.measure(label, child, target_port, path, conns, args)
                    raw.setdefault((group, label, path, conns), []).append(row)

    summary = {key: harness.summarize(runs) for key, runs in raw.items()}
    nginx_rows = [row for key, row in summary.items() if key[0] == "nginx"]
    rows = [row for key, row in summary.items() if key[0] == "pages"]
    server_rows = []
    for config in [MAIN_SERVER, *others] if args.servers else []:
        child = servers[config][0]
        if config == MAIN_SERVER:
            picked = [{**row} for row in rows if row["path"] == ARTICLE]
        else:
            picked = [row for key, row in summary.items() if key[1] == config]
        for row in picked:
            row.update(target=config, server=child.name, command=child.cmd)
            server_rows.append(row)
    harness.add_ratios(nginx_rows + rows + server_rows, nginx_rows)
    # granian-bt1's rows in server_rows are copies of the article rows: check those once.
    others_rows = [row for row in server_rows if row["target"] != MAIN_SERVER]
    problems = [p for row in nginx_rows + rows + others_rows for p in harness.problems_in(row)]
    load_end = os.getloadavg()

    rounds = f", median of {args.rounds} rounds" if args.rounds > 1 else ""
    print(
        f"\n{started:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, wrk {harness.WRK_THREADS} "
        f"threads, {args.duration} per run after {args.warmup} warm-up{rounds}, load average "
        f"{load_start[0]:.2f} -> {load_end[0]:.2f}"
    )
    title = f"{app.name}, {args.workers} workers, vs nginx serving the saved article:"
    print(harness.table(title, nginx_rows + rows))
    if server_rows:
        title = f"Server configurations on the article page, {args.workers} workers each:"
        print("\n" + harness.table(title, server_rows))
        for config, (child, _) in servers.items():
            print(f"  {config}: {child.name}")

    venv = harness.VENV_BIN
    harness.write_results(
        "latest.json",
        {
            "date": started.isoformat(timespec="seconds"),
            "machine": {
                "cpus": os.cpu_count(),
                "platform": platform.platform(),
                "python": platform.python_version(),
                "load_average_start": [round(x, 2) for x in load_start],
                "load_average_end": [round(x, 2) for x in load_end],
            },
            "git": harness.git_state(),
            "versions": {
                "wrk": harness.tool_version(["wrk", "-v"]),
                "nginx": harness.tool_version([harness.find_nginx(), "-v"]),
                "granian": harness.tool_version([str(venv / "granian"), "--version"]),
                "gunicorn": harness.tool_version([str(venv / "gunicorn"), "--version"])
                if args.servers
                else None,
            },
            "wrk": {
                "threads": harness.WRK_THREADS,
                "duration": args.duration,
                "warmup": args.warmup,
                "timeout": harness.WRK_TIMEOUT,
                "rounds": args.rounds,
            },
            "server": {"name": MAIN_SERVER, "workers": args.workers, "command": app.cmd},
            "nginx": nginx_rows,
            "pages": rows,
            "servers": server_rows,
            "ok": not problems,
            "problems": problems,
        },
    )
    if problems:
        print("\nFAILED: wrk counted error responses or socket errors:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    return 0


def main(argv=None):
    args = parse_args(argv)
    return harness.in_scratch_dir("dearly-bench-", lambda tmp: run(args, tmp))


if __name__ == "__main__":
    sys.exit(main())
