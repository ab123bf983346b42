import re

from wagtail.models import PageViewRestriction

import pytest

from dearly.core.models import ColumnSettings
from dearly.testing import make_article, make_letter

pytestmark = pytest.mark.django_db

STEPS_BODY = [
    (
        "steps",
        {
            "heading": "Six steps",
            "steps": [
                {"lead": f"Lead {n}.", "text": f"<p>Text of step {n}.</p>"} for n in range(1, 7)
            ],
        },
    ),
    ("quote", {"quote": "Keep going.", "attribution": "Dr. Mimi"}),
]


def test_article_renders_steps_as_a_numbered_list_with_linkable_items(client, site_tree):
    page = make_article(site_tree["guides"], title="When You Are Turned Down", body=STEPS_BODY)
    html = client.get(page.url).content.decode()
    assert "<ol" in html
    for n in range(1, 7):
        assert f'id="step-{n}"' in html
        assert f'<strong class="step-lead">Lead {n}.</strong>' in html
    assert "Keep going." in html and "Dr. Mimi" in html


def test_letter_greetings_and_signoffs_come_from_the_fields(client, site_tree):
    page = make_letter(site_tree["letters"], pen_name="Poor", question="<p>May I ask?</p>")
    html = client.get(page.url).content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Dear Dr. Mimi, May I ask? —Poor" in text
    assert "Dear Poor, Ask early and ask plainly. —Dr. Mimi" in text


def test_columnist_name_is_a_site_setting(client, site_tree):
    settings = ColumnSettings.for_site(site_tree["home"].get_site())
    settings.columnist_name = "Aunt Ada"
    settings.save()
    page = make_letter(site_tree["letters"], title="Lost in the maze", pen_name="Lost")
    html = client.get(page.url).content.decode()
    assert "Dear Aunt Ada," in html and "—Aunt Ada" in html
    assert "Dr. Mimi" not in html.split('id="respond"')[0].split("<main")[1]


def test_letter_links_to_its_published_update(client, site_tree):
    later = make_letter(site_tree["letters"], title="Dear Dr. Mimi – Poor, again")
    page = make_letter(site_tree["letters"], update=later)
    assert f'href="{later.url}"' in client.get(page.url).content.decode()
    later.unpublish()
    assert "Poor, again" not in client.get(page.url).content.decode().split("<main")[1]


def test_pen_name_and_question_are_escaped(client, site_tree):
    page = make_letter(site_tree["letters"], pen_name="<script>alert(1)</script>")
    html = client.get(page.url).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_logged_out_reader_sees_login_prompt_instead_of_form(client, site_tree):
    page = make_article(site_tree["guides"])
    html = client.get(page.url).content.decode()
    assert 'id="respond"' in html and "Leave a Reply" in html
    assert "You must be" in html and "to post a comment." in html
    assert f'href="/accounts/login/?next={page.url}%23respond">logged in</a>' in html


def test_home_lists_latest_guides_and_letters(client, site_tree):
    guide = make_article(site_tree["guides"], title="A guide on the home page")
    letter = make_letter(site_tree["letters"], title="Dear Dr. Mimi – Homebound")
    draft = make_article(site_tree["guides"], title="Unfinished draft", live=False)
    html = client.get("/").content.decode()
    assert guide.title in html and "Homebound" in html and letter.url in html
    assert draft.title not in html


def test_private_page_is_not_public(client, site_tree):
    page = make_article(site_tree["guides"], title="Members only guide")
    PageViewRestriction.objects.create(page=page, restriction_type="login")
    response = client.get(page.url)
    assert response.status_code == 302 and "login" in response["Location"]
    assert "Members only guide" not in client.get("/guides/").content.decode()


def test_standard_page_renders(client, site_tree):
    from dearly.core.models import StandardPage

    about = site_tree["home"].add_child(
        instance=StandardPage(title="About", slug="about", intro="Who writes this column.")
    )
    about.save_revision().publish()
    response = client.get("/about/")
    assert response.status_code == 200
    assert "Who writes this column." in response.content.decode()
    assert 'href="/about/"' in client.get("/").content.decode()  # footer link


def test_html_has_lang_and_canonical_and_open_graph(client, site_tree):
    page = make_article(site_tree["guides"], title="Tagged for sharing")
    html = client.get(page.url).content.decode()
    assert '<html lang="en">' in html
    assert f'<link rel="canonical" href="http://localhost{page.url}">' in html
    assert '<meta property="og:title" content="Tagged for sharing">' in html
    assert '<meta property="og:type" content="article">' in html


def test_article_has_schema_org_json_ld(client, site_tree):
    import json

    page = make_article(site_tree["guides"], title="</script><b>Sneaky</b>")
    html = client.get(page.url).content.decode()
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(raw)
    assert data["@type"] == "Article" and data["headline"] == "</script><b>Sneaky</b>"
    assert "</script><b>" not in raw


def test_article_image_block_renders_with_alt_text_and_caption(client, site_tree):
    import io
    import json

    from django.core.files.images import ImageFile

    from wagtail.images.models import Image

    from PIL import Image as PILImage

    buffer = io.BytesIO()
    PILImage.new("RGB", (640, 360), (200, 120, 90)).save(buffer, "PNG")
    image = Image.objects.create(
        title="A calm desk", file=ImageFile(io.BytesIO(buffer.getvalue()), name="desk.png")
    )
    # Stored (JSON) form, as the editor saves it.
    body = json.dumps(
        [
            {
                "type": "image",
                "value": {
                    "image": {
                        "image": image.pk,
                        "alt_text": "A tidy desk by a window",
                        "decorative": False,
                    },
                    "caption": "Where good letters are answered.",
                },
            }
        ]
    )
    page = make_article(site_tree["guides"], body=body)
    html = client.get(page.url).content.decode()
    assert 'alt="A tidy desk by a window"' in html
    assert "<figcaption>Where good letters are answered.</figcaption>" in html
