"""What other apps' pages show of supervision (projects never imports this app; its
templates load this library)."""

from django import template

from projects.models import rows_once

from ..models import SupervisionOrder

register = template.Library()


def project_orders_query(project_id):
    """A project's orders as its page shows them, a query whose SQL is made once."""
    return SupervisionOrder.objects.filter(project_id=project_id).select_related(
        "milestone", "department"
    )


@register.inclusion_tag("supervision/_project_orders.html", takes_context=True)
def project_orders(context, project):
    """The project's supervision orders, newest first: with their milestones and
    departments, which the table shows (the project is in hand)."""
    orders = rows_once(("project orders",), project_orders_query, project.pk)
    for order in orders:
        order.project = project
    return {"orders": orders, "request": context.get("request")}
