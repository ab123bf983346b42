"""A guide or letter goes to its subscribers once, on first publication, through a real SMTP
server: what arrives, who is left out, and the server refusing, deferring and hanging up."""

import datetime
import re

from django.core import mail
from django.test import Client
from django.utils import timezone

import pytest

from dearly import testing
from dearly.newsletter import sending
from dearly.newsletter.models import Delivery, Mailing, Subscriber

from .smtp import smtp_server

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings):
    with smtp_server() as (sink, port):
        settings.EMAIL_BACKEND = sending.SMTP_BACKEND
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        yield sink


def make_subscriber(email, state="active", frequency="each", topics=(), **fields):
    subscriber = Subscriber.objects.create(email=email, state=state, frequency=frequency, **fields)
    subscriber.topics.set(topics)
    return subscriber


def publish_letter(site_tree, **fields):
    fields.setdefault("question", "<p>My manager reads my emails over my shoulder. Help?</p>")
    fields.setdefault("answer", "<p>Say what you need: room to work. Then keep to it.</p>")
    return testing.make_letter(site_tree["letters"], pen_name="Watched", **fields)


def test_a_first_publication_reaches_each_active_subscriber_once(site_tree, smtp):
    pay = testing.make_topic("Pay")
    calm = testing.make_topic("Calm")
    everyone = make_subscriber("all@example.com")
    on_pay = make_subscriber("pay@example.com", topics=[pay])
    make_subscriber("calm@example.com", topics=[calm])
    make_subscriber("pending@example.com", state="pending")
    make_subscriber("gone@example.com", state="unsubscribed")
    make_subscriber("weekly@example.com", frequency="weekly")
    make_subscriber("paused@example.com", paused=True)
    letter = publish_letter(site_tree, topics=[pay])
    mailing = Mailing.objects.get(page=letter)
    assert sending.send_pending() == 2
    assert sorted(r for rcpts, _ in smtp.messages for r in rcpts) == [
        everyone.email,
        on_pay.email,
    ]
    assert mailing.deliveries.filter(state="sent").count() == 2
    mailing.refresh_from_db()
    assert (mailing.state, mailing.addressed) == ("done", True)
    assert sending.send_pending() == 0  # nothing twice
    assert len(smtp.messages) == 2


