"""/subscribe/webhook/: a mail provider's bounce and complaint notices, signed with the shared
secret (HMAC of the body, or basic auth); forged, broken and oversized notices are refused."""

import base64
import hashlib
import hmac
import json

import pytest

from dearly.newsletter.models import Subscriber

pytestmark = pytest.mark.django_db

SECRET = "a-long-shared-webhook-secret"
URL = "/subscribe/webhook/"


@pytest.fixture(autouse=True)
def secret(settings):
    settings.NEWSLETTER_WEBHOOK_SECRET = SECRET


@pytest.fixture
def ann():
    return Subscriber.objects.create(email="ann@example.com", state="active")


def signed_post(client, payload, secret=SECRET, raw=None):
    body = raw if raw is not None else json.dumps(payload).encode()
    signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return client.post(
        URL,
        body,
        content_type="application/json",
        headers={"X-Dearly-Signature": f"sha256={signature}"},
    )


def test_a_bounce_marks_the_address_bouncing(client, ann):
    response = signed_post(client, {"type": "bounce", "email": "ANN@example.com"})
    assert response.status_code == 200
    assert response.json() == {"applied": 1}
    assert Subscriber.objects.get().state == "bouncing"


def test_a_complaint_unsubscribes(client, ann):
    assert signed_post(client, [{"type": "complaint", "email": ann.email}]).status_code == 200
    assert Subscriber.objects.get().state == "unsubscribed"


def test_postmarks_notices_with_basic_auth(client, ann):
    auth = base64.b64encode(f"postmark:{SECRET}".encode()).decode()
    soft = {"RecordType": "Bounce", "Type": "SoftBounce", "Email": ann.email}
    response = client.post(URL, json.dumps(soft), content_type="application/json",
                           headers={"Authorization": f"Basic {auth}"})  # fmt: skip
    assert response.json() == {"applied": 0}  # a soft bounce: tried again next time
    hard = {"RecordType": "Bounce", "Type": "HardBounce", "Email": ann.email}
    client.post(URL, json.dumps(hard), content_type="application/json",
                headers={"Authorization": f"Basic {auth}"})  # fmt: skip
    assert Subscriber.objects.get().state == "bouncing"


def test_an_address_not_on_the_list_changes_nothing(client, ann):
    response = signed_post(client, {"type": "bounce", "email": "nobody@example.com"})
    assert response.json() == {"applied": 0}
    assert Subscriber.objects.get().state == "active"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Dearly-Signature": "sha256=" + "0" * 64},
        {"X-Dearly-Signature": "md5=abc"},
        {"Authorization": "Basic " + base64.b64encode(b"postmark:wrong").decode()},
        {"Authorization": "Basic !!!not base64"},
        {"Authorization": "Bearer " + SECRET},
    ],
)
def test_unsigned_or_forged_notices_are_refused(client, ann, headers):
    body = json.dumps({"type": "complaint", "email": ann.email})
    response = client.post(URL, body, content_type="application/json", headers=headers)
    assert response.status_code == 403
    assert Subscriber.objects.get().state == "active"


def test_a_notice_signed_with_another_secret_is_refused(client, ann):
    response = signed_post(client, {"type": "complaint", "email": ann.email}, secret="other")
    assert response.status_code == 403


@pytest.mark.parametrize("raw", [b"not json", b"\xff\xfe", b"[1, 2]", b'"text"', b"{"])
def test_broken_bodies_get_a_clear_400(client, ann, raw):
    response = signed_post(client, None, raw=raw)
    assert response.status_code == 400
    assert "error" in response.json()
    assert Subscriber.objects.get().state == "active"


def test_an_oversized_notice_is_refused(client, ann):
    raw = json.dumps([{"type": "bounce", "email": "x@example.com"}] * 5000).encode()
    assert signed_post(client, None, raw=raw).status_code == 413


def test_without_a_secret_there_is_no_webhook(client, settings, ann):
    settings.NEWSLETTER_WEBHOOK_SECRET = ""
    assert signed_post(client, {"type": "bounce", "email": ann.email}, secret="").status_code == 404
    assert client.get(URL).status_code == 405
