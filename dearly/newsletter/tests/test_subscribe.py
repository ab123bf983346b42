"""/subscribe/: double opt-in, the same answer for every address, the subscriber's own page,
one-click unsubscribe, and forged, expired, reused and hostile input."""

import re

from django.core import mail, signing
from django.test import Client

import pytest
from allauth.account.models import EmailAddress

from dearly.accounts.models import User
from dearly.articles.models import Topic
from dearly.newsletter import services
from dearly.newsletter.models import Subscriber

pytestmark = pytest.mark.django_db

EMAIL = "reader@example.com"


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST to /subscribe/, running what is queued on commit (the email task)."""

    def send(email=EMAIL, frequency="each", client=client, **extra):
        data = {"email": email, "frequency": frequency, **extra}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/subscribe/", data)

    return send


def link_in(message, name):
    found = re.findall(rf"http://testserver(/subscribe/{name}/[^/\s\"]+/)", message.body)
    assert found, message.body
    return found[0]


def test_a_reader_subscribes_confirms_and_gets_active(client, post):
    response = post()
    assert response.status_code == 303
    assert response["Location"] == "/subscribe/check-your-inbox/"
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.state) == (EMAIL, "pending")
    (message,) = mail.outbox
    assert message.to == [EMAIL]
    assert "confirm" in message.subject.lower()
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    confirm = link_in(message, "confirm")
    assert confirm in html
    page = client.get(confirm)  # a mail scanner fetching the link confirms nothing
    assert page.status_code == 200
    assert b"Yes, subscribe me" in page.content
    assert Subscriber.objects.get().state == "pending"
    done = client.post(confirm)
    assert done.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.state == "active"
    assert subscriber.confirmed_at is not None
    assert client.post(confirm).status_code == 200  # used twice: still subscribed, no error


def test_the_answer_is_the_same_for_an_address_already_on_the_list(client, post):
    first = post()
    Subscriber.objects.update(state="active")
    mail.outbox.clear()
    again = post(frequency="weekly")
    assert (again.status_code, again["Location"]) == (first.status_code, first["Location"])
    assert client.get(again["Location"]).content == client.get(first["Location"]).content
    (message,) = mail.outbox  # the owner hears of it, with a link to their settings
    assert "already" in message.subject
    assert "/subscribe/confirm/" not in message.body
    link_in(message, "manage")
    assert Subscriber.objects.get().frequency == "each"  # nothing changed by a stranger


def test_a_filled_honeypot_gets_the_same_answer_and_nothing_happens(post):
    response = post(website="http://spam.example")
    assert response.status_code == 303
    assert response["Location"] == "/subscribe/check-your-inbox/"
    assert not Subscriber.objects.exists()
    assert not mail.outbox


@pytest.mark.parametrize(
    "email",
    [
        "",
        "not-an-address",
        f"{'a' * 250}@example.com",  # more than the 254 an address may have
        "x" * 320 + "@example.com",
        "reader@example.com\r\nBcc: victim@example.com",
        "reader@example.com\nBcc: victim@example.com",
        "josé@example.com",  # a unicode local part needs SMTPUTF8, which we do not send
        "reader@exa\x00mple.com",
    ],
)
def test_broken_and_hostile_addresses_get_a_clear_400(post, email):
    response = post(email=email)
    assert response.status_code == 400
    assert b"email address" in response.content
    assert not Subscriber.objects.exists()
    assert not mail.outbox


@pytest.mark.parametrize(
    "data",
    [
        {"frequency": "hourly"},
        {"frequency": ""},
        {"topics": ["999999"]},
        {"topics": ["not-a-number"]},
        {"topics": [str(10**30)]},
        {"topics": ["-1"]},
    ],
)
def test_broken_choices_get_a_clear_400(post, data):
    response = post(**data)
    assert response.status_code == 400
    assert b"Please choose" in response.content or b"required" in response.content
    assert not Subscriber.objects.exists()


def test_many_requests_from_one_network_are_refused_with_429(post):
    answers = [post(email=f"r{n}@example.com").status_code for n in range(8)]
    assert answers[:5] == [303] * 5
    assert answers[5:] == [429] * 3
    assert Subscriber.objects.count() == 5


def test_topics_chosen_are_kept(post):
    work = Topic.objects.create(name="Pay", slug="pay")
    post(topics=[str(work.pk)])
    assert list(Subscriber.objects.get().topics.all()) == [work]


def confirm_link(post):
    post()
    return link_in(mail.outbox[-1], "confirm")


@pytest.mark.parametrize(
    "tamper",
    [
        lambda link: link[:-3] + "xx/",
        lambda link: link.replace("/confirm/", "/confirm/a"),
        lambda link: "/subscribe/confirm/../../admin/",
        lambda link: "/subscribe/confirm/" + "A" * 3000 + "/",
    ],
)
def test_a_forged_confirmation_link_is_refused(client, post, tamper):
    link = confirm_link(post)
    response = client.post(tamper(link))
    assert response.status_code in (400, 404)
    assert Subscriber.objects.get().state == "pending"


def test_an_expired_confirmation_link_says_so(client, post, monkeypatch):
    link = confirm_link(post)
    monkeypatch.setattr(services, "CONFIRM_MAX_AGE", -1)
    response = client.post(link)
    assert response.status_code == 410
    assert b"expired" in response.content
    assert Subscriber.objects.get().state == "pending"


def test_only_the_latest_confirmation_link_works(client, post):
    older = confirm_link(post)
    newer = confirm_link(post)
    assert older != newer
    assert client.post(older).status_code == 400
    assert client.post(newer).status_code == 200
    assert Subscriber.objects.get().state == "active"


def test_a_confirmation_link_used_after_unsubscribing_confirms_nothing(client, post):
    link = confirm_link(post)
    client.post(link)
    subscriber = Subscriber.objects.get()
    client.post(f"/subscribe/unsubscribe/{services.manage_token(subscriber)}/")
    assert client.post(link).status_code == 400
    assert Subscriber.objects.get().state == "unsubscribed"


def test_a_link_signed_for_another_address_is_refused(client, post):
    post()
    post(email="other@example.com")
    mine, other = Subscriber.objects.order_by("pk")
    forged = signing.dumps(
        {"s": mine.pk, "e": services._address_key(other.email)}, salt=services.MANAGE_SALT
    )
    assert client.get(f"/subscribe/manage/{forged}/").status_code == 400
    assert client.post(f"/subscribe/unsubscribe/{forged}/").status_code == 400
    assert Subscriber.objects.get(pk=mine.pk).state == "pending"


def test_one_click_unsubscribe_needs_no_csrf_token_and_no_login(post):
    post()
    subscriber = Subscriber.objects.get()
    subscriber.confirm()
    subscriber.save()
    strict = Client(enforce_csrf_checks=True)
    url = f"/subscribe/unsubscribe/{services.manage_token(subscriber)}/"
    asked = strict.get(url)
    assert asked.status_code == 200
    assert Subscriber.objects.get().state == "active"
    # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click".
    done = strict.post(url, "List-Unsubscribe=One-Click", "application/x-www-form-urlencoded")
    assert done.status_code == 200
    assert Subscriber.objects.get().state == "unsubscribed"
    assert strict.post(url).status_code == 200  # twice is harmless


def test_the_subscribers_page_changes_pauses_unsubscribes_and_deletes(client, post):
    topic = Topic.objects.create(name="Pay", slug="pay")
    post()
    subscriber = Subscriber.objects.get()
    url = f"/subscribe/manage/{services.manage_token(subscriber)}/"
    assert EMAIL.encode() in client.get(url).content
    saved = client.post(url, {"frequency": "weekly", "topics": [topic.pk], "paused": "on"})
    assert saved.status_code == 303
    subscriber.refresh_from_db()
    assert (subscriber.frequency, subscriber.paused) == ("weekly", True)
    assert list(subscriber.topics.all()) == [topic]
    assert client.post(url, {"frequency": "yearly"}).status_code == 400
    assert client.post(url, {"action": "unsubscribe"}).status_code == 200
    assert Subscriber.objects.get().state == "unsubscribed"
    assert client.post(url, {"action": "resubscribe"}).status_code == 303
    assert Subscriber.objects.get().state == "active"
    assert client.post(url, {"action": "delete"}).status_code == 200
    assert not Subscriber.objects.exists()
    assert client.get(url).status_code == 400  # the old links stop working
    assert client.post(f"/subscribe/unsubscribe/{url.split('/')[-2]}/").status_code == 400


def test_state_changes_need_post(client, post):
    post()
    subscriber = Subscriber.objects.get()
    token = services.manage_token(subscriber)
    for url in (f"/subscribe/manage/{token}/", f"/subscribe/unsubscribe/{token}/"):
        assert client.put(url).status_code == 405
        assert client.delete(url).status_code == 405
    assert Subscriber.objects.get().state == "pending"


def test_a_reader_with_a_verified_address_subscribes_in_one_click(client, post):
    user = User.objects.create_user("reader", EMAIL, "a long passphrase 12")
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
    client.force_login(user)
    form = client.get("/subscribe/")
    assert EMAIL.encode() in form.content  # filled in
    response = post()
    assert response.status_code == 303
    assert response["Location"].startswith("/subscribe/manage/")
    subscriber = Subscriber.objects.get()
    assert (subscriber.state, subscriber.user, subscriber.source) == ("active", user, "account")
    assert not mail.outbox  # nothing to confirm
    user.delete()
    assert not Subscriber.objects.exists()  # deleting the account deletes the subscription


def test_a_reader_subscribing_someone_elses_address_gets_the_confirmation_flow(client, post):
    user = User.objects.create_user("reader", EMAIL, "a long passphrase 12")
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
    client.force_login(user)
    post(email="someone@example.com")
    subscriber = Subscriber.objects.get()
    assert (subscriber.state, subscriber.user) == ("pending", None)
    assert len(mail.outbox) == 1


def test_every_page_has_the_box_and_it_fills_in_the_form(client, site_tree):
    from dearly import testing

    letter = testing.make_letter(site_tree["letters"])
    for url in ("/", letter.url):
        page = client.get(url)
        assert b'action="/subscribe/"' in page.content
        assert b"Get new letters in your inbox" in page.content
    form = client.get("/subscribe/", {"email": EMAIL})
    assert f'value="{EMAIL}"'.encode() in form.content
    assert b"csrfmiddlewaretoken" in form.content


@pytest.mark.parametrize(
    "typed",
    ['"><script>alert(1)</script>', "x" * 5000, "a\x00b@example.com", "名前@例え.jp", "%00"],
)
def test_hostile_addresses_in_the_link_only_fill_in_the_form(client, typed):
    response = client.get("/subscribe/", {"email": typed})
    assert response.status_code == 200
    assert b"<script>alert(1)" not in response.content
    assert b"x" * 255 not in response.content
    assert not Subscriber.objects.exists()


def test_a_reader_sees_and_starts_their_subscription_on_the_profile_page(client, post):
    user = User.objects.create_user("reader", EMAIL, "a long passphrase 12")
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
    Subscriber.objects.create(email="someone@example.com", state="active")  # not theirs
    client.force_login(user)
    before = client.get("/accounts/profile/").content.decode()
    assert "Email from the column" in before and ">Subscribe</button>" in before
    assert "someone@example.com" not in before
    post()  # the profile's button posts the reader's own address
    after = client.get("/accounts/profile/").content.decode()
    assert "gets every letter and guide" in after
    assert "/subscribe/manage/" in after