def test_what_arrives_has_both_parts_one_click_unsubscribe_and_links_that_work(site_tree, smtp):
    subscriber = make_subscriber("reader@example.com")
    letter = publish_letter(site_tree)
    sending.send_pending()
    (message,) = smtp.to(subscriber.email)
    assert message["Subject"] == letter.title
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    https, mailto = re.findall(r"<([^>]+)>", message["List-Unsubscribe"])
    assert https.startswith("http://testserver/subscribe/unsubscribe/")
    assert mailto.startswith("mailto:")
    assert message["Message-ID"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "reads my emails over my shoulder" in text
    assert "reads my emails over my shoulder" in html
    assert "Watched" in html and "Say what you need" in html
    assert "<style" not in html and 'style="' in html  # the CSS is inlined
    assert "<img" not in html  # no tracking pixel
    assert letter.get_full_url() in html  # links go straight to the site, not rewritten
    client = Client()
    for link in set(re.findall(r'href="http://testserver([^"#]+)', html)):
        assert client.get(link).status_code == 200, link
    assert client.post(https.removeprefix("http://testserver"), "List-Unsubscribe=One-Click",
                       "application/x-www-form-urlencoded").status_code == 200  # fmt: skip
    assert Subscriber.objects.get().state == "unsubscribed"


def test_publishing_again_after_an_edit_sends_nothing_more(site_tree, smtp):
    make_subscriber("reader@example.com")
    letter = publish_letter(site_tree)
    sending.send_pending()
    letter.answer = "<p>Say what you need, and then keep to it.</p>"
    letter.save_revision().publish()
    assert Mailing.objects.count() == 1
    assert sending.send_pending() == 0
    assert len(smtp.messages) == 1


def test_a_page_the_editor_keeps_out_of_email_is_not_sent(site_tree, smtp):
    make_subscriber("reader@example.com")
    publish_letter(site_tree, email_subscribers=False)
    assert not Mailing.objects.exists()


def test_a_page_unpublished_before_it_went_out_is_never_sent(site_tree, smtp):
    make_subscriber("reader@example.com")
    letter = publish_letter(site_tree)
    letter.unpublish()
    assert sending.send_pending() == 0
    assert Mailing.objects.get().state == "cancelled"
    assert not smtp.messages


def test_imported_pages_are_not_sent(site_tree, smtp, tmp_path):
    from dearly.importer.tests.test_import_queries import export, run_import

    make_subscriber("reader@example.com")
    run_import(export(tmp_path / "posts.xml", 6))
    assert not Mailing.objects.exists()


def test_a_permanent_refusal_fails_that_address_and_marks_it_bouncing_after_three(site_tree, smtp):
    bad = make_subscriber("bad@example.com", failures=2)
    good = make_subscriber("good@example.com")
    smtp.answers[bad.email] = "550 No such user here"
    publish_letter(site_tree)
    assert sending.send_pending() == 1
    assert smtp.to(good.email) and not smtp.to(bad.email)
    delivery = Delivery.objects.get(subscriber=bad)
    assert (delivery.state, delivery.error[:3]) == ("failed", "550")
    bad.refresh_from_db()
    assert (bad.state, bad.failures) == ("bouncing", 3)


def test_an_unreachable_mail_server_leaves_the_batch_queued_for_later(site_tree, settings):
    from dearly.scaleout.tests.servers import free_port

    settings.EMAIL_BACKEND = sending.SMTP_BACKEND
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    people = [make_subscriber(f"r{n}@example.com") for n in range(3)]
    publish_letter(site_tree)
    assert sending.send_pending() == 0  # no exception reaches the scheduler
    deliveries = Delivery.objects.all()
    assert {d.state for d in deliveries} == {"queued"}
    assert all(d.retry_after > timezone.now() and d.claimed_by == "" for d in deliveries)
    assert all(Subscriber.objects.get(pk=p.pk).failures == 0 for p in people)


def test_a_refused_sender_address_is_our_problem_not_the_readers(site_tree, smtp):
    reader = make_subscriber("reader@example.com")
    smtp.mail_answer = "550 Sender address rejected"
    publish_letter(site_tree)
    assert sending.send_pending() == 0
    delivery = Delivery.objects.get()
    assert delivery.state == "queued" and delivery.retry_after > timezone.now()
    reader.refresh_from_db()
    assert (reader.state, reader.failures) == ("active", 0)  # never marked bouncing for it


def test_a_temporary_refusal_is_tried_again_later_and_arrives_once(site_tree, smtp):
    later = make_subscriber("later@example.com")
    smtp.answers[later.email] = "451 Try again later"
    publish_letter(site_tree)
    assert sending.send_pending() == 0
    delivery = Delivery.objects.get()
    assert delivery.state == "queued" and delivery.retry_after > timezone.now()
    assert Mailing.objects.get().state == "sending"
    assert sending.send_pending() == 0  # not due yet
    del smtp.answers[later.email]
    Delivery.objects.update(retry_after=timezone.now())
    assert sending.send_pending() == 1
    assert len(smtp.to(later.email)) == 1
    assert Mailing.objects.get().state == "done"


def test_a_server_that_hangs_up_mid_batch_loses_and_doubles_nobody(site_tree, smtp):
    people = [make_subscriber(f"r{n}@example.com") for n in range(6)]
    smtp.drop_after = 2
    publish_letter(site_tree)
    sending.send_pending()
    Delivery.objects.filter(state="queued").update(retry_after=timezone.now())
    sending.send_pending()
    for person in people:
        assert len(smtp.to(person.email)) == 1, person.email
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}


def test_a_reader_who_leaves_after_addressing_is_skipped_not_failed(site_tree, smtp):
    stays = make_subscriber("stays@example.com")
    leaves = make_subscriber("leaves@example.com")
    pauses = make_subscriber("pauses@example.com")
    mailing = Mailing.objects.get(page=publish_letter(site_tree))
    sending.address(mailing, sending.PageContent(mailing.page.specific).recipients())
    leaves.unsubscribe()
    leaves.save()
    Subscriber.objects.filter(pk=pauses.pk).update(paused=True)
    assert sending.send_pending() == 1
    assert [rcpts for rcpts, _ in smtp.messages] == [[stays.email]]
    states = dict(mailing.deliveries.values_list("subscriber__email", "state"))
    assert states == {stays.email: "sent", leaves.email: "skipped", pauses.email: "skipped"}
    assert mailing.failures() == "None"  # the editor's list counts no failure


