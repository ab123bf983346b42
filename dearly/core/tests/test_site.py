import os
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command
from django.utils import timezone

from wagtail.models import Revision

import pytest

from dearly.testing import make_article, make_topic

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
def test_sitemap_lists_public_pages_and_topics_only(client, site_tree):
    topic = make_topic("Career")
    public = make_article(site_tree["guides"], title="Public", topics=[topic])
    draft = make_article(site_tree["guides"], title="Draft", live=False)
    xml = client.get("/sitemap.xml").content.decode()
    assert f"http://localhost{public.url}" in xml
    assert draft.url not in xml if draft.url else draft.slug not in xml
    assert "/topics/career/" in xml


@pytest.mark.django_db
def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Disallow: /admin/" in body and "Sitemap: http://testserver/sitemap.xml" in body


@pytest.mark.django_db
def test_robots_txt_and_canonical_links_name_site_url_whatever_the_host_header(client, site_tree):
    from dearly.testing import make_topic

    make_topic("Career")
    hostile = {"HTTP_HOST": "localhost:31337"}
    assert "Sitemap: http://testserver/sitemap.xml" in client.get("/robots.txt", **hostile).text
    html = client.get("/topics/career/?q=x&page=%C2%B2", **hostile).text
    assert '<link rel="canonical" href="http://testserver/topics/career/">' in html
    assert "31337" not in html


@pytest.mark.django_db
def test_robots_txt_refuses_post(client):
    assert client.post("/robots.txt").status_code == 405


@pytest.mark.django_db
def test_404_page_is_in_the_site_design(client, site_tree):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.django_db
def test_scheduled_page_goes_live_when_the_scheduler_runs(client, site_tree):
    page = make_article(site_tree["guides"], title="Tomorrow's guide", live=False)
    page.go_live_at = timezone.now() + timezone.timedelta(hours=1)
    revision = page.save_revision()
    revision.publish()  # with a future go_live_at this schedules instead of publishing
    call_command("publish_scheduled", verbosity=0)
    assert client.get("/guides/").content.decode().count("Tomorrow") == 0
    # The time comes: the scheduled moment moves into the past rather than the test waiting.
    revision = Revision.objects.get(pk=revision.pk)
    revision.approved_go_live_at = timezone.now() - timezone.timedelta(seconds=1)
    revision.content["go_live_at"] = revision.approved_go_live_at.isoformat()
    revision.save(update_fields=["approved_go_live_at", "content"])
    call_command("publish_scheduled", verbosity=0)
    assert "Tomorrow" in client.get("/guides/").content.decode()


def run_check(env):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "dearly.settings.production",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


PRODUCTION_ENV = {
    "SECRET_KEY": "k3y-" + "abcdefghij" * 6,
    "ALLOWED_HOSTS": "example.com",
    "DATABASE_URL": "sqlite:////tmp/dearly-prod-check.sqlite3",
    "SITE_URL": "https://example.com",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.com:587",
}


@pytest.mark.servers
@pytest.mark.parametrize("missing", PRODUCTION_ENV)
def test_production_settings_refuse_to_start_without_required_env(missing):
    env = dict(PRODUCTION_ENV)
    del env[missing]
    result = run_check(env)
    assert result.returncode != 0
    assert f"The environment variable {missing} must be set" in result.stderr


@pytest.mark.servers
def test_production_settings_pass_check_deploy():
    result = run_check(PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.servers
@pytest.mark.parametrize(
    ("name", "value"),
    [("SITE_URL", "example.com"), ("SITE_URL", "javascript:alert(1)"), ("EMAIL_URL", "console:")],
)
def test_production_settings_refuse_a_site_url_or_email_url_they_cannot_use(name, value):
    result = run_check({**PRODUCTION_ENV, name: value})
    assert result.returncode != 0
    assert f"{name} must be" in result.stderr
