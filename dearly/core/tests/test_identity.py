"""The column's identity from its settings: name, tagline, logo, the columnist's photo and bio,
accent colour and social links; emails that speak as the column."""

import io
import re

from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.images import ImageFile

from wagtail.images.models import Image

import pytest
from PIL import Image as PILImage

from dearly.core import colours
from dearly.core.mail import from_email
from dearly.core.models import ColumnSettings
from dearly.pagecache.tests.helpers import Reader
from dearly.settings.base import mail_domain
from dearly.testing import make_article, make_letter

pytestmark = pytest.mark.django_db


def column(site_tree, **fields):
    found = ColumnSettings.for_site(site_tree["home"].get_site())
    for name, value in fields.items():
        setattr(found, name, value)
    found.save()
    return found


def make_image(title="Portrait", size=(600, 400), fmt="JPEG"):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (180, 90, 60)).save(buffer, fmt)
    name = f"{title.lower()}.{'png' if fmt == 'PNG' else 'jpg'}"
    return Image.objects.create(title=title, file=ImageFile(buffer, name=name))


def head(html):
    return html.split("</head>", 1)[0]


# -- the column's name --


def test_the_site_is_named_after_the_columnist_by_default(client, site_tree):
    html = client.get("/").content.decode()
    assert '<a class="brand" href="/" rel="home">Dear Dr. Mimi</a>' in html
    assert '<meta property="og:site_name" content="Dear Dr. Mimi">' in html
    assert 'title="Dear Dr. Mimi (RSS)"' in html
    assert "Dearly" not in html.replace("Powered by Dearly", "")


def test_a_columnist_renamed_renames_the_site(client, site_tree):
    column(site_tree, columnist_name="Aunt Ada")
    guide = make_article(site_tree["guides"], title="Saying no")
    html = client.get(guide.url).content.decode()
    assert "<title>Saying no · Dear Aunt Ada</title>" in html
    assert ">Dear Aunt Ada</a>" in html


def test_a_column_name_set_in_the_settings_is_used_everywhere(client, site_tree):
    column(site_tree, site_name="Work <Talk> & Co", tagline="Straight answers")
    make_article(site_tree["guides"], title="Saying no")
    html = client.get("/").content.decode()
    assert ">Work &lt;Talk&gt; &amp; Co</a>" in html and "Straight answers" in html
    assert '<meta property="og:site_name" content="Work &lt;Talk&gt; &amp; Co">' in html
    feed = client.get("/feed/").content.decode()
    assert "<title>Work &lt;Talk&gt; &amp; Co</title>" in feed


def test_renaming_the_column_refreshes_cached_pages(site_tree):
    make_article(site_tree["guides"], title="Saying no", slug="no")
    reader = Reader()
    reader.get("/guides/no/")
    assert reader.get("/guides/no/").cache == "hit"
    column(site_tree, site_name="The Work Desk")
    answer = reader.get("/guides/no/")
    assert answer.cache == "miss" and "The Work Desk" in answer.text


def test_readers_cannot_take_the_column_name(client, site_tree):
    from dearly.accounts.forms import is_reserved_name

    column(site_tree, site_name="The Work Desk")
    assert is_reserved_name("The Work Desk") and is_reserved_name("the work desk")
    assert is_reserved_name("Dear Dr. Mimi") and not is_reserved_name("Ann")


# -- logo, photo and bio --


def test_a_logo_replaces_the_name_and_keeps_it_as_its_text(client, site_tree):
    column(site_tree, logo=make_image("Wordmark", size=(800, 200), fmt="PNG"))
    html = client.get("/").content.decode()
    brand = html.split('class="brand"', 1)[1].split("</a>", 1)[0]
    assert "<picture>" in brand and 'alt="Dear Dr. Mimi"' in brand
    assert 'height="56"' in brand and 'width="224"' in brand  # no layout shift while it loads
    assert 'sizes="224px"' in brand and "224w" in brand and "448w" in brand
    assert ".png" in brand  # a PNG stays a PNG (it may be transparent)


def test_letters_show_the_columnists_photo_and_bio(client, site_tree):
    column(
        site_tree,
        columnist_photo=make_image(),
        columnist_bio="Mimi has answered <questions> about work for twenty years.",
    )
    letter = make_letter(site_tree["letters"])
    html = client.get(letter.url).content.decode()
    card = html.split('class="columnist-card"', 1)[1].split("</aside>", 1)[0]
    assert "Mimi has answered &lt;questions&gt; about work for twenty years." in card
    assert 'class="columnist-photo"' in card and 'height="64"' in card and 'width="64"' in card
    assert re.search(r'<source[^>]+type="image/(avif|webp)"', card)