def test_without_an_smtp_server_mail_goes_to_the_configured_backend(site_tree):
    make_subscriber("reader@example.com")
    publish_letter(site_tree)
    assert sending.send_pending() == 1
    (message,) = mail.outbox
    assert message.to == ["reader@example.com"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_web_version_shows_the_email_without_personal_links(site_tree, client):
    make_subscriber("reader@example.com")
    letter = publish_letter(site_tree)
    for _ in range(2):  # served, then perhaps from the page cache: the same header
        response = client.get(f"/subscribe/emails/{letter.pk}/")
        assert response.status_code == 200
        policy = dict(
            part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
        )
        assert policy["style-src"] == "'self' 'unsafe-inline'"
        assert policy["script-src"] == "'self'"  # only the styles are relaxed
    assert b"Say what you need" in response.content
    assert b"/subscribe/unsubscribe/" not in response.content
    assert client.get("/subscribe/emails/999999/").status_code == 404
    assert client.get(f"/subscribe/emails/{10**30}/").status_code == 404
    letter.unpublish()
    assert client.get(f"/subscribe/emails/{letter.pk}/").status_code == 404


def test_the_weekly_digest_gathers_the_weeks_posts_for_each_digest_subscriber(site_tree, smtp):
    pay = testing.make_topic("Pay")
    weekly = make_subscriber("weekly@example.com", frequency="weekly")
    weekly_pay = make_subscriber("pay@example.com", frequency="weekly", topics=[pay])
    each = make_subscriber("each@example.com")
    on_pay = publish_letter(site_tree, topics=[pay], title="Dear Dr. Mimi – Underpaid")
    other = testing.make_article(site_tree["guides"], title="Saying no at work")
    sending.send_pending()  # the posts themselves go to the "each" subscriber only
    assert len(smtp.to(each.email)) == 2 and not smtp.to(weekly.email)
    now = timezone.now() + timezone.timedelta(days=1)
    digest = sending.start_digest(now)
    on_pay.refresh_from_db()
    assert digest.digest_from < on_pay.first_published_at < digest.digest_until <= now
    assert sending.start_digest(now) is None  # one a week
    sending.send_pending()
    (everything,) = smtp.to(weekly.email)
    text = everything.get_body(("plain",)).get_content()
    assert on_pay.title in text and other.title in text
    (only_pay,) = smtp.to(weekly_pay.email)
    text = only_pay.get_body(("plain",)).get_content()
    assert on_pay.title in text and other.title not in text
    assert only_pay["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert len(smtp.to(each.email)) == 2  # no digest for them
    assert sending.start_digest(now + timezone.timedelta(days=3)) is None
    later = sending.start_digest(now + timezone.timedelta(days=7))
    assert later.digest_from == digest.digest_until
    assert sending.send_pending() == 0  # nothing new was published that week: nothing sent
    assert Mailing.objects.get(pk=later.pk).state == "done"


def test_the_weekly_digest_has_a_web_version_without_personal_links(site_tree, smtp, client):
    weekly = make_subscriber("weekly@example.com", frequency="weekly")
    letter = publish_letter(site_tree, title="Dear Dr. Mimi – Underpaid")
    guide = testing.make_article(site_tree["guides"], title="Saying no at work")
    digest = sending.start_digest(timezone.now() + timezone.timedelta(days=1))
    sending.send_pending()
    (email,) = smtp.to(weekly.email)
    week = digest.digest_until.astimezone(datetime.UTC).date().isoformat()
    url = f"/subscribe/emails/week/{week}/"
    assert f"http://testserver{url}" in email.get_body(("plain",)).get_content()
    assert f'href="http://testserver{url}"' in email.get_body(("html",)).get_content()
    response = client.get(url)
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"
    assert "'unsafe-inline'" in response["Content-Security-Policy"]
    page = response.content.decode()
    assert letter.title in page and guide.title in page
    assert "/subscribe/unsubscribe/" not in page and "/subscribe/manage/" not in page
    assert "weekly@example.com" not in page
    guide.unpublish()  # a post taken down since is not shown again
    assert guide.title not in client.get(url).content.decode()
    letter.unpublish()  # nothing left of that week
    assert client.get(url).status_code == 404
    for week in ("2026-13-45", "yesterday", "2026-1-1x", "0000-00-00", "9999-12-31"):
        assert client.get(f"/subscribe/emails/week/{week}/").status_code == 404, week
    assert client.get("/subscribe/emails/week/%00/").status_code == 400  # refused before the view
