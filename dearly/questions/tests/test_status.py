"""/ask/status/<token>/: what the writer sees, withdrawal, bad tokens, the emails, and that the
writer's email, IP and token appear on no public page."""

from django.core import mail
from django.test import Client

import pytest

from dearly.questions.models import Question
from dearly.questions.tasks import send_receipt
from dearly.testing import make_letter

pytestmark = pytest.mark.django_db

EMAIL = "writer@example.com"
IP = "198.51.100.23"
TEXT = "My manager keeps promising me a pay rise at every review, but it never arrives."


def make_question(status="new", email=EMAIL, **fields):
    """A stored question and the token of its status link."""
    token, token_hash = Question.new_token()
    fields.setdefault("text", TEXT)
    fields.setdefault("pen_name", "Underpaid")
    question = Question.objects.create(
        token_hash=token_hash, email=email, ip_address=IP, consent=True, status=status, **fields
    )
    return question, token


def status_url(token):
    return f"/ask/status/{token}/"


def assert_private_headers(response):
    # Never the path (the token) in a Referer; not no-referrer, which breaks POST forms under
    # Django's CSRF check (views.PRIVATE_REFERRER_POLICY).
    assert response["Referrer-Policy"] == "strict-origin"
    assert response["X-Robots-Tag"] == "noindex"
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert '<meta name="robots" content="noindex">' in html
    assert 'rel="canonical"' not in html  # the token must not travel in a canonical link


def assert_nothing_private(html, token):
    for private in (EMAIL, IP, token[8:]):
        assert private not in html


# What the writer sees


def test_a_new_question_shows_received_its_text_and_pen_name_but_no_email_or_ip(client, site_tree):
    question, token = make_question()
    response = client.get(status_url(token))
    html = response.content.decode()
    assert response.status_code == 200
    assert_private_headers(response)
    assert "<h1>Your letter to Dr. Mimi</h1>" in html
    assert '<li class="ask-step ask-step-current" aria-current="step">Received' in html
    assert "Dr. Mimi has your letter." in html
    assert TEXT in html and "—Underpaid</p>" in html
    assert f"http://testserver/ask/status/{token}/" in html  # the private link, to keep
    assert "anyone who has it can read your letter and withdraw it." in html
    for private in (EMAIL, IP, question.token_hash):
        assert private not in html
    assert "Withdraw my question" in html


@pytest.mark.parametrize("status", ["shortlisted", "answered"])
def test_shortlisted_and_answered_questions_show_in_review(client, site_tree, status):
    _, token = make_question(status)
    html = client.get(status_url(token)).content.decode()
    assert '<li class="ask-step ask-step-current" aria-current="step">In review' in html
    assert '<li class="ask-step ask-step-done">Received' in html
    assert "is considering your letter" in html and "Withdraw my question" in html


def test_a_declined_question_shows_the_editors_reply_escaped(client, site_tree):
    _, token = make_question("declined", decline_reply="We answered this <b>last week</b>.")
    html = client.get(status_url(token)).content.decode()
    assert '<li class="ask-step ask-step-current" aria-current="step">Declined' in html
    assert "will not answer this letter in the column" in html
    assert "We answered this &lt;b&gt;last week&lt;/b&gt;." in html
    assert "Withdraw my question" in html


def test_a_declined_question_without_a_reply_shows_no_empty_quote(client, site_tree):
    _, token = make_question("declined")
    html = client.get(status_url(token)).content.decode()
    assert "Declined." in html and "ask-reply" not in html


def test_the_status_page_reads_a_fixed_number_of_rows(
    client, site_tree, django_assert_max_num_queries
):
    _, token = make_question()
    client.get(status_url(token))  # the site's root paths are cached after the first page
    with django_assert_max_num_queries(6):
        assert client.get(status_url(token)).status_code == 200


# Publication, end to end: the signal, the task, the email, the status page


def test_publishing_the_answer_marks_the_question_published_and_emails_the_writer(
    client, site_tree, django_capture_on_commit_callbacks
):
    question, token = make_question("answered")
    letter = make_letter(site_tree["letters"], title="Dear Dr. Mimi – Underpaid", live=False)
    question.letter = letter
    question.save(update_fields=["letter"])
    with django_capture_on_commit_callbacks(execute=True):
        letter.save_revision().publish()
    question.refresh_from_db()
    assert question.status == "published"
    [email] = mail.outbox
    assert email.to == [EMAIL]
    assert email.subject == "Your letter has been answered: Dear Dr. Mimi – Underpaid"
    assert "http://localhost/letters/" in email.body or letter.full_url in email.body

    response = client.get(status_url(token))
    html = response.content.decode()
    assert '<li class="ask-step ask-step-current" aria-current="step">Published' in html
    assert f'<a href="{letter.url}">Read the answer: Dear Dr. Mimi – Underpaid</a>' in html
    assert "Withdraw my question" not in html and "<h2>Withdraw your letter</h2>" not in html
    assert "can no longer be withdrawn" in html  # said where the take-down is offered
    # What the private link lets its holder do now (not "withdraw it" any more).
    assert "can read your letter, send updates signed with your pen name, claim" in html
    assert "read your letter and withdraw it" not in html
    assert_private_headers(response)
    # Publishing again (an edit) sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        letter.save_revision().publish()
    assert len(mail.outbox) == 1


def test_a_published_question_cannot_be_withdrawn(client, site_tree):
    letter = make_letter(site_tree["letters"])
    question, token = make_question("published", letter=letter)
    response = client.post(f"{status_url(token)}withdraw/", {"confirm": "yes"})
    assert response.status_code == 409
    assert "This letter can no longer be withdrawn" in response.content.decode()
    assert Question.objects.filter(pk=question.pk).exists()