def test_without_photo_or_bio_letters_have_no_empty_card(client, site_tree):
    letter = make_letter(site_tree["letters"])
    assert "columnist-card" not in client.get(letter.url).content.decode()


def test_a_missing_image_file_does_not_break_the_page(client, site_tree):
    photo = make_image()
    photo.file.storage.delete(photo.file.name)
    column(site_tree, columnist_photo=photo, columnist_bio="Bio.")
    letter = make_letter(site_tree["letters"])
    assert client.get(letter.url).status_code == 200


# -- accent colour --


@pytest.mark.parametrize("value", ["#1a5f7a", "1A5F7A", "#000000", colours.DEFAULT_ACCENT])
def test_dark_enough_accents_are_accepted(value):
    colours.validate_accent(value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("#ff8800", "too light"),
        ("#ffffff", "too light"),
        ("red", "six hexadecimal digits"),
        ("#12345", "six hexadecimal digits"),
        ("#1234567", "six hexadecimal digits"),
        ("</style>", "six hexadecimal digits"),
        ("", "six hexadecimal digits"),
    ],
)
def test_unreadable_or_malformed_accents_are_refused_with_a_reason(value, message):
    with pytest.raises(ValidationError, match=message):
        colours.validate_accent(value)


def test_a_too_light_accent_comes_with_a_darker_suggestion_that_passes():
    with pytest.raises(ValidationError) as refused:
        colours.validate_accent("#ff8800")
    suggestion = re.search(r"#[0-9a-f]{6}", str(refused.value))[0]
    colours.validate_accent(suggestion)


def test_the_default_accent_adds_no_stylesheet_and_another_one_does(client, site_tree):
    assert "/theme/" not in head(client.get("/").content.decode())
    column(site_tree, accent_color="#1A5F7A")
    html = head(client.get("/").content.decode())
    assert '<link rel="stylesheet" href="/theme/1a5f7a.css">' in html


def test_theme_stylesheet_sets_light_and_dark_accents(client):
    response = client.get("/theme/1a5f7a.css")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/css")
    assert "immutable" in response["Cache-Control"]
    css = response.content.decode()
    assert ":root{--accent:#1a5f7a;" in css and "prefers-color-scheme: dark" in css
    night = re.search(r"dark\)\{:root\{--accent:(#[0-9a-f]{6})", css)[1]
    assert colours.contrast(night, colours.DARK_PAPER) >= colours.MIN_CONTRAST


@pytest.mark.parametrize(
    "colour", ["zzzzzz", "1A5F7A", "1a5f7", "1a5f7a0", "%3Cscript%3E", "..%2F..%2Fetc", "x" * 500]
)
def test_theme_stylesheet_refuses_anything_but_a_colour(client, colour):
    assert client.get(f"/theme/{colour}.css").status_code == 404


def test_site_css_carries_the_default_accents_theme_values():
    from django.contrib.staticfiles import finders

    css = open(finders.find("css/site.css")).read()  # noqa: SIM115  # read once, test only
    for name, value in re.findall(r"--([a-z-]+):(#[0-9a-f]{6})", colours.theme_css("#7a2e1f")):
        assert f"--{name}: {value};" in css, name


