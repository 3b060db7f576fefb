"""Who may change what. Views ask here; they never decide on their own."""

import logging

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .models import kept_sql
from .roles import Role


def role_names(user):
    """The user's role group names, fetched once per request (cached on the user)."""
    if not user.is_authenticated:
        return frozenset()
    if not hasattr(user, "_role_names"):
        user._role_names = frozenset(_group_names(user.pk))
    return user._role_names


def _group_names(user_id):
    """The names of the user's groups: one query, its SQL compiled once (it is made for
    nearly every page), for user 0 and run for `user_id`."""
    from django.contrib.auth.models import Group
    from django.db import connections

    using, sql, params = kept_sql(
        ("group-names",), lambda: Group.objects.filter(user__pk=0).values_list("name")
    )
    assert params == (0,)  # the user's id is the query's one parameter
    with connections[using].cursor() as cursor:
        cursor.execute(sql, (user_id,))
        return [name for (name,) in cursor.fetchall()]


def is_administrator(user):
    return user.is_authenticated and (
        user.is_superuser or Role.ADMINISTRATOR.value in role_names(user)
    )


def may_edit_for_department(user, department):
    """Administrators edit anything; a department editor edits only their department's rows."""
    if is_administrator(user):
        return True
    return (
        department is not None
        and Role.EDITOR.value in role_names(user)
        and user.department_id == department.pk
    )


def is_manager(user):
    return user.is_authenticated and Role.MANAGER.value in role_names(user)


def may_review_reports(user):
    """Managers review reports; administrators may too."""
    return is_manager(user) or is_administrator(user)


def may_supervise(user):
    """Managers issue, urge and close supervision orders; administrators may too."""
    return is_manager(user) or is_administrator(user)


def may_carry_over(user):
    """Carrying a project into the next plan is the planning office's decision (managers:
    督办/规划管理, the district development and reform bureau, which tracks the plans);
    administrators may too. Not a department's: it places the project in the district's
    plan, for every department."""
    return is_manager(user) or is_administrator(user)


def may_read_project(user, project):
    """A project's page, and the files of its reports and milestones: every signed-in
    role reads them (the public view shows neither)."""
    return user.is_authenticated


def may_report_on(user, project):
    """The monthly report belongs to the project's lead department."""
    return may_edit_for_department(user, project.lead_department)


def may_update_milestone(user, milestone):
    """The milestone's responsible department, or the project's lead department."""
    return may_edit_for_department(
        user, milestone.responsible_department
    ) or may_edit_for_department(user, milestone.project.lead_department)


def may_update_approvals(user, project):
    """A project's pre-construction approvals belong to its lead department."""
    return may_edit_for_department(user, project.lead_department)


def may_update_approval(user, approval):
    return may_update_approvals(user, approval.project)


# --- for views: every write fetches its object through here --------------------------

security_log = logging.getLogger("liwan.security")


def get_for_user(request, queryset, allowed, **lookup):
    """The object a write is about: 404 if there is none, 403 if `allowed(user, obj)` says
    it is not this user's to change (logged, and nothing is changed)."""
    obj = get_object_or_404(queryset, **lookup)
    if not allowed(request.user, obj):
        security_log.warning("refused: %s %s %s", request.user, request.method, request.path)
        raise PermissionDenied
    return obj


def require(request, allowed):
    """For a view about no one object (a list, a write over many): 403 unless
    `allowed(user)` (logged, and nothing is changed)."""
    if not allowed(request.user):
        security_log.warning("refused: %s %s %s", request.user, request.method, request.path)
        raise PermissionDenied
