"""Who may do what with supervision orders: managers issue, urge and close (administrators
may too, as with reviews); the addressed department's editors reply."""

from projects.permissions import is_administrator, is_manager, may_edit_for_department


def may_supervise(user):
    return is_manager(user) or is_administrator(user)


def may_reply(user, order):
    return may_edit_for_department(user, order.department)
