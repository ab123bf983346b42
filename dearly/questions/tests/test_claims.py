"""Claiming a published letter from its status link: the "Letter writer" badge on the account's
comments on the letter and its updates, dropped from the profile page. One letter, one account;
nobody gets the badge without the letter's own status link."""

import re
from unittest import mock
from urllib.parse import quote

from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

import pytest

from dearly.accounts.tests.helpers import PASSWORD, make_account
from dearly.comments.models import PageRole
from dearly.comments.tests.helpers import make_comment
from dearly.questions import claims
from dearly.questions.models import LetterClaim
from dearly.testing import make_letter, make_letter_update

from .test_status import assert_private_headers, make_question, status_url

pytestmark = pytest.mark.django_db

BADGE = (
    '<span class="comment-badge"><span class="visually-hidden">verified </span>Letter writer</span>'
)


@pytest.fixture
def letter(site_tree):
    return make_letter(
        site_tree["letters"], title="Dear Dr. Mimi – Underpaid", pen_name="Underpaid"
    )


@pytest.fixture
def published(letter):
    """A published letter's question and its status token."""
    return make_question("published", letter=letter)


def claim_url(token):
    return f"/ask/status/{token}/claim/"


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def claim(client, token, **data):
    return client.post(claim_url(token), {"confirm": "yes", **data})


def roles():
    return set(PageRole.objects.values_list("page_id", "user_id", "role"))


# The way there


def test_the_status_page_of_a_published_letter_offers_the_claim(client, published):
    _, token = published
    html = client.get(status_url(token)).content.decode()
    assert "<h2>Comment as the letter writer</h2>" in html
    assert f'href="{claim_url(token)}">Claim my letter</a>' in html


@pytest.mark.parametrize("status", ["new", "shortlisted", "answered", "declined"])
def test_the_status_page_offers_no_claim_before_publication(client, status):
    _, token = make_question(status)
    html = client.get(status_url(token)).content.decode()
    assert "Claim my letter" not in html and "/claim/" not in html


def test_logged_out_the_claim_page_leads_to_log_in_or_sign_up_and_back(client, published):
    _, token = published
    response = client.get(claim_url(token))
    html = response.content.decode()
    assert response.status_code == 200
    assert_private_headers(response)
    back = quote(claim_url(token))
    assert f'href="/accounts/login/?next={back}">Log in</a>' in html
    assert f'href="/accounts/signup/?next={back}">Create an account</a>' in html
    assert "never your email address" in html
    assert f'<a href="{status_url(token)}">Back to your letter\'s status</a>' in html
    assert not LetterClaim.objects.exists()


def test_a_reader_who_logs_in_comes_back_to_confirm(client, published):
    _, token = published
    reader = make_account(display_name="Ann")
    response = client.post(
        "/accounts/login/", {"login": reader.email, "password": PASSWORD, "next": claim_url(token)}
    )
    assert response.status_code == 302 and response["Location"] == claim_url(token)
    html = client.get(claim_url(token)).content.decode()
    assert "You are logged in as <strong>Ann</strong>." in html
    assert '<input type="hidden" name="confirm" value="yes">' in html
    assert not LetterClaim.objects.exists()  # looking claims nothing
    # One way back to the status page, beside the button (not a second one under it).
    assert html.count(f'href="{status_url(token)}"') == 1
    assert f'<a href="{status_url(token)}">Not now</a>' in html


def test_a_new_reader_signs_up_confirms_their_email_and_claims(client, published, letter):
    """From the status link to a comment with the badge, through sign-up and the emailed
    confirmation link: `next` survives both."""
    _, token = published
    response = client.post(
        "/accounts/signup/",
        {
            "display_name": "Still Underpaid",
            "email": "new.reader@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "next": claim_url(token),
        },
    )
    assert response["Location"] == "/accounts/confirm-email/"
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", mail.outbox[0].body)[1]
    assert client.post(link)["Location"] == claim_url(token)
    response = claim(client, token)
    assert response.status_code == 303
    assert response["Location"] == f"{letter.url}#respond"
    user = get_user_model().objects.get(email="new.reader@example.com")
    assert LetterClaim.objects.get().user == user
    page = client.get(letter.url).content.decode()
    assert "Your letter is claimed." in page
    client.post(f"/comments/post/{letter.pk}/", {"body": "Thank you, Dr. Mimi. It worked."})
    make_comment(letter, user, "An approved one from the writer.")
    html = Client().get(letter.url).content.decode()
    assert "<strong>Still Underpaid</strong> " + BADGE in html
    assert "new.reader@example.com" not in html