def test_a_published_question_whose_letter_was_unpublished_shows_no_link(client, site_tree):
    letter = make_letter(site_tree["letters"], title="Later unpublished")
    _, token = make_question("published", letter=letter)
    letter.unpublish()
    html = client.get(status_url(token)).content.decode()
    assert "Published." in html and "Later unpublished" not in html
    assert "It is not on the site at the moment" in html  # not left wondering where it went


# Withdrawing


def test_withdrawing_asks_first_then_deletes_the_question(client, site_tree):
    question, token = make_question()
    asked = client.post(f"{status_url(token)}withdraw/")
    assert asked.status_code == 200
    assert "Withdraw your letter?" in asked.content.decode()
    assert_private_headers(asked)
    assert Question.objects.filter(pk=question.pk).exists()

    done = client.post(f"{status_url(token)}withdraw/", {"confirm": "yes"})
    assert done.status_code == 200
    assert "Your letter has been withdrawn" in done.content.decode()
    assert_private_headers(done)
    assert not Question.objects.filter(pk=question.pk).exists()

    gone = client.get(status_url(token))
    assert gone.status_code == 404
    assert "We could not find this letter" in gone.content.decode()
    assert client.post(f"{status_url(token)}withdraw/", {"confirm": "yes"}).status_code == 404


def test_opening_the_withdraw_address_only_asks(client, site_tree):
    question, token = make_question()
    response = client.get(f"{status_url(token)}withdraw/?confirm=yes")
    assert (
        response.status_code == 200 and "Yes, withdraw and delete it" in response.content.decode()
    )
    assert Question.objects.filter(pk=question.pk).exists()


@pytest.mark.parametrize("status", ["shortlisted", "answered", "declined"])
def test_unpublished_questions_can_be_withdrawn(client, site_tree, status):
    question, token = make_question(status)
    client.post(f"{status_url(token)}withdraw/", {"confirm": "yes"})
    assert not Question.objects.filter(pk=question.pk).exists()


def test_withdrawing_without_csrf_token_is_refused(site_tree):
    question, token = make_question()
    client = Client(enforce_csrf_checks=True)
    client.get(status_url(token))
    response = client.post(f"{status_url(token)}withdraw/", {"confirm": "yes"})
    assert response.status_code == 403
    assert Question.objects.filter(pk=question.pk).exists()


def test_status_page_only_answers_get(client, site_tree):
    _, token = make_question()
    assert client.post(status_url(token)).status_code == 405


# Bad tokens: a friendly 404, whatever was typed

BAD_TOKENS = {
    "forged": "A" * 32,
    "short": "abc",
    "over-long": "x" * 500,
    "very long": "y" * 5000,
    "odd characters": "%F0%9F%92%A9%E2%80%AE..",
}


@pytest.mark.parametrize("token", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
def test_a_bad_token_is_a_friendly_404(client, site_tree, token):
    make_question()
    for response in (
        client.get(status_url(token)),
        client.post(f"{status_url(token)}withdraw/", {"confirm": "yes"}),
    ):
        html = response.content.decode()
        assert response.status_code == 404
        assert "We could not find this letter" in html and "Write a new letter" in html
        assert response["Referrer-Policy"] == "strict-origin"
    assert Question.objects.count() == 1


def test_a_token_with_a_nul_is_refused_before_any_lookup(client, site_tree):
    make_question()
    for response in (
        client.get(status_url("abc%00def")),
        client.post(f"{status_url('abc%00def')}withdraw/", {"confirm": "yes"}),
    ):
        assert response.status_code == 400  # dearly.core.requests: a NUL is in no address
    assert Question.objects.count() == 1


def test_the_token_is_not_the_stored_hash(client, site_tree):
    question, _ = make_question()
    assert client.get(status_url(question.token_hash)).status_code == 404


# Emails


def test_the_receipt_is_not_sent_for_a_question_withdrawn_before_the_task_ran(site_tree):
    question, token = make_question()
    question.delete()
    send_receipt.call(question.pk, token)
    assert mail.outbox == []


# The writer's email, IP and token are on no public page


@pytest.mark.search_indexes  # the search results are part of what is checked
def test_email_ip_and_token_appear_on_no_public_page(client, site_tree):
    letter = make_letter(
        site_tree["letters"],
        title="Dear Dr. Mimi – Underpaid",
        question="<p>My manager promised me a pay rise.</p>",
        pen_name="Underpaid",
    )
    question, token = make_question("published", letter=letter)
    pages = [
        "/",
        letter.url,
        "/letters/",
        "/feed/",
        "/feed/atom/",
        "/feed/letters/",
        "/sitemap.xml",
        "/search/?q=Underpaid",
        "/search/?q=writer+example",
        "/search/?q=198+51+100",
        "/ask/",
        "/ask/similar/?q=" + "my manager promised me a pay rise and it never came",
        status_url(token),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert EMAIL not in html, url
        assert IP not in html, url
        assert question.token_hash not in html, url
        if url != status_url(token):
            assert token not in html, url


def test_the_status_link_shown_to_the_writer_names_site_url_not_the_host_header(client, site_tree):
    _question, token = make_question()
    html = client.get(status_url(token), HTTP_HOST="localhost:31337").content.decode()
    assert f'<code class="ask-url">http://testserver/ask/status/{token}/</code>' in html
    assert "31337" not in html
