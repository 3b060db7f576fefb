"""The admin looks like part of the site (its brand and colours, a way back) and files users
under Accounts (账户), not under the projects app."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def sections(app_list):
    return {app["app_label"]: [m["object_name"] for m in app["models"]] for app in app_list}


def test_the_index_files_users_under_accounts(client, administrator):
    client.force_login(administrator)
    app_list = client.get(reverse("admin:index"), **ZH).context["app_list"]
    assert sections(app_list)["accounts"] == ["User"]
    assert "User" not in sections(app_list)["projects"]
    accounts = next(app for app in app_list if app["app_label"] == "accounts")
    assert str(accounts["name"]) == "账户"
    assert accounts["app_url"] == reverse("admin:projects_user_changelist")
    assert app_list[-1] is accounts  # after the data sections


def test_the_sidebar_does_too_and_an_apps_own_page_lists_only_that_app(client, administrator):
    client.force_login(administrator)
    response = client.get(reverse("admin:projects_user_changelist"), **ZH)
    assert sections(response.context["available_apps"])["accounts"] == ["User"]
    response = client.get(reverse("admin:app_list", args=["projects"]), **ZH)
    assert list(sections(response.context["app_list"])) == ["projects"]
    assert "User" not in sections(response.context["app_list"])["projects"]


def test_a_user_is_not_reached_through_the_projects_app_for_others(client, manager):
    """The grouping changes headings, not rights: a manager still cannot see users."""
    client.force_login(manager)
    assert client.get(reverse("admin:projects_user_changelist")).status_code in (302, 403)


@pytest.mark.parametrize("page", ["changelist", "add", "change", "password", "history", "delete"])
def test_every_user_page_says_accounts_in_its_breadcrumbs(page, client, administrator, viewer):
    client.force_login(administrator)
    args = [] if page in ("changelist", "add") else [viewer.pk]
    name = (
        "admin:auth_user_password_change" if page == "password" else f"admin:projects_user_{page}"
    )
    response = client.get(reverse(name, args=args), **ZH)
    assert response.status_code == 200
    (crumbs,) = re.findall(r'<div class="breadcrumbs">(.*?)</div>', response.content.decode(), re.S)
    assert f'<a href="{reverse("admin:projects_user_changelist")}">账户</a>' in crumbs
    assert "项目库" not in crumbs


def test_the_header_is_the_sites(client, administrator):
    client.force_login(administrator)
    page = client.get(reverse("admin:index"), **ZH).content.decode()
    (branding,) = re.findall(r'<div id="site-name">(.*?)</div>', page, re.S)
    assert re.search(
        rf'<a class="brand" href="{reverse("home")}"[^>]*>荔湾区重大项目</a>', branding
    )
    assert f'<a class="admin-home" href="{reverse("admin:index")}">管理后台</a>' in branding
    assert "css/admin-extra.css" in page
    # Light only, as the site: no dark-mode stylesheet, no theme toggle.
    assert "dark_mode.css" not in page and "theme-toggle" not in page


def test_the_admin_wears_the_sites_colours(settings):
    css = (settings.BASE_DIR / "static" / "css" / "admin-extra.css").read_text()
    app = (settings.BASE_DIR / "static" / "css" / "app.css").read_text()
    accent = re.search(r"--accent: (#[0-9a-f]{6})", app).group(1)
    assert f"--liwan-red: {accent}" in css
    assert "--header-bg: #fff" in css and "--button-bg: var(--liwan-red)" in css


def test_a_users_roles_are_ticked_by_the_names_people_read(client, administrator, viewer):
    from django.utils import translation

    from projects.roles import Role

    client.force_login(administrator)
    response = client.get(reverse("admin:projects_user_change", args=[viewer.pk]), **ZH)
    field = response.context["adminform"].form.fields["groups"]
    with translation.override("zh-hans"):
        labels = [str(label) for _value, label in field.choices]
        # An administrator who is not a superuser cannot grant the administrator role.
        assert labels == [str(Role(r).label) for r in ("manager", "viewer", "department editor")]
    page = response.content.decode()
    assert 'type="checkbox" name="groups"' in page and "selectfilter" not in page
    filters = client.get(reverse("admin:projects_user_changelist"), **ZH).content.decode()
    assert "?role=department+editor" in filters