def test_a_claim_gives_the_badge_on_the_letter_and_its_updates(site_tree, letter, published):
    update = make_letter(site_tree["letters"], title="Update: Underpaid")
    further = make_letter(site_tree["letters"], title="Update: Underpaid again")
    update.update = further
    update.save_revision().publish()
    letter.update = update
    letter.save_revision().publish()
    _, token = published
    reader = make_account(display_name="Ann")
    assert claim(logged_in(reader), token).status_code == 303
    kind = PageRole.Role.LETTER_WRITER
    assert roles() == {(p.pk, reader.pk, kind) for p in (letter, update, further)}
    for page in (letter, update, further):
        make_comment(page, reader, f"On {page.title}")
        assert BADGE in Client().get(page.url).content.decode()


def test_an_update_linked_after_the_claim_gets_the_badge_at_once(site_tree, letter, published):
    _, token = published
    reader = make_account(display_name="Ann")
    claim(logged_in(reader), token)
    update = make_letter(site_tree["letters"], title="Update: Underpaid")
    make_comment(update, reader, "Here is how it went.")
    assert BADGE not in Client().get(update.url).content.decode()
    letter.update = update
    letter.save_revision().publish()
    assert BADGE in Client().get(update.url).content.decode()
    letter.update = None
    letter.save_revision().publish()
    assert BADGE not in Client().get(update.url).content.decode()
    assert roles() == {(letter.pk, reader.pk, PageRole.Role.LETTER_WRITER)}


def test_the_writers_own_updates_carry_the_badge_before_and_after_the_claim(letter, published):
    earlier = make_letter_update(letter, text="<p>Three months on, I got the raise.</p>")
    _, token = published
    reader = make_account(display_name="Ann")
    claim(logged_in(reader), token)
    later = make_letter_update(letter, text="<p>A year on, I lead the team.</p>", live=False)
    make_comment(later, reader, "And one more thing.")
    later.save_revision().publish()  # published after the claim: the badge comes with it
    kind = PageRole.Role.LETTER_WRITER
    assert roles() == {(p.pk, reader.pk, kind) for p in (letter, earlier, later)}
    for page in (earlier, later):
        make_comment(page, reader, "Thank you all.")
        assert BADGE in Client().get(page.url).content.decode()


# Hostile and broken claims: nothing written


@pytest.mark.parametrize(
    ("token", "status"),
    [
        ("forged-token-0000000000000000000000000", 404),
        ("x" * 101, 404),
        ("%00", 400),  # a NUL in the path is refused before any view
        ("nul%00byte", 400),
    ],
)
def test_a_forged_token_finds_nothing(published, token, status):
    reader = make_account()
    for method in ("get", "post"):
        response = getattr(logged_in(reader), method)(claim_url(token), {"confirm": "yes"})
        assert response.status_code == status
    assert not LetterClaim.objects.exists() and not roles()


def test_someone_elses_token_cannot_claim_a_letter_sent_from_their_account(letter):
    writer = make_account(display_name="Writer")
    _, token = make_question("published", letter=letter, user=writer)
    intruder = make_account(display_name="Intruder")
    response = claim(logged_in(intruder), token)
    assert response.status_code == 403
    assert "sent from another reader account" in response.content.decode()
    assert not LetterClaim.objects.exists() and not roles()
    assert claim(logged_in(writer), token).status_code == 303  # its own account may


def test_one_letter_one_account(published, letter):
    _, token = published
    first, second = make_account(display_name="First"), make_account(display_name="Second")
    assert claim(logged_in(first), token).status_code == 303
    response = claim(logged_in(second), token)
    assert response.status_code == 409
    assert "already been claimed for another reader account" in response.content.decode()
    again = claim(logged_in(first), token)  # the same account again: nothing to do
    assert again.status_code == 200
    assert "Your letter is claimed for your account." in again.content.decode()
    assert list(LetterClaim.objects.values_list("user_id", flat=True)) == [first.pk]
    assert roles() == {(letter.pk, first.pk, PageRole.Role.LETTER_WRITER)}


