"""/ask/: the form, the no-JavaScript preview, sending once, similar letters (JSON), and every
kind of hostile input the issue names."""

import copy
import datetime
import json

from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.utils import timezone

from wagtail.models import PageViewRestriction

import pytest

from dearly.core.models import ColumnSettings
from dearly.questions import services
from dearly.questions.models import Question, hash_token
from dearly.testing import make_letter, make_site_tree, search_indexes

pytestmark = pytest.mark.django_db

QUESTION = (
    "My manager keeps promising me a pay rise at every review, but it never arrives. "
    "How do I ask for the raise without sounding ungrateful?"
)


def ask_data(**overrides):
    data = {
        "question": QUESTION,
        "pen_name": "Underpaid",
        "email": "writer@example.com",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def preview(client, **overrides):
    return client.post("/ask/", ask_data(**overrides))


def send(client, submission=None, **overrides):
    data = ask_data(**overrides)
    data["submission"] = submission or services.new_submission()
    return client.post("/ask/send/", data)


@pytest.fixture(scope="module")
def _pay_letters(module_db):
    with module_db.unblocked(), search_indexes():
        return make_pay_letters(make_site_tree()["letters"])


@pytest.fixture
def pay_letters(db, _pay_letters):
    """make_pay_letters's letters, built once for the module's tests that only read them."""
    return copy.deepcopy(_pay_letters)


def make_pay_letters(letters):
    """Three published letters about pay, a draft about pay, and one about something else."""
    pay = [
        make_letter(
            letters,
            title=f"Dear Dr. Mimi – Underpaid {n}",
            question=f"<p>My pay rise was promised at review {n} and never came. "
            "Should I ask my manager again about the raise?</p>",
            pen_name=f"Underpaid {n}",
        )
        for n in range(1, 4)
    ]
    draft = make_letter(
        letters,
        title="Dear Dr. Mimi – Draft about pay",
        question="<p>My manager promised a pay rise at my review, and the raise never came.</p>",
        live=False,
    )
    other = make_letter(
        letters,
        title="Dear Dr. Mimi – Gardener",
        question="<p>Which orchids flower in a north-facing window?</p>",
        answer="<p>Moth orchids do well there.</p>",
    )
    return pay, draft, other


# The form


def test_form_has_labelled_fields_and_consent_in_the_columnists_name(client, site_tree):
    settings = ColumnSettings.for_site(site_tree["home"].get_site())
    settings.columnist_name = "Aunt Ada"
    settings.save()
    response = client.get("/ask/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Ask Aunt Ada</h1>" in html
    assert (
        "Aunt Ada may publish my letter, edited for length and to remove identifying details."
        in (html)
    )
    for name in ("question", "pen_name", "email", "consent"):
        assert f'<label for="id_{name}">' in html
    assert 'class="hp" aria-hidden="true"' in html and 'name="website"' in html
    assert '<script src="/static/js/ask.js" defer></script>' in html
    assert "<script>" not in html  # no inline scripts: a strict CSP comes later
    assert 'href="/ask/"' in html  # the header link


def test_logged_in_reader_finds_their_email_filled_in(client, site_tree):
    reader = get_user_model().objects.create_user("ann", email="ann@example.com", password="pw")
    client.force_login(reader)
    html = client.get("/ask/").content.decode()
    assert 'value="ann@example.com"' in html


def test_anonymous_form_carries_no_email(client, site_tree):
    html = client.get("/ask/").content.decode()
    assert 'name="email"' in html and "@example.com" not in html


# The preview step


@pytest.mark.search_indexes
def test_continue_shows_the_letter_as_it_would_read_and_similar_published_letters(
    client, site_tree
):
    pay, draft, other = make_pay_letters(site_tree["letters"])
    response = preview(client)
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert "Dear Dr. Mimi," in html and "—Underpaid</p>" in html
    assert "How do I ask for the raise without sounding ungrateful?" in html
    assert "Has this been answered already?" in html
    for letter in pay:
        assert f'href="{letter.url}"' in html and letter.title in html
    assert draft.title not in html and other.title not in html
    assert "Should I ask my manager again about the raise?" in html  # the excerpt
    assert 'action="/ask/send/"' in html and "Send my letter" in html
    assert 'formaction="/ask/"' in html and ">Edit</button>" in html
    assert Question.objects.count() == 0


@pytest.mark.search_indexes
def test_preview_says_so_when_nothing_similar_was_published(client, site_tree):
    html = preview(client).content.decode()
    assert "We found no published letter close to yours." in html


def test_edit_brings_the_letter_back_into_the_form_with_the_same_submission(client, site_tree):
    first = preview(client)
    submission = first.context["submission"]
    response = client.post("/ask/", {**ask_data(), "submission": submission, "edit": "1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "How do I ask for the raise without sounding ungrateful?</textarea>" in html
    assert 'value="Underpaid"' in html and 'name="consent"' in html
    assert response.context["submission"] == submission
    again = client.post("/ask/", {**ask_data(), "submission": submission})
    assert again.context["submission"] == submission


# Sending


def test_send_stores_the_letter_once_and_redirects_303_to_its_status_page(
    client, site_tree, django_capture_on_commit_callbacks
):
    submission = preview(client).context["submission"]
    token = services.submission_token(submission)
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, submission)
    assert response.status_code == 303
    assert response["Location"] == f"/ask/status/{token}/"
    question = Question.objects.get()
    assert question.text == QUESTION
    assert question.pen_name == "Underpaid" and question.email == "writer@example.com"
    assert question.consent and question.status == "new"
    assert question.ip_address == "127.0.0.1" and question.user is None
    assert question.token_hash == hash_token(token) and token not in question.token_hash
    page = client.get(response["Location"])
    assert "Thank you. Your letter is on its way to Dr. Mimi." in page.content.decode()
    # The receipt, with the status link on the site's address.
    [receipt] = mail.outbox
    assert receipt.to == ["writer@example.com"]
    assert receipt.subject == "Dr. Mimi has your letter"
    assert f"http://testserver/ask/status/{token}/" in receipt.body
    assert receipt.body.startswith("Dear Underpaid,")


def test_no_receipt_without_an_email_address(client, site_tree, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, email="")
    assert response.status_code == 303
    assert Question.objects.get().email == ""
    assert mail.outbox == []


def test_a_logged_in_writer_is_linked_to_the_question(client, site_tree):
    reader = get_user_model().objects.create_user("ann", email="ann@example.com", password="pw")
    client.force_login(reader)
    send(client)
    assert Question.objects.get().user == reader


def test_double_submit_stores_the_letter_once(
    client, site_tree, django_capture_on_commit_callbacks
):
    submission = services.new_submission()
    with django_capture_on_commit_callbacks(execute=True):
        first = send(client, submission)
        second = send(client, submission)
        third = send(client, submission, question=QUESTION + " Edited after sending.")
    assert first.status_code == second.status_code == third.status_code == 303
    assert first["Location"] == second["Location"] == third["Location"]
    assert Question.objects.count() == 1
    assert Question.objects.get().text == QUESTION
    assert len(mail.outbox) == 1
    # A double click: the page the browser lands on thanks the writer, once.
    html = client.get(third["Location"]).content.decode()
    assert html.count("Thank you. Your letter is on its way to Dr. Mimi.") == 1
    assert "You have already sent this letter." not in html


def test_sending_the_same_preview_again_later_says_it_was_already_sent(client, site_tree):
    submission = services.new_submission()
    first = send(client, submission)
    client.get(first["Location"])  # the thank-you is shown and used up
    Question.objects.update(created_at=timezone.now() - datetime.timedelta(hours=1))
    again = send(client, submission)
    assert again["Location"] == first["Location"]
    html = client.get(again["Location"]).content.decode()
    assert "You have already sent this letter. This is its status page." in html
    assert "Thank you." not in html
    assert Question.objects.count() == 1


def test_the_same_token_raced_into_the_database_is_stored_once(site_tree):
    token, _ = Question.new_token()
    first, created = services.store_question(token, text=QUESTION, pen_name="A")
    again, created_again = services.store_question(token, text=QUESTION, pen_name="B")
    assert created and not created_again and first.pk == again.pk
    assert Question.objects.count() == 1


@pytest.mark.parametrize(
    "submission",
    ["", "forged", "x" * 500, "eyJhIjoxfQ:1abcde:0123456789abcdefghijklmnopq"],
)
def test_a_forged_or_missing_preview_token_sends_nothing(client, site_tree, submission):
    data = {**ask_data(), "submission": submission}
    response = client.post("/ask/send/", data)
    assert response.status_code == 400
    assert "This preview has expired." in response.content.decode()
    assert Question.objects.count() == 0


def test_send_only_accepts_post(client, site_tree):
    assert client.get("/ask/send/").status_code == 405
    assert client.put("/ask/").status_code == 405


# Hostile and broken input: each a clear message, a 400, nothing stored.

HOSTILE = {
    "missing consent": ({"consent": None}, "Please agree, so that Dr. Mimi can answer"),
    "too short": ({"question": "Help me please."}, "please write at least 30"),
    "only spaces": ({"question": " " * 40}, "Please write your question."),
    "too long": ({"question": "word " * 1001}, "please keep it to 5,000"),
    "null byte": ({"question": QUESTION + "\x00"}, "a character that cannot be stored"),
    "pen name of spaces": ({"pen_name": "     "}, "Please choose a pen name"),
    "pen name missing": ({"pen_name": None}, "Please choose a pen name"),
    "pen name of 200 characters": ({"pen_name": "P" * 200}, "please keep it to 60"),
    "pen name with a control character": ({"pen_name": "Po\x07or"}, "control characters"),
    "pen name with a null byte": ({"pen_name": "Po\x00or"}, "control characters"),
    "pen name with a newline": ({"pen_name": "Po\nor"}, "control characters"),
    # Zero-width and bidi characters are removed instead (test_invisible_characters.py).
    "pen name with a private-use character": ({"pen_name": "Po\ue000or"}, "invisible"),
    "invalid email": ({"email": "not-an-email"}, "Please enter an email address such as"),
    "email with a header injection": (
        {"email": "a@example.com\nBcc: b@example.com"},
        "Please enter an email address",
    ),
    "email too long for the database": (
        {"email": "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".com"},
        "This email address is too long",
    ),
    "filled honeypot": ({"website": "http://spam.example"}, "Your letter was not sent"),
}


@pytest.mark.parametrize("overrides,message", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_input_at_the_preview_step(client, site_tree, overrides, message):
    response = preview(client, **overrides)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert 'role="alert"' in html
    assert Question.objects.count() == 0


@pytest.mark.parametrize("overrides,message", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_input_sent_straight_to_the_send_step(client, site_tree, overrides, message):
    response = send(client, **overrides)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Question.objects.count() == 0


def test_field_errors_are_announced_and_tied_to_their_fields(client, site_tree):
    html = preview(client, pen_name=" ").content.decode()
    assert '<p class="field-error" id="id_pen_name_error" role="alert">' in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_pen_name_helptext id_pen_name_error"' in html


def test_the_question_is_kept_when_a_field_is_wrong(client, site_tree):
    html = preview(client, email="nope").content.decode()
    assert "How do I ask for the raise without sounding ungrateful?</textarea>" in html


def test_html_in_a_pen_name_or_question_is_plain_text_escaped_on_output(client, site_tree):
    pen_name = "<b>Poor</b> & <script>alert(1)</script>"
    question = QUESTION + " <img src=x onerror=alert(1)>"
    html = preview(client, pen_name=pen_name, question=question).content.decode()
    assert "—&lt;b&gt;Poor&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt;</p>" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    response = send(client, pen_name=pen_name, question=question)
    stored = Question.objects.get()
    assert stored.pen_name == pen_name and stored.text == question
    status = client.get(response["Location"]).content.decode()
    assert "&lt;b&gt;Poor&lt;/b&gt;" in status and "<b>Poor</b>" not in status


def test_pen_name_spaces_are_collapsed_and_line_breaks_in_the_question_kept(client, site_tree):
    text = "First paragraph about my manager and the raise.\r\n\r\nSecond paragraph here."
    send(client, pen_name="  Sleepless   in   Leeds ", question=text)
    question = Question.objects.get()
    assert question.pen_name == "Sleepless in Leeds"
    assert question.text == text.replace("\r\n", "\n")


def test_thirty_submissions_a_minute_from_one_ip_are_cut_off_at_five(client, site_tree):
    responses = [send(client, question=f"{QUESTION} Number {n}.") for n in range(30)]
    codes = [response.status_code for response in responses]
    assert codes == [303] * 5 + [429] * 25
    refused = responses[-1].content.decode()
    assert "Your letter has not been sent" in refused and "Please wait a few minutes" in refused
    assert 'name="submission"' in refused  # the letter is kept, ready to send again
    assert Question.objects.count() == 5


def test_the_rate_limit_is_per_ip(client, site_tree):
    for n in range(5):
        send(client, question=f"{QUESTION} Number {n}.")
    assert send(client).status_code == 429
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert send(other).status_code == 303
    assert Question.objects.count() == 6


def test_a_post_without_csrf_token_is_refused_and_stores_nothing(site_tree):
    client = Client(enforce_csrf_checks=True)
    client.get("/ask/")  # has the cookie, but the POST carries no token
    assert client.post("/ask/", ask_data()).status_code == 403
    response = client.post("/ask/send/", {**ask_data(), "submission": services.new_submission()})
    assert response.status_code == 403
    assert "CSRF" in response.content.decode()
    assert Question.objects.count() == 0


def test_the_whole_flow_with_csrf_checks_on(site_tree):
    client = Client(enforce_csrf_checks=True)
    client.get("/ask/")
    csrf = client.cookies["csrftoken"].value
    step1 = client.post("/ask/", {**ask_data(), "csrfmiddlewaretoken": csrf})
    assert step1.status_code == 200
    data = {**ask_data(), "csrfmiddlewaretoken": csrf, "submission": step1.context["submission"]}
    assert client.post("/ask/send/", data).status_code == 303
    assert Question.objects.count() == 1


# GET /ask/similar/


def similar(client, q):
    return client.get("/ask/similar/", {"q": q})


@pytest.mark.search_indexes
def test_similar_json_lists_published_letters_with_title_url_excerpt_score(client, site_tree):
    pay, _, _ = make_pay_letters(site_tree["letters"])
    response = similar(client, QUESTION)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    results = response.json()["results"]
    assert {r["url"] for r in results} == {letter.url for letter in pay}
    for result in results:
        assert set(result) == {"title", "url", "excerpt", "score"}
        assert isinstance(result["score"], float)
        assert result["excerpt"].startswith("My pay rise was promised at review")
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.search_indexes
def test_similar_json_returns_at_most_five(client, site_tree):
    for n in range(8):
        make_letter(
            site_tree["letters"],
            question=f"<p>My manager promised a pay rise ({n}) and the raise never came.</p>",
        )
    assert len(similar(client, QUESTION).json()["results"]) == 5


@pytest.mark.search_indexes
def test_similar_json_never_lists_drafts_or_private_letters(client, site_tree):
    words = "<p>My manager promised a pay rise at review and the raise never came.</p>"
    draft = make_letter(site_tree["letters"], title="Draft letter", question=words, live=False)
    private = make_letter(site_tree["letters"], title="Private letter", question=words)
    PageViewRestriction.objects.create(page=private, restriction_type="password", password="x")
    public = make_letter(site_tree["letters"], title="Public letter", question=words)
    response = similar(client, QUESTION)
    body = response.content.decode()
    assert [r["title"] for r in response.json()["results"]] == ["Public letter"]
    assert public.url in body
    assert "Draft letter" not in body and draft.url not in body
    assert "Private letter" not in body and private.url not in body


@pytest.mark.search_indexes
def test_similar_json_never_contains_questions_emails_ips_or_tokens(client, site_tree):
    letter = make_letter(
        site_tree["letters"],
        question="<p>My manager promised a pay rise at review and the raise never came.</p>",
    )
    token, token_hash = Question.new_token()
    Question.objects.create(
        text=QUESTION,
        pen_name="Secret Writer",
        email="secret@example.com",
        ip_address="198.51.100.7",
        token_hash=token_hash,
        letter=letter,
    )
    response = similar(client, QUESTION)
    body = response.content.decode()
    assert [r["title"] for r in response.json()["results"]] == [letter.title]
    for private in ("secret@example.com", "198.51.100.7", token, token_hash, "Secret Writer"):
        assert private not in body


HOSTILE_QUERIES = {
    "fts syntax": 'pay" OR raise* NEAR(manager review) AND ^title: -promotion {a b}',
    "null byte": "my pay\x00 rise never came from my manager",
    "right-to-left": "\u202eמנהל שלי הבטיח העלאה בשכר ‏pay rise",
    "only punctuation": "?!?!... *** ''' \"\" ()",
    "emoji": "💸💸 pay rise 💸 manager 🙃",
    "4,999 characters": ("raise " * 1000)[:4999],
    "sql": "'; DROP TABLE questions_question; --",
}


@pytest.mark.search_indexes
@pytest.mark.parametrize("q", HOSTILE_QUERIES.values(), ids=HOSTILE_QUERIES.keys())
def test_hostile_similar_queries_answer_200_with_results(client, pay_letters, q):
    response = client.get("/ask/similar/", {"q": q})
    assert response.status_code == 200
    assert isinstance(response.json()["results"], list)
    assert len(response.json()["results"]) <= 5


@pytest.mark.parametrize(
    "query_string,message",
    [
        ("", "Send the question's text as ?q=."),
        ("?q=", "Send the question's text as ?q=."),
        ("?q=%20%20%20", "Send the question's text as ?q=."),
        ("?q=" + "a" * 5001, "The question is too long"),
        ("?q=" + "%E2%80%AE" * 6000, "The question is too long"),
    ],
    ids=["missing", "empty", "spaces", "5,001 characters", "6,000 bidi overrides"],
)
@pytest.mark.search_indexes
def test_similar_refuses_empty_and_overlong_queries_with_400_json(
    client, site_tree, query_string, message
):
    response = client.get("/ask/similar/" + query_string)
    assert response.status_code == 400
    assert list(json.loads(response.content)) == ["error"]
    assert message in response.json()["error"]


@pytest.mark.search_indexes
def test_similar_with_a_broken_percent_encoding_is_not_an_error(client, site_tree):
    response = client.get("/ask/similar/?q=pay%ZZrise%C3%28manager%ff")
    assert response.status_code in (200, 400)
    assert "results" in response.json() or "error" in response.json()


@pytest.mark.search_indexes
def test_similar_lookups_are_rate_limited_per_address(client, site_tree, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "ask_similar": "3/m/ip"}
    assert [similar(client, QUESTION).status_code for _ in range(3)] == [200, 200, 200]
    refused = similar(client, QUESTION)
    assert refused.status_code == 429
    assert refused.json() == {
        "error": "Too many lookups from your network: wait a minute, then try again."
    }
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert other.get("/ask/similar/", {"q": QUESTION}).status_code == 200


@pytest.mark.search_indexes
def test_similar_only_answers_get(client, site_tree):
    assert client.post("/ask/similar/", {"q": QUESTION}).status_code == 405


@pytest.mark.search_indexes
def test_similar_reads_a_bounded_number_of_rows(
    client, site_tree, django_assert_max_num_queries, settings
):
    # Not counted: the rate limiter's dozen statements per rate in the shared cache table.
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "ask_similar": None}
    make_pay_letters(site_tree["letters"])
    for n in range(10):
        make_letter(site_tree["letters"], question=f"<p>Pay rise number {n} and my manager.</p>")
    similar(client, QUESTION)  # the site's root paths are cached after the first request
    # the documents changed since the vectors were read, the letters shown, the site
    with django_assert_max_num_queries(4):
        response = similar(client, QUESTION)
    assert 3 <= len(response.json()["results"]) <= 5
