"""Rate limits and the login lockout hold across worker processes: two real app servers on one
database (the embedded default's database cache, or Redis when REDIS_URL is set), asked in
turn on fresh connections, count together (issue 9: with a cache per process, `make run`'s two
workers took 6 letters of a 5-a-minute limit and let a locked-out account in)."""

import itertools
import re

from django.conf import settings

import pytest
import requests

from dearly.questions import services

from .servers import app_server, database_url, server_env

pytestmark = pytest.mark.servers  # app servers or the task worker, in their own processes

LOCKED_OUT = "Too many failed login attempts"
# One site name for both servers, as behind a load balancer: allauth's lockout key holds the
# host (and its port) the request names.
HOST = {"Host": "advice.example"}


def csrf(server):
    """A CSRF cookie and the token that goes with it (the secret itself is a valid token)."""
    token = requests.get(server.url + "/accounts/login/", headers=HOST, timeout=10).cookies[
        "csrftoken"
    ]
    return {"csrftoken": token}, token


def test_limits_and_lockout_count_across_two_worker_processes(committed):
    # The per-address limits on: a reader's limits, not a load test's.
    env = server_env(database_url(), settings.REDIS_URL or None, DEARLY_LOADTEST="0")
    with app_server(env) as a, app_server(env) as b:
        servers = itertools.cycle([a, b])  # every request on a new connection, in turn
        cookies, token = csrf(a)

        # /ask/send/: 5 letters a minute from one address.
        sent = []
        for n in range(7):
            letter = {
                "question": f"Letter number {n} about sharing a desk with a loud colleague.",
                "pen_name": f"Desk {n}",
                "email": "",
                "consent": "on",
                "website": "",
                "submission": services.new_submission(),
                "csrfmiddlewaretoken": token,
            }
            server = next(servers)
            answer = requests.post(
                server.url + "/ask/send/",
                data=letter,
                cookies=cookies,
                headers=HOST,
                allow_redirects=False,
                timeout=10,
            )
            assert answer.status_code in (303, 429), server.output()
            sent.append(answer.status_code)
        assert sent == [303] * 5 + [429] * 2

        # /ask/similar/: 120 lookups a minute from one address.
        answers = [
            requests.get(
                next(servers).url + "/ask/similar/?q=desk", headers=HOST, timeout=10
            ).status_code
            for _ in range(122)
        ]
        assert answers == [200] * 120 + [429] * 2

        # Five wrong passwords lock the account: the right one is refused on both servers.
        email = committed["editor"].email
        for password in ["guess1", "guess2", "guess3", "guess4", "guess5"] + ["pw"] * 6:
            server = next(servers)
            answer = requests.post(
                server.url + "/accounts/login/",
                data={"csrfmiddlewaretoken": token, "login": email, "password": password},
                cookies=cookies,
                headers=HOST,
                allow_redirects=False,
                timeout=10,
            )
            assert answer.status_code == 200, (password, answer.headers, server.output())
            assert "sessionid" not in answer.cookies
            if password == "pw":
                assert LOCKED_OUT in answer.text, re.sub(r"\s+", " ", answer.text)[-2000:]
