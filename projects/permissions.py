"""Who may change what. Views ask here; they never decide on their own."""

from .roles import Role


def role_names(user):
    """The user's role group names, fetched once per request (cached on the user)."""
    if not user.is_authenticated:
        return frozenset()
    if not hasattr(user, "_role_names"):
        user._role_names = frozenset(user.groups.values_list("name", flat=True))
    return user._role_names


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


def may_report_on(user, project):
    """The monthly report belongs to the project's lead department."""
    return may_edit_for_department(user, project.lead_department)


def may_update_milestone(user, milestone):
    """The milestone's responsible department, or the project's lead department."""
    return may_edit_for_department(
        user, milestone.responsible_department
    ) or may_edit_for_department(user, milestone.project.lead_department)
