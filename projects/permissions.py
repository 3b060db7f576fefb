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