def test_two_claims_at_the_same_moment_leave_one(published):
    """The second create meets the unique question: refused, not a 500."""
    question, _ = published
    first, second = make_account(), make_account()
    claims.claim_letter(question, first)
    with (
        mock.patch.object(claims, "claim_state", return_value=claims.State.READY),
        pytest.raises(claims.ClaimRefused) as refused,
    ):
        claims.claim_letter(question, second)
    assert refused.value.state == claims.State.CLAIMED and refused.value.status == 409
    assert list(LetterClaim.objects.values_list("user_id", flat=True)) == [first.pk]


@pytest.mark.parametrize("status", ["new", "shortlisted", "answered", "declined"])
def test_an_unpublished_letter_cannot_be_claimed(site_tree, status):
    draft = make_letter(site_tree["letters"], live=False)
    _, token = make_question(status, letter=draft if status == "answered" else None)
    response = claim(logged_in(make_account()), token)
    assert response.status_code == 409
    assert "can be claimed once" in response.content.decode()
    assert not LetterClaim.objects.exists() and not roles()


def test_a_letter_unpublished_after_publication_cannot_be_claimed(letter, published):
    _, token = published
    letter.unpublish()
    assert claim(logged_in(make_account()), token).status_code == 409
    assert not LetterClaim.objects.exists()


def test_an_editors_account_cannot_claim(published):
    _, token = published
    editor = make_account(display_name="Ed", is_staff=True)
    response = claim(logged_in(editor), token)
    assert response.status_code == 403
    assert not LetterClaim.objects.exists()


def test_a_claim_needs_a_login_a_post_a_confirmation_and_the_csrf_token(client, published):
    _, token = published
    assert claim(client, token).status_code == 403  # logged out
    reader = make_account()
    assert claim(logged_in(reader), token, confirm="no").status_code == 400
    assert logged_in(reader).put(claim_url(token)).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(reader)
    assert claim(strict, token).status_code == 403
    assert not LetterClaim.objects.exists() and not roles()


# Dropping the claim


@pytest.fixture
def claimed(published, letter):
    question, _ = published
    reader = make_account(display_name="Ann")
    claims.claim_letter(question, reader)
    make_comment(letter, reader, "Ann, who wrote it.")
    return LetterClaim.objects.get(), reader


def test_the_profile_lists_the_claim_and_drops_it_at_once(letter, claimed):
    claim_row, reader = claimed
    client = logged_in(reader)
    anonymous = Client()
    assert BADGE in anonymous.get(letter.url).content.decode()
    assert BADGE in client.get(letter.url).content.decode()
    profile = client.get("/accounts/profile/").content.decode()
    assert f'<a href="{letter.url}">{letter.title}</a>' in profile
    assert f'action="/ask/claims/{claim_row.pk}/drop/"' in profile
    response = client.post(f"/ask/claims/{claim_row.pk}/drop/")
    assert response.status_code == 303 and response["Location"] == "/accounts/profile/"
    assert not LetterClaim.objects.exists() and not roles()
    assert BADGE not in anonymous.get(letter.url).content.decode()
    assert BADGE not in client.get(letter.url).content.decode()
    assert "Your letters" not in client.get("/accounts/profile/").content.decode()


def test_a_dropped_letter_can_be_claimed_again_by_another_account(claimed, published):
    claim_row, reader = claimed
    logged_in(reader).post(f"/ask/claims/{claim_row.pk}/drop/")
    other = make_account()
    assert claim(logged_in(other), published[1]).status_code == 303


def test_nobody_drops_someone_elses_claim(claimed):
    claim_row, reader = claimed
    url = f"/ask/claims/{claim_row.pk}/drop/"
    assert logged_in(make_account()).post(url).status_code == 404
    assert Client().post(url).status_code == 302  # to the login page
    assert logged_in(reader).get(url).status_code == 405
    assert logged_in(reader).post("/ask/claims/999999/drop/").status_code == 404
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(reader)
    assert strict.post(url).status_code == 403
    assert LetterClaim.objects.count() == 1 and len(roles()) == 1


def test_a_deleted_account_takes_its_claim_and_badges_with_it(client, letter, claimed):
    _, reader = claimed
    client.force_login(reader)
    client.post("/accounts/delete/", {"password": PASSWORD})
    assert not LetterClaim.objects.exists() and not roles()
    assert "comment-badge" not in Client().get(letter.url).content.decode()
