"""Who may do what with supervision orders: managers issue, urge and close them
(projects.permissions.may_supervise); the addressed department's editors reply."""

from projects.permissions import may_edit_for_department, may_supervise

__all__ = ["may_reply", "may_supervise"]


def may_reply(user, order):
    return may_edit_for_department(user, order.department)
