"""Who the columnist is: an account the column settings name, chosen among the editors."""

import re

from django.contrib.auth.models import Group, Permission
from django.test import Client

from wagtail.models import Site

import pytest

from dearly.comments.tests.helpers import make_reader
from dearly.core.models import ColumnSettings, admin_accounts

pytestmark = pytest.mark.django_db


def settings_url():
    site = Site.objects.get(is_default_site=True)
    return f"/admin/settings/core/columnsettings/{site.pk}/"


def columnist_choices(html):
    select = re.search(r'<select name="columnist".*?</select>', html, re.S).group(0)
    return {int(pk) for pk in re.findall(r'<option value="(\d+)"', select)}


def test_admin_accounts_are_superusers_and_holders_of_admin_access_once_each(site_tree):
    chief = make_reader("chief", is_superuser=True)
    grouped = make_reader("grouped")
    grouped.groups.add(Group.objects.get(name="Editors"), Group.objects.get(name="Moderators"))
    direct = make_reader("direct")
    direct.user_permissions.add(Permission.objects.get(codename="access_admin"))
    make_reader("reader")
    make_reader("gone", is_superuser=True, is_active=False)
    assert sorted(admin_accounts().values_list("username", flat=True)) == sorted(
        [chief.username, grouped.username, direct.username]
    )


def test_the_columnist_is_chosen_among_editors_and_stays_chosen(site_tree):
    chief = make_reader("chief", is_superuser=True, is_staff=True, display_name="Mimi")
    reader = make_reader("reader")
    client = Client()
    client.force_login(chief)
    html = client.get(settings_url()).content.decode()
    assert columnist_choices(html) == {chief.pk}
    assert "Mimi (chief)</option>" in html
    # An account chosen before (the demo's columnist cannot log in) stays on offer.
    settings = ColumnSettings.for_site(Site.objects.get(is_default_site=True))
    settings.columnist = reader
    settings.save()
    assert columnist_choices(client.get(settings_url()).content.decode()) == {chief.pk, reader.pk}