def test_the_settings_form_refuses_a_bad_accent_and_a_bad_social_link(admin_client, site_tree):
    site = site_tree["home"].get_site()
    url = f"/admin/settings/core/columnsettings/{site.pk}/"
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url,
        {
            "columnist_name": "Dr. Mimi",
            "accent_color": "#ffee00",
            "mastodon_url": "javascript:alert(1)",
            "linkedin_url": "ftp://example.com/me",
            "question_retention_days": "180",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "too light" in html and "Enter a valid URL" in html
    assert ColumnSettings.for_site(site).accent_color == colours.DEFAULT_ACCENT


# -- social links --


def test_social_links_show_in_the_footer(client, site_tree):
    column(
        site_tree,
        mastodon_url="https://mastodon.example/@mimi",
        bluesky_url="https://bsky.app/profile/mimi.example?x=1&y=<2>",
    )
    html = client.get("/").content.decode()
    footer = html.split('<footer class="site-footer">', 1)[1]
    assert '<a href="https://mastodon.example/@mimi" rel="me noopener">Mastodon</a>' in footer
    assert 'href="https://bsky.app/profile/mimi.example?x=1&amp;y=&lt;2&gt;"' in footer
    assert "LinkedIn" not in footer


# -- emails --


def test_account_emails_speak_as_the_column(client, site_tree):
    column(site_tree, site_name="The Work Desk")
    client.post(
        "/accounts/signup/",
        {
            "display_name": "Ann",
            "email": "ann@example.com",
            "password1": "a-long-quiet-passphrase",
            "password2": "a-long-quiet-passphrase",
        },
        HTTP_HOST="127.0.0.1:8811",
    )
    [message] = mail.outbox
    assert message.subject == "[The Work Desk] Confirm your email address"
    assert message.from_email == '"The Work Desk" <noreply@testserver>'
    assert message.body.startswith("Hello,\n")
    assert "— The Work Desk\nhttp://testserver/" in message.body
    assert "127.0.0.1" not in message.body and "Dearly" not in message.body


def test_a_from_address_with_its_own_name_is_kept(settings, site_tree):
    settings.DEFAULT_FROM_EMAIL = "Dr. Mimi <letters@advice.example.com>"
    assert from_email() == "Dr. Mimi <letters@advice.example.com>"


def test_the_column_name_cannot_inject_headers(settings, site_tree):
    column(site_tree, site_name='Desk"\r\nBcc: victim@example.com')
    shown = from_email()
    assert "\r" not in shown and "\n" not in shown
    assert shown == '"Desk\\"Bcc: victim@example.com" <noreply@testserver>'


@pytest.mark.parametrize(
    ("site_url", "domain"),
    [
        ("https://advice.example.com", "advice.example.com"),
        ("https://www.advice.example.com:8443/", "advice.example.com"),
        ("http://127.0.0.1:8000", "[127.0.0.1]"),
        ("http://[::1]:8000", "[::1]"),
        ("http://localhost:8000", "localhost"),
        ("", "localhost"),
    ],
)
def test_the_default_sender_comes_from_site_urls_host(site_url, domain):
    assert mail_domain(site_url) == domain


def test_comment_and_question_emails_come_from_the_column(site_tree):
    from dearly.questions.models import Question
    from dearly.questions.tasks import send_to_writer

    column(site_tree, site_name="The Work Desk")
    question = Question.objects.create(
        text="How do I ask?", pen_name="Shy", email="shy@example.com", consent=True
    )
    send_to_writer(question, "questions/email/receipt.txt", "Your letter")
    assert mail.outbox[-1].from_email == '"The Work Desk" <noreply@testserver>'


# -- allauth pages in the column's words --


def test_login_page_says_keep_me_logged_in(client, site_tree):
    html = client.get("/accounts/login/").content.decode()
    assert "Keep me logged in on this device" in html and "Remember Me" not in html


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/accounts/confirm-email/", "Check your inbox"),
        ("/accounts/password/reset/", "Forgot your password?"),
        ("/accounts/password/reset/done/", "Check your inbox"),
        ("/accounts/confirm-email/not-a-key/", "Confirm your email address"),
        ("/accounts/password/reset/key/1-bad/", "This link does not work"),
    ],
)
def test_allauth_pages_use_the_columns_words(client, site_tree, path, heading):
    response = client.get(path, follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in html
    for stock in ("Verify Your Email Address", "Password Reset", "Bad Token", "Sign Out"):
        assert stock not in html


def test_confirming_an_email_says_so_on_the_next_page(client, site_tree):
    client.post(
        "/accounts/signup/",
        {
            "display_name": "Ann",
            "email": "ann@example.com",
            "password1": "a-long-quiet-passphrase",
            "password2": "a-long-quiet-passphrase",
        },
    )
    client.get("/accounts/confirm-email/")  # the "check your inbox" page reads its own message
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", mail.outbox[0].body)[1]
    assert "Yes, confirm it" in client.get(link).content.decode()
    landing = client.post(link, follow=True).content.decode()
    assert "Thank you: ann@example.com is confirmed." in landing
    assert "You are logged in as Ann." in landing


@pytest.mark.parametrize(
    ("path", "heading", "stock"),
    [
        ("/accounts/email/", "Your email addresses", "Make Primary"),
        ("/accounts/password/change/", "Change your password", "Change Password"),
        ("/accounts/logout/", "Log out?", "Sign Out"),
    ],
)
def test_account_management_pages_use_the_columns_words(client, site_tree, path, heading, stock):
    from dearly.accounts.tests.helpers import make_account

    client.force_login(make_account())
    html = client.get(path).content.decode()
    assert f"<h1>{heading}</h1>" in html and stock not in html
