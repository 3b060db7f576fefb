"""The four roles are auth groups the app makes itself after every migrate, with the
permissions of both data apps."""

import pytest
from django.contrib.auth.models import Group, Permission

from projects.roles import Role

pytestmark = pytest.mark.django_db


def codes(permissions):
    return {f"{p.content_type.app_label}.{p.codename}" for p in permissions}


def test_a_fresh_database_has_the_four_roles_with_the_permissions_of_the_data_apps():
    # Nothing here calls ensure_roles: the groups are the ones migrate made.
    granted = {
        group.name: codes(group.permissions.select_related("content_type"))
        for group in Group.objects.all()
    }
    assert set(granted) == {role.value for role in Role}
    data = codes(
        Permission.objects.filter(
            content_type__app_label__in=["projects", "indicators", "supervision", "api"]
        ).select_related("content_type")
    )
    # The API's tokens are the administrators' alone.
    views = {
        code
        for code in data
        if code.split(".")[1].startswith("view_") and not code.startswith("api.")
    }
    assert {"api.add_apitoken", "api.change_apitoken"} <= data
    assert {"projects.change_project", "indicators.change_indicatorvalue"} <= data
    assert {"projects.view_project", "indicators.view_indicator"} <= views
    assert "supervision.view_supervisionorder" in views
    assert granted[Role.ADMINISTRATOR] == data
    for role in (Role.MANAGER, Role.VIEWER, Role.EDITOR):
        assert granted[role] == views, role
